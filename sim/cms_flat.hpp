#pragma once
// The flat (version2) dialect of the CMS simulator: one JSON record per version, status set on
// create or by a JSON Merge Patch (seeds/cms-saas-rest-manage-content.txt, api-notes.md). The
// routes it shares with v1 are CmsContentApi's; cms_flat.cpp holds its policy and its own routes
// (create, :copy, DELETE .../versions?locale=L).

#include <memory>

#include "sim/cms_content_api.hpp"

namespace feedsync::sim {

// Serves under options.flat_base. options.refuse_status_on_create is read on every request (the
// control API changes it at run time): `status` and `delayPublishUntil` in a create or
// new-version body are then a 400 naming the field, as a stricter service might answer.
// `options` must outlive the API.
std::unique_ptr<CmsContentApi> make_flat_api(CmsStore& store, const CmsSimOptions& options);

}  // namespace feedsync::sim
