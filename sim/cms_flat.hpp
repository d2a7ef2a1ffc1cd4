#pragma once
// The flat (version2) dialect of the CMS simulator: one JSON record per version, status set on
// create or by a JSON Merge Patch (seeds/cms-saas-rest-manage-content.txt, api-notes.md).

#include <string>
#include <vector>

#include "sim/cms_http.hpp"
#include "sim/cms_json.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {

class CmsFlatApi {
 public:
  CmsFlatApi(CmsStore& store, std::string base) : store_(store), base_(std::move(base)) {}
  // Content routes only; the token endpoint is CmsSim's.
  std::vector<CmsRoute> routes();
  // Like a stricter service: `status` (and `delayPublishUntil`) in a create or new-version body
  // is a 400 naming the field; status changes only by PATCH (CmsSimOptions).
  void refuse_status_on_create(bool on) { refuse_status_on_create_ = on; }

 private:
  // cms_flat_content.cpp
  net::ServerResponse create(const CmsCall& call);
  net::ServerResponse get_item(const CmsCall& call);
  net::ServerResponse patch_item(const CmsCall& call);
  net::ServerResponse delete_item(const CmsCall& call);
  net::ServerResponse undelete(const CmsCall& call);
  net::ServerResponse copy(const CmsCall& call);
  net::ServerResponse list_items(const CmsCall& call);
  // cms_flat_versions.cpp
  net::ServerResponse list_versions(const CmsCall& call);
  net::ServerResponse create_version(const CmsCall& call);
  net::ServerResponse delete_locale(const CmsCall& call);
  net::ServerResponse get_version(const CmsCall& call);
  net::ServerResponse patch_version(const CmsCall& call);
  net::ServerResponse delete_version(const CmsCall& call);

  net::ServerResponse version_response(int status, const CmsItem& item, const CmsVersion& version);
  std::string version_url(const CmsItem& item, const CmsVersion& version) const;
  void check_no_status(FieldReader& reader) const;

  CmsStore& store_;
  std::string base_;
  bool refuse_status_on_create_ = false;
};

// Reads the fields a new version takes (create and POST .../versions share them).
void read_flat_version(FieldReader& reader, CmsVersionInput& input);
net::ServerResponse flat_problem(const CmsProblem& problem);

}  // namespace feedsync::sim
