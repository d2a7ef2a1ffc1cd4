#pragma once
// The state store (DESIGN.md §5): feeds, articles, the outbox and the journal in one SQLite
// database. Every call is atomic on its own; group calls with transaction() to make them atomic
// together (the poll cycle records articles, outbox ops and the new watermark in one).
//
// No clock in here: every call that needs "now" takes it as unix milliseconds UTC, so the engine
// passes its Clock's time and tests pass fake time. All failures are StoreError (see error.hpp).
// A Store is used from one thread at a time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/error.hpp"
#include "store/rows.hpp"

namespace feedsync::store {

enum class Access {
  // The daemon (`run`, `once`): takes <path>.lock so no other daemon shares the database, and
  // returns ops left in flight by a crash to the queue.
  exclusive,
  // CLI commands next to a running daemon (`status`, `backup`, `pause`, `retry`): no lock file;
  // SQLite's WAL mode lets them read, and write briefly, while the daemon runs.
  shared,
};

// The longest a statement of the daemon's event loop waits for another process's lock. SQLite
// waits by sleeping in the calling thread, and that thread serves /livez, /readyz, webhooks and
// every poll: with state.busy_timeout (5 s) a held lock froze them all for 5 s per statement,
// 30 s and more in a row. A write that fails sooner is retried by its owner's backoff (the relay,
// the feed's retry), so a longer lock delays work but loses nothing, and /readyz says so.
inline constexpr std::chrono::milliseconds kEventLoopBusyWait{200};

struct OpenOptions {
  Access access = Access::exclusive;
  std::chrono::milliseconds busy_timeout{5000};
  // The journal keeps about this many newest entries (trimmed every 100 appends).
  std::int64_t journal_limit = 10'000;
  // A missing database file is created (mode 0600). Off for commands that only make sense on
  // existing state, e.g. `backup`, so a typo in state.path is an error, not an empty database.
  bool create_if_missing = true;
  // Stamps the write health (/readyz); the system clock when null. Must outlive the Store.
  const Clock* clock = nullptr;
};

class Store {
 public:
  // Opens (creating if allowed) the database at `path` and brings its schema up to date.
  // Throws LockedError if exclusive and another holder has the lock, CorruptError if the file is
  // not a sound SQLite database, StoreError for a missing directory, a database written by a
  // newer feedsync, or any other failure.
  static Store open(const std::filesystem::path& path, const OpenOptions& options = {});

  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& path() const;
  int schema_version() const;
  // How many in-flight ops the exclusive open returned to the queue (left by a crash).
  std::size_t recovered_inflight() const;
  // Something the exclusive open found that the operator should know, with what to do: the
  // write-ahead log deleted after an unclean stop (its changes are lost and redone from the feeds).
  const std::optional<std::string>& open_warning() const;

  // Whether the database currently takes writes (database.hpp); for /readyz. Free: no query.
  const WriteHealth& write_health() const;

  // How long each statement waits for another process's lock from now on (open() used
  // OpenOptions::busy_timeout). The daemon shortens it once open: see kEventLoopBusyWait.
  void set_busy_timeout(std::chrono::milliseconds timeout);

  // BEGIN IMMEDIATE now; rolled back when it goes out of scope without commit(). Must not
  // outlive the Store; does not nest.
  Transaction transaction();

  // --- feeds ---
  // Inserts the feed, or points an existing one at `feed_id` keeping all its state.
  void ensure_feed(std::string_view name, std::string_view feed_id);
  std::optional<FeedRow> feed(std::string_view name) const;
  std::vector<FeedRow> feeds() const;  // ordered by name
  std::vector<std::string> paused_feeds() const;  // names, ordered; one query for the scheduler
  // The calls below throw StoreError naming the feed if it is not in the store.
  // The outcome of a poll that started at `now` (which also becomes last_attempt_at, so an
  // unchanged poll costs one commit). Success: failures reset, error and misconfiguration
  // cleared; the watermark moves only when given; `full_scan` records a complete reconciliation
  // scan at `now`.
  void record_poll_success(std::string_view name, std::int64_t now, std::optional<std::int64_t> watermark,
                           bool full_scan);
  void record_poll_failure(std::string_view name, std::int64_t now, std::string_view error);
  // The Deleted Feed's own outcome (issue 17): a read moves its watermark when given and clears
  // its error; a failure is counted and kept, and leaves the live feed's bookkeeping alone.
  // The watermark belongs to `deleted_feed_id`: a read of another id replaces it.
  void record_deleted_feed_read(std::string_view name, std::string_view deleted_feed_id, std::int64_t now,
                                std::optional<std::int64_t> watermark);
  void record_deleted_feed_failure(std::string_view name, std::int64_t now, std::string_view error);
  void set_paused(std::string_view name, bool paused);
  void hold_deletes(std::string_view name, std::int64_t count, std::string_view reason);
  void release_held_deletes(std::string_view name);
  // `approve-deletes`: the next cycle carries out deletions the guard would hold; the cycle
  // clears the approval when it completes, so one approval releases one batch.
  void set_deletes_approved(std::string_view name, bool approved);
  void set_misconfigured(std::string_view name, std::optional<std::string_view> reason);

