#pragma once
// The v1 dialect of the CMS simulator (the generally available API, api-notes.md "v1
// differences"): content and versions are separate resources, property values are wrapped
// ({"value": ...}), status is read-only and changes through :publish / :ready / :draft actions,
// writes answer with an empty body and a Location unless `Prefer: return=representation`, and
// permanent deletion is the `cms-permanent-delete: true` header.

#include <string>
#include <vector>

#include "sim/cms_http.hpp"
#include "sim/cms_json.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {

class CmsV1Api {
 public:
  CmsV1Api(CmsStore& store, std::string base) : store_(store), base_(std::move(base)) {}
  std::vector<CmsRoute> routes();

 private:
  // cms_v1_content.cpp
  net::ServerResponse create(const CmsCall& call);
  net::ServerResponse get_item(const CmsCall& call);
  net::ServerResponse patch_item(const CmsCall& call);
  net::ServerResponse delete_item(const CmsCall& call);
  net::ServerResponse undelete(const CmsCall& call);
  net::ServerResponse list_items(const CmsCall& call);
  net::ServerResponse delete_locale(const CmsCall& call);
  // cms_v1_versions.cpp
  net::ServerResponse list_versions(const CmsCall& call);
  net::ServerResponse create_version(const CmsCall& call);
  net::ServerResponse get_version(const CmsCall& call);
  net::ServerResponse patch_version(const CmsCall& call);
  net::ServerResponse delete_version(const CmsCall& call);
  net::ServerResponse publish(const CmsCall& call);
  net::ServerResponse ready(const CmsCall& call);
  net::ServerResponse draft(const CmsCall& call);
  net::ServerResponse change_status(const CmsCall& call, CmsStatus status);

  // A write's answer: the representation when the client prefers it, else only its Location.
  net::ServerResponse written(const CmsCall& call, int status, boost::json::object representation,
                              const std::string& etag, const std::string& location);
  std::string item_url(const CmsItem& item) const { return base_ + "/content/" + item.key; }
  std::string version_url(const CmsItem& item, const CmsVersion& version) const {
    return item_url(item) + "/versions/" + version.id();
  }

  CmsStore& store_;
  std::string base_;
};

net::ServerResponse v1_problem(const CmsProblem& problem);
// A version body's fields ({locale, displayName, routeSegment, properties}), property values
// unwrapped; status and delayPublishUntil are refused (read-only in v1).
void read_v1_version(FieldReader& reader, CmsVersionInput& input);
// {"Heading": {"value": "x"}} -> {"Heading": "x"}; an unwrapped value is a field error.
boost::json::object unwrap_properties(FieldReader& reader, const boost::json::object& wrapped);

}  // namespace feedsync::sim
