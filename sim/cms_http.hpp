#pragma once
// Request handling shared by both CMS dialects: what a handler receives, body and header rules
// (media types, If-Match), query lists and path keys. Everything here is synchronous: the CMS
// handlers never wait, so only CmsSim wraps them into coroutines.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "net/http.hpp"
#include "net/server_message.hpp"
#include "sim/cms_problem.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {

struct CmsCall {
  const net::ServerRequest& request;
  CmsActor actor;
};

using CmsHandler = std::function<net::ServerResponse(const CmsCall&)>;

struct CmsRoute {
  net::Method method;
  std::string pattern;  // absolute, base included
  std::string api;      // "cms" or "token" (RouteSink)
  CmsDialect dialect;   // how auth failures are rendered
  bool authenticated;
  CmsHandler handler;
};

// Compares the Content-Type's media type (parameters ignored, case-insensitive).
bool media_type_is(const net::ServerRequest& request, std::string_view media_type);
// The body as a JSON object: 415 unless the Content-Type is `media_type`, 400 if it is not one.
Expected<boost::json::object, CmsProblem> read_json_object(const net::ServerRequest& request,
                                                           std::string_view media_type);
// 412 unless If-Match is absent, "*" or lists `etag` (strong comparison: W/ tags never match).
std::optional<CmsProblem> check_if_match(const net::ServerRequest& request, std::string_view etag);
std::string make_etag(std::uint64_t revision);

// "true" (any case) is true; absent or anything else is false.
bool query_flag(const net::ServerRequest& request, std::string_view name);
// Every value of a repeated parameter, each split on commas: ?a=x,y&a=z -> x, y, z.
std::vector<std::string> query_list(const net::ServerRequest& request, std::string_view name);

// 32 lower-case hex from that or the dashed/braced/upper-case UUID forms; nullopt otherwise.
std::optional<std::string> normalise_key(std::string_view text);
// The item named by the path's {key}: 404 for an unknown key or a malformed one (it cannot exist).
Expected<CmsItem*, CmsProblem> lookup_item(CmsStore& store, const net::ServerRequest& request,
                                           bool allow_deleted);
Expected<CmsVersion*, CmsProblem> lookup_version(CmsItem& item, const net::ServerRequest& request);

// GET .../versions: `locales` and `statuses` filters (repeated or comma lists), newest first.
Expected<std::vector<const CmsVersion*>, CmsProblem> select_versions(const CmsItem& item,
                                                                     const net::ServerRequest& request);
// GET .../items: the live items directly under {key} (an item or a plain container such as the
// root), filtered by `contentTypes`.
Expected<std::vector<CmsItem*>, CmsProblem> select_children(CmsStore& store, const net::ServerRequest& request);

net::ServerResponse json_response(int status, const boost::json::value& body, const std::string& etag = {});
net::ServerResponse empty_response(int status);

}  // namespace feedsync::sim
