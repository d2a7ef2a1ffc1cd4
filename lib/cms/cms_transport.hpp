#pragma once
// Authorized requests to the CMS REST API: URLs below cms.base_url built with Boost.URL, the
// bearer token from TokenSource, `Accept: application/json`, the per-request deadline and body
// cap, and the one retry DESIGN.md §4 allows for auth: on 401 the token is invalidated, a fresh
// one fetched and the request sent once more. Everything else (429, 5xx, network) was already
// retried by net::RetryingHttpClient underneath and is not retried here.

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "cms/token_source.hpp"
#include "core/expected.hpp"
#include "net/http_client.hpp"

namespace feedsync::cms {

// base_url + one path segment per element (each percent-encoded as a segment, so a key can
// never add path structure; ':' stays, for "{key}:undelete") + query parameters. A path prefix
// on the base (/_cms/version2, /v1, a gateway's) is kept; a trailing slash is ignored.
std::string cms_url(std::string_view base_url, std::initializer_list<std::string_view> segments,
                    std::initializer_list<std::pair<std::string_view, std::string_view>> query = {});

struct TransportOptions {
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_body = 16 * 1024 * 1024;
};

class CmsTransport {
 public:
  // `http` and `tokens` must outlive every send() in progress.
  CmsTransport(net::HttpClient& http, TokenSource& tokens, TransportOptions options);

  // Every HTTP status comes back as a Response for the caller to interpret, except a 401 for a
  // freshly issued token (auth). No token, no response at all, or that second 401 come back as
  // a CmsError whose message starts with `context` ("CMS create of feed=... guid=... key=...").
  boost::asio::awaitable<Expected<net::Response, CmsError>> send(net::Request request, std::string context);

 private:
  net::HttpClient& http_;
  TokenSource& tokens_;
  TransportOptions options_;
};

}  // namespace feedsync::cms
