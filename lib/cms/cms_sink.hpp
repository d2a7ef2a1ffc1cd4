#pragma once
// Where the outbox relay writes articles (DESIGN.md §2 `CmsSink`, §4 relay table). Small on
// purpose so the engine's tests can use a fake. Implementations: RestCmsSink with the version2
// or v1 dialect (sink_factory.hpp).
//
// Every operation is safe to repeat after a crash at any point (keys are deterministic):
// upsert of an item that exists continues as a new version, delete of a missing item is done.
// Errors are classified once (CmsError::kind); nothing here retries what the HTTP decorator
// already retried (429, 5xx, network).

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "cms/cms_error.hpp"
#include "core/expected.hpp"

namespace feedsync::cms {

struct UpsertRequest {
  ArticleRef article;
  // core/mapping_payload.hpp payload_document(): {"key", "contentType", "container", "locale",
  // "displayName", "routeSegment"?, "properties", "publish", "richText"?, "publishAt"?}. Its
  // "key" must be article.key.
  boost::json::object payload;
  // The store has pushed this article before: write a new version. false: create first (a 409
  // then continues as a new version, so a wrong `false` costs one request, never a duplicate).
  bool known = false;
};

struct WriteOutcome {
  std::string key;
  std::string version;  // upsert: the version written; "" for delete and undelete
  // upsert: the routeSegment the CMS holds for that version after publishing (it may re-derive
  // it from displayName); falls back to the one sent. Build the canonical URL from this.
  std::optional<std::string> route_segment;
  // upsert: the version's CMS status ("published", "ready", "draft", or "scheduled" when the
  // payload's publishAt is still ahead: not published yet, so no canonical link for it);
  // remove: "deleted", or "absent" when the CMS had no such item (404 counts as done);
  // undelete: "restored", or "not_deleted" when the item was not deleted (409).
  std::string status;
  bool created = false;  // upsert created the content item (rather than a version of it)
};

using CmsResult = Expected<WriteOutcome, CmsError>;

class CmsSink {
 public:
  virtual ~CmsSink() = default;
  // Parameters by value (GCC 12 coroutines, DESIGN.md §3).
  virtual boost::asio::awaitable<CmsResult> upsert(UpsertRequest request) = 0;
  // Restore a soft-deleted item (the article came back); a 404 is a permanent error: the item
  // is gone for good.
  virtual boost::asio::awaitable<CmsResult> undelete(ArticleRef article) = 0;
  virtual boost::asio::awaitable<CmsResult> remove(ArticleRef article, bool permanent) = 0;
};

}  // namespace feedsync::cms
