#pragma once
// The v1 dialect of the CMS simulator (the generally available API, api-notes.md "v1
// differences"): content and versions are separate resources, property values are wrapped
// ({"value": ...}), status is read-only and changes through :publish / :ready / :draft actions,
// writes answer with an empty body and a Location unless `Prefer: return=representation`, and
// permanent deletion is the `cms-permanent-delete: true` header. The routes it shares with the
// flat dialect are CmsContentApi's; cms_v1.cpp holds its policy and its own routes (create, the
// status actions, DELETE .../locales/{locale}).

#include <memory>

#include "sim/cms_content_api.hpp"

namespace feedsync::sim {

// Serves under options.v1_base.
std::unique_ptr<CmsContentApi> make_v1_api(CmsStore& store, const CmsSimOptions& options);

}  // namespace feedsync::sim
