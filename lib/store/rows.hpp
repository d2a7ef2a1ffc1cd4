#pragma once
// The typed rows of the state store (DESIGN.md §5). Plain values, no behaviour: the store reads
// and writes them, the engine and the CLI decide what they mean. Timestamps are unix milliseconds
// UTC (std::int64_t); nullable columns are std::optional.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace feedsync::store {

// One configured feed and its polling state.
struct FeedRow {
  std::string name;     // the feed's name in the configuration: the primary key
  std::string feed_id;  // the CMP feed id it currently points at
  // Newest modified_at (unix ms) of work made durable; incremental polls stop just below it.
  // Absent until the first successful poll that sets one.
  std::optional<std::int64_t> watermark;
  std::optional<std::int64_t> last_attempt_at;    // when the last poll started
  std::optional<std::int64_t> last_success_at;    // when a poll last completed
  std::optional<std::int64_t> last_failure_at;    // when a poll last failed
  std::optional<std::int64_t> last_full_scan_at;  // when a complete reconciliation scan last completed
  std::int64_t consecutive_failures = 0;          // reset to 0 by a successful poll
  std::optional<std::string> last_error;          // of the last failed poll; cleared by a success
  bool paused = false;                            // `feedsyncd pause FEED`
  // Deletions held back by the mass-delete guard until `feedsyncd approve-deletes FEED`; 0 = none.
  std::int64_t held_deletes = 0;
  std::optional<std::string> held_reason;
  bool deletes_approved = false;  // `feedsyncd approve-deletes FEED`, until the next cycle
  // Set when polling cannot work until the configuration changes (feed id unknown to CMP: 404).
  // Cleared by the next successful poll.
  std::optional<std::string> misconfigured;
  // The Deleted Feed, read by its own watermark on its own schedule (issue 17): when it was last
  // read, its failures (a failing Deleted Feed never fails the live sync; its deletions wait).
  std::optional<std::string> deleted_feed_id;  // the id the watermark belongs to
  std::optional<std::int64_t> deleted_watermark;
  std::optional<std::int64_t> deleted_read_at;
  std::optional<std::int64_t> deleted_failed_at;
  std::int64_t deleted_failures = 0;
  std::optional<std::string> deleted_error;  // of the last failed read; cleared by a success

  bool operator==(const FeedRow&) const = default;
};

enum class ArticleStatus { active, deleted };

// What the store knows about one article of one feed: enough to tell whether a feed entry
// changed, and what exists for it in the CMS.
struct ArticleRow {
  std::string feed;
  std::string guid;
  std::int64_t entry_modified_at = 0;    // entry-level modified_at in the feed (unix ms)
  std::int64_t content_modified_at = 0;  // content-level modified_at in the feed (unix ms)
  std::string title;
  std::optional<std::string> pixel_key;      // CMP tracking pixel key, for the canonical post-back
  std::string cms_key;                       // deterministic content key (32 lowercase hex)
  std::optional<std::string> cms_version;    // CMS version recorded by the last successful push
  std::optional<std::string> route_segment;
  std::optional<std::string> payload_hash;   // hash of the last payload planned for the CMS
  ArticleStatus status = ArticleStatus::active;
  std::optional<std::string> canonical_url;  // last URL reported back to CMP
  std::optional<std::int64_t> deleted_at;
  std::int64_t updated_at = 0;               // set by the caller: when this row last changed
  // When a fetch of its full content last started (unix ms); absent before schema 3.
  std::optional<std::int64_t> fetched_at;
  // The CMS status of the version the relay last wrote, in the CMS's word
  // (cms::to_string(WriteStatus): "draft", "ready", "published", "scheduled", "inReview",
  // "rejected", ...). Absent before the first write, once the item is deleted in the CMS, and
  // for rows last written before schema 5.
  std::optional<std::string> cms_status;
  // The version an editor published over feedsync's that `audit --repair` left live
  // (cms.on_cms_edit: keep, issue 22): while set, the relay writes no CMP change of the article
  // over it (it logs and journals that it kept it). Cleared by `resync` of the article and by any
  // write feedsync makes (cms.on_cms_edit: overwrite).
  std::optional<std::string> cms_edit_kept;
  // When the version the relay last wrote goes live, while it is scheduled (unix ms; schema 7,
  // issue 19): the pending canonical check looks shortly after it. Absent for every other status.
  std::optional<std::int64_t> publish_at;
  // The feed entry's meta_url sent with the version the relay last wrote (schema 7, issue 19): the
  // pending canonical check fills {meta_url} with it, as the relay does. Absent when the entry had
  // none, and for rows last written before schema 7.
  std::optional<std::string> meta_url;
  // translations: group (issue 23): the CMS locale of the article's locale version, so deleting
  // this translation deletes only that locale. Absent for feeds with translations: off and rows
  // written before schema 8.
  std::optional<std::string> locale;

  bool operator==(const ArticleRow&) const = default;
};

