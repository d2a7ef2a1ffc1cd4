#pragma once
// The drift audit's rules (issue 22, `feedsyncd audit`): what the CMS shows of an article,
// compared with what feedsync last wrote, and what a repair does about it. Pure: the reads are
// audit_reader's (lib/cms), the CLI's and the engine's, the verdicts here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "config/config.hpp"
#include "core/outbox_payload.hpp"
#include "store/rows.hpp"

namespace feedsync::engine {

// One article's finding, in the order the summary shows them.
enum class AuditResult {
  ok,
  missing,      // no such item in the CMS (never created, or deleted for good)
  deleted,      // the item is soft-deleted (restorable)
  edited,       // the published version of the locale is not the one feedsync wrote
  unpublished,  // feedsync published it; no version of the locale is published now
  moved,        // the item is in another container than the feed's
};
inline constexpr std::size_t kAuditResultCount = 6;
// "ok", "missing", "deleted", "edited", "unpublished", "moved": the CLI's, JSON's and metrics' word.
std::string_view to_string(AuditResult result);

// What the CMS says about one item, as the audit read it.
struct CmsItemSeen {
  enum class Presence { absent, deleted, present };
  Presence presence = Presence::absent;
  std::string container;  // when present (or deleted)
  // The published version of the feed's locale (any locale, for feeds that map lang_code):
  // nullopt when none is published.
  std::optional<std::string> published_version;
  std::optional<std::string> published_route_segment;
};

// Whether the audit judges the row at all: a live article feedsync has written (it has a CMS
// version). Articles deleted from the feed, or not yet written (their op is queued), are not.
bool audited(const store::ArticleRow& row);

// The verdict for `row` (audited) of a feed writing into `container`. Order of precedence:
// missing, deleted, moved, then the published version: a row last written as published must be
// the published one (unpublished when none is, edited when another is, or when the CMS shows
// another route segment for it); a row written in another status (draft, ready, scheduled...) is
// fine unpublished, and fine when its own version was published (by an editor or a schedule),
// but edited when another version is.
AuditResult judge(const store::ArticleRow& row, std::string_view container, const CmsItemSeen& seen);

// What --repair does about a finding.
enum class RepairAction {
  none,       // ok, or an editor's version left live (cms.on_cms_edit: keep)
  rewrite,    // push the article's current content again (same key: created anew if missing)
  undelete,   // restore the soft-deleted item
  move_back,  // put the item back in the feed's container
};
std::string_view to_string(RepairAction action);  // "none", "rewrite", "undelete", "move-back"

RepairAction repair_action(AuditResult result, config::OnCmsEdit on_cms_edit);

// --rebuild-state: whether a version the CMS holds (`stored`: its properties, v1's {"value": x}
// already unwrapped) carries the document's content, so the article can be adopted as written.
// Every property the document sends with a value must be stored equal (rich text also as
// {"html": x}); a null one must be absent or null. Properties only the CMS has are ignored.
bool document_matches(const ArticleDocument& document, const boost::json::object& stored);

// Totals per result.
struct AuditTally {
  std::int64_t counts[kAuditResultCount] = {};
  std::int64_t orphans = 0;
  std::int64_t skipped = 0;  // rows not audited (see audited())
  void add(AuditResult result) { ++counts[static_cast<std::size_t>(result)]; }
  std::int64_t of(AuditResult result) const { return counts[static_cast<std::size_t>(result)]; }
  std::int64_t drift() const;  // every result but ok, plus orphans
};

}  // namespace feedsync::engine
