#pragma once
// The content routes both CMS dialects serve (cms_flat.hpp, cms_v1.hpp), written once: finding
// the item and version a path names, If-Match, paging, merge patches, and the store's verdicts.
// What the two dialects answer differently is each dialect's policy, the pure virtual functions
// below: how errors are shaped, which status a refusal carries, how a write answers, how a
// client asks for permanence, which version fields a body may hold.

#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "sim/cms_http.hpp"
#include "sim/cms_json.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {

// An item and one of its versions, as a path .../content/{key}/versions/{version} names them.
struct CmsItemVersion {
  CmsItem& item;
  CmsVersion& version;
};

class CmsContentApi {
 public:
  CmsContentApi(CmsStore& store, std::string base) : store_(store), base_(std::move(base)) {}
  virtual ~CmsContentApi() = default;
  // Routes keep `this`.
  CmsContentApi(const CmsContentApi&) = delete;
  CmsContentApi& operator=(const CmsContentApi&) = delete;

  // The content routes under the base (the token endpoint is CmsSim's): the shared ones, then
  // the dialect's own (add_dialect_routes).
  std::vector<CmsRoute> routes();

  // Handlers both dialects route the same way.
  net::ServerResponse get_item(const CmsCall& call);
  net::ServerResponse patch_item(const CmsCall& call);
  net::ServerResponse delete_item(const CmsCall& call);
  net::ServerResponse undelete(const CmsCall& call);
  net::ServerResponse list_items(const CmsCall& call);
  net::ServerResponse list_versions(const CmsCall& call);
  // GET /content/versions (v1 Content_ListAllVersions): the versions of every item not deleted,
  // by key, each item's newest first, filtered by locales / statuses; routed by v1 only.
  net::ServerResponse list_all_versions(const CmsCall& call);
  net::ServerResponse create_version(const CmsCall& call);
  net::ServerResponse get_version(const CmsCall& call);
  net::ServerResponse patch_version(const CmsCall& call);
  net::ServerResponse delete_version(const CmsCall& call);
  // Shared logic behind different paths (flat: DELETE .../versions?locale=L; v1: DELETE
  // .../locales/{locale}); the dialect routes it.
  net::ServerResponse delete_locale(const CmsCall& call);
  virtual net::ServerResponse create(const CmsCall& call) = 0;

 protected:
  // ---- The dialect's policy ----
  // How problems are shaped (field errors keyed by field, or listed) and auth failures rendered.
  virtual CmsDialect dialect() const = 0;
  // The version resource's JSON.
  virtual boost::json::object version_json(const CmsItem& item, const CmsVersion& version) const = 0;
  // A successful write's answer, given the resource's representation, ETag and Location.
  virtual net::ServerResponse written(const CmsCall& call, int status, boost::json::object representation,
                                      const std::string& etag, const std::string& location) const = 0;
  // The answer to a soft delete of `item`.
  virtual net::ServerResponse soft_deleted(const CmsCall& call, const CmsItem& item) const = 0;
  // Whether a DELETE of an item asks for permanent deletion.
  virtual bool permanent_delete_asked(const net::ServerRequest& request) const = 0;
  // The status of the refusal to :undelete an item that is not deleted.
  virtual int undelete_live_status() const = 0;
  // Which locale a delete-locale request names, or why it names none.
  virtual Expected<std::string, CmsProblem> locale_to_delete(const net::ServerRequest& request) const = 0;
  // A new version's body (POST .../versions) for `item`; field errors go to `reader`.
  virtual void read_new_version(FieldReader& reader, const CmsItem& item, CmsVersionInput& input) const = 0;
  // Version fields a merge patch may not change.
  virtual std::span<const std::string_view> read_only_version_fields() const = 0;
  // The fields of a patched version after displayName and routeSegment (properties, status,
  // schedule); `patch` is the merge patch as sent, `current` the version before it.
  virtual void read_version_edit(FieldReader& patched, const boost::json::object& patch, const CmsVersion& current,
                                 CmsVersionEdit& edit) const = 0;
  // Routes only one dialect has (appended to the shared ones).
  virtual void add_dialect_routes(std::vector<CmsRoute>& routes) = 0;

  // ---- For the dialects' own handlers ----
  net::ServerResponse problem(const CmsProblem& problem) const { return problem_response(problem, dialect()); }
  // The item the path's {key} names: 404 for an unknown or malformed key, or a soft-deleted item
  // unless `allow_deleted`.
  Expected<CmsItem*, CmsProblem> find_item(const CmsCall& call, bool allow_deleted) const;
  // The item and the path's {version} of it: 404 for either unknown.
  Expected<CmsItemVersion, CmsProblem> find_version(const CmsCall& call, bool allow_deleted) const;
  std::string item_url(const CmsItem& item) const { return base_ + "/content/" + item.key; }
  std::string version_url(const CmsItem& item, const CmsVersion& version) const {
    return item_url(item) + "/versions/" + version.id();
  }
  // A route to `handler` of this object (or of the dialect deriving from it).
  template <class Api>
  CmsRoute route(net::Method method, std::string_view pattern, net::ServerResponse (Api::*handler)(const CmsCall&)) {
    Api* self = static_cast<Api*>(this);
    return CmsRoute{method, base_ + std::string(pattern), "cms", dialect(), true,
                    [self, handler](const CmsCall& call) { return (self->*handler)(call); }};
  }
  CmsStore& store() const { return store_; }

 private:
  CmsStore& store_;
  std::string base_;
};

// An item's own fields in a create body: key (normalised; a malformed one is a field error),
// contentType and container.
void read_item_fields(FieldReader& reader, CmsCreateInput& input);

}  // namespace feedsync::sim