struct ArticleCounts {
  std::int64_t active = 0;
  std::int64_t deleted = 0;

  bool operator==(const ArticleCounts&) const = default;
};

// The articles of a feed waiting for their canonical link (Store::awaiting_publication): live in
// the feed, with a pixel key, their CMS version in one of the statuses asked for.
struct AwaitingPublication {
  std::string feed;
  std::int64_t articles = 0;
  std::int64_t oldest_updated_at = 0;  // unix ms: the earliest updated_at among them

  bool operator==(const AwaitingPublication&) const = default;
};

// How many articles of a feed have one CMS status (Store::cms_status_counts).
struct CmsStatusCount {
  std::string feed;
  std::string cms_status;
  std::int64_t articles = 0;

  bool operator==(const CmsStatusCount&) const = default;
};

// Outbox operations. upsert, delete and undelete are the "content" family: at most one of them is
// pending per article, a newer one replaces an older one. canonical is its own family.
enum class OpKind { upsert, delete_, undelete, canonical };
inline constexpr std::size_t kOpKindCount = 4;

enum class OpState { pending, inflight, dead };

// One durable unit of work for the outbox relay.
struct OutboxOp {
  std::int64_t id = 0;  // assigned by the store; claim order among equally due ops
  std::string feed;
  std::string guid;
  OpKind op = OpKind::upsert;
  std::string payload;       // JSON, as the relay will send it (or what it needs to build it)
  std::string payload_hash;  // hash of payload, for "nothing changed" checks and logs
  std::int64_t attempts = 0;  // incremented when claimed; reset when replaced or requeued
  std::int64_t next_attempt_at = 0;
  std::optional<std::string> last_error;  // of the last failed attempt (kept across requeue)
  OpState state = OpState::pending;
  std::int64_t created_at = 0;  // when the article first got this op: lag is measured from here
  std::int64_t updated_at = 0;  // when last enqueued, replaced, claimed or requeued

  bool operator==(const OutboxOp&) const = default;
};

// What enqueue did with an operation.
enum class EnqueueOutcome {
  inserted,          // a new row (nothing to coalesce with, or the article's op is in flight)
  replaced_pending,  // took over the article's pending op of the same family, keeping its place
  replaced_dead,     // revived the article's dead op of the same family: the article changed
};
struct EnqueueResult {
  std::int64_t id = 0;  // the row that now holds the operation
  EnqueueOutcome outcome = EnqueueOutcome::inserted;
};

struct OpCounts {
  std::int64_t pending = 0;
  std::int64_t inflight = 0;
  std::int64_t dead = 0;

  bool operator==(const OpCounts&) const = default;
};

struct OutboxStats {
  std::array<OpCounts, kOpKindCount> by_op{};  // indexed by OpKind
  OpCounts total;
  std::optional<std::int64_t> oldest_pending_created_at;  // absent when nothing is pending

  const OpCounts& of(OpKind kind) const { return by_op[static_cast<std::size_t>(kind)]; }
};

// What the journal records (Store::append_journal).
enum class JournalAction {
  delete_planned,     // the poll cycle queued a deletion (or, with delete: keep, recorded one)
  deletes_held,       // the mass-delete guard held the cycle's deletions
  created,            // the relay created the article's CMS item
  updated,            // ... wrote a new version of it
  undeleted,          // ... restored it and wrote a new version
  deleted,            // ... deleted it (soft)
  purged,             // ... deleted it permanently
  canonical_posted,   // CMP was told the article's canonical URL
  canonical_skipped,  // no canonical URL posted for a published article (the detail says why)
  dead_lettered,      // an op failed for good
  cms_edit_kept,         // a CMP change not written over an editor's version (cms.on_cms_edit: keep)
  cms_edit_overwritten,  // feedsync wrote over an editor's version the audit had kept
};

// One line of the bounded audit trail.
struct JournalEntry {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::string feed;    // empty for actions that concern no feed
  std::string guid;    // empty for actions that concern no article
  // to_string(JournalAction): "created", "updated", "deleted", "dead-lettered", ... (a database
  // written by an older version may hold other words)
  std::string action;
  std::string detail;  // free text: CMS key, version, error

  bool operator==(const JournalEntry&) const = default;
};

// The spellings used in the database, the CLI and logs ("delete", not "delete_").
std::string_view to_string(OpKind kind);
std::string_view to_string(OpState state);
std::string_view to_string(ArticleStatus status);
// "delete-planned", "deletes-held", "created", "updated", "undeleted", "deleted", "purged",
// "canonical-posted", "canonical-skipped", "dead-lettered", "cms-edit-kept", "cms-edit-overwritten".
std::string_view to_string(JournalAction action);
std::optional<OpKind> parse_op_kind(std::string_view text);
std::optional<OpState> parse_op_state(std::string_view text);
std::optional<ArticleStatus> parse_article_status(std::string_view text);

}  // namespace feedsync::store
