#pragma once
// Where the outbox relay writes articles (DESIGN.md §2 `CmsSink`, §4 relay table). Small on
// purpose so the engine's tests can use a fake. Implementations: RestCmsSink with the version2
// or v1 dialect (sink_factory.hpp).
//
// Every operation is safe to repeat after a crash at any point (keys are deterministic):
// upsert of an item that exists continues as a new version, delete of a missing item is done.
// Errors are classified once (CmsError::kind); nothing here retries what the HTTP decorator
// already retried (429, 5xx, network).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "core/expected.hpp"
#include "core/outbox_payload.hpp"

namespace feedsync::cms {

struct UpsertRequest {
  ArticleRef article;
  ArticleDocument document;  // its key must be article.key
  // The store has pushed this article before: write a new version. false: create first (a 409
  // then continues as a new version, so a wrong `false` costs one request, never a duplicate).
  bool known = false;
};

// What a write left in the CMS.
enum class WriteStatus {
  // upsert: the status of the version written, as the CMS reports it (api-notes.md)
  draft,
  ready,
  published,
  scheduled,  // publishAt still ahead: not published yet, so no canonical link for it
  previous,
  rejected,
  in_review,
  unknown,  // a word the CMS does not document for versions
  // remove
  deleted,
  absent,  // the CMS had no such item (404 counts as done)
  // undelete
  restored,
  not_deleted,  // the item was not deleted (409, or 400 with the item readable)
};
// "draft", "ready", "published", "scheduled", "previous", "rejected", "inReview", "unknown",
// "deleted", "absent", "restored", "not_deleted": the words of the journal and the logs.
std::string_view to_string(WriteStatus status);
// A version status as the CMS spells it; WriteStatus::unknown for any other word.
WriteStatus version_status(std::string_view cms_status);

struct WriteOutcome {
  std::string key;
  std::string version;  // upsert: the version written; "" for delete and undelete
  // upsert: the routeSegment the CMS holds for that version after publishing (it may re-derive
  // it from displayName); falls back to the one sent. Build the canonical URL from this.
  std::optional<std::string> route_segment;
  WriteStatus status = WriteStatus::unknown;
  bool created = false;  // upsert created the content item (rather than a version of it)
  // upsert with status scheduled: when the version goes live (unix ms), as sent to the CMS.
  std::optional<std::int64_t> publish_at;
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
  // translations: group (issue 23): deletes the item's versions in `locale` only (the article is
  // that locale version of article.key). A 404 (no such item or locale) counts as done: absent.
  virtual boost::asio::awaitable<CmsResult> remove_locale(ArticleRef article, std::string locale) = 0;
};

// A published version of an item in one locale, as the CMS lists it.
struct PublishedVersionInfo {
  std::string version;
  std::optional<std::string> route_segment;
};
using PublishedResult = Expected<std::optional<PublishedVersionInfo>, CmsError>;

// Whether an item has a published version in a locale (issue 19: the pending canonical check
// finds articles an editor or a scheduled time published). One request per article.
class PublishedVersionSource {
 public:
  virtual ~PublishedVersionSource() = default;
  // nullopt: no published version of `locale` (a 404: the item is gone, so none either).
  virtual boost::asio::awaitable<PublishedResult> published_version(ArticleRef article, std::string locale) = 0;
};

}  // namespace feedsync::cms