  // --- articles (unknown feed: StoreError) ---
  void upsert_article(const ArticleRow& row);  // insert, or replace every column of (feed, guid)
  std::optional<ArticleRow> article(std::string_view feed, std::string_view guid) const;
  std::vector<ArticleRow> articles(std::string_view feed) const;  // ordered by guid
  // An article in several feeds (issue 17). The feed other than `feed` whose article `guid` is
  // active (the first by name), if any.
  std::optional<std::string> active_elsewhere(std::string_view feed, std::string_view guid) const;
  // translations: group (issue 23): every article of `feed` written to CMS item `cms_key` (its
  // translations), ordered by guid.
  std::vector<ArticleRow> item_articles(std::string_view feed, std::string_view cms_key) const;
  // translations: group (issue 23): an active article of `feed` other than `except_guid` whose
  // CMS item is `cms_key` (in `locale`, when given): the first by guid, if any.
  std::optional<std::string> active_translation(std::string_view feed, std::string_view cms_key,
                                                std::string_view except_guid,
                                                std::optional<std::string_view> locale = std::nullopt) const;
  // Who holds the canonical link of `pixel_key`, if anyone but (feed, guid): an article with that
  // pixel key whose link was posted, or has a canonical operation in the outbox (pending, in
  // flight or dead). Returned as "feed/guid".
  std::optional<std::string> canonical_holder(std::string_view pixel_key, std::string_view feed,
                                              std::string_view guid) const;
  ArticleCounts article_counts(std::string_view feed) const;
  // Live articles of the feed whose editor's version `audit --repair` left live (cms_edit_kept).
  std::int64_t cms_edits_kept(std::string_view feed) const;
  // How many articles have each of `statuses` as their cms_status (CMS words: "inReview"), per
  // feed (`feed` only, when given; StoreError if unknown). By status as given, then feed; a
  // status no article has is left out. Reads only the rows with those statuses.
  std::vector<CmsStatusCount> cms_status_counts(const std::vector<std::string_view>& statuses,
                                                std::optional<std::string_view> feed = std::nullopt) const;
  // Per feed (by name; feeds with none left out): the active articles with a pixel key whose
  // cms_status is one of `statuses`, and the oldest updated_at among them.
  std::vector<AwaitingPublication> awaiting_publication(const std::vector<std::string_view>& statuses) const;
  // The articles whose cms_status is one of `statuses`, oldest change (updated_at) first, at most
  // `limit`. Reads only those rows (articles_cms_status), e.g. the ones waiting to be published.
  std::vector<ArticleRow> articles_with_cms_status(const std::vector<std::string_view>& statuses,
                                                   std::size_t limit) const;
  // `resync`: the active articles of the feed (or the one guid) look changed to the next poll,
  // which is made a full scan, so they are fetched, mapped and pushed again even if their
  // payload is the same, also over an editor's version kept by `audit --repair` (cms_edit_kept
  // is cleared). Returns how many articles were marked (0: unknown guid).
  std::size_t request_resync(std::string_view feed, std::optional<std::string_view> guid, std::int64_t now);

  // --- outbox ---
  // Queues op.op for (op.feed, op.guid) with op.payload / op.payload_hash, due at `now` (other
  // fields of `op` are ignored). Coalescing, per article and family (content = upsert, delete,
  // undelete; canonical alone):
  //  - a pending op of the family is replaced in place: it keeps its id and created_at (its
  //    place in line), takes the new op and payload, attempts 0, last_error cleared, and is due
  //    at min(its due time, now): already due keeps its turn, waiting out a backoff is due now;
  //  - otherwise a dead op of the family is revived the same way: the article changed, so the
  //    change is tried again (DESIGN.md §4);
  //  - otherwise (nothing queued, or only an in-flight op) a new pending row is inserted; it
  //    runs after the in-flight one finishes.
  // An upsert replacing an undelete stays an undelete (which the relay follows with the upsert):
  // the CMS item may still be soft-deleted.
  EnqueueResult enqueue(const OutboxOp& op, std::int64_t now);
  // Due pending ops (next_attempt_at <= now) in (next_attempt_at, id) order, at most `limit`,
  // at most one per article, none for an article that has an op in flight. They become inflight
  // with attempts + 1.
  std::vector<OutboxOp> claim_due(std::int64_t now, std::size_t limit);
  // The outcomes of a claimed (inflight) op; StoreError if the op is not in flight.
  void complete(std::int64_t op_id);  // done: the row goes
  // Back to pending, due at next_attempt_at. If a newer op of the same family was queued for the
  // article meanwhile, this one is superseded and dropped instead (same for dead_letter).
  void retry_later(std::int64_t op_id, std::int64_t next_attempt_at, std::string_view error);
  void dead_letter(std::int64_t op_id, std::string_view error);
  // Dead ops (of one feed, of one article) back to pending, due now, attempts 0. Returns how many.
  std::size_t requeue_dead(std::optional<std::string_view> feed, std::optional<std::string_view> guid,
                           std::int64_t now);
  OutboxStats outbox_stats(std::optional<std::string_view> feed = std::nullopt) const;
  std::vector<OutboxOp> dead_letters(std::optional<std::string_view> feed = std::nullopt) const;  // by feed, id
  std::optional<OutboxOp> outbox_op(std::int64_t op_id) const;
  std::vector<OutboxOp> article_ops(std::string_view feed, std::string_view guid) const;  // by id
  // When the earliest pending op is due (the relay's next wake-up); absent when none is pending.
  std::optional<std::int64_t> next_due() const;

  // --- journal ---
  void append_journal(std::int64_t at, std::string_view feed, std::string_view guid, JournalAction action,
                      std::string_view detail);
  std::vector<JournalEntry> journal(std::size_t limit) const;  // newest first

  // --- maintenance ---
  // A consistent copy of the database at `target` (VACUUM INTO, mode 0600), safe while the
  // daemon writes. Never overwrites: an existing target is an error naming it.
  void backup(const std::filesystem::path& target);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace feedsync::store
