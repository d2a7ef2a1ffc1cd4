#pragma once
// The outbox relay (DESIGN.md §4): claims due operations from the store and carries them out
// through the CmsSink and the canonical-link client, at most `max_in_flight` at once, never two
// of one article at once (the store's claim_due guarantees that).
//
// Each outcome is recorded in one store transaction with the op's completion: the CMS version,
// its status and routeSegment on the article row (a deletion clears the status), the journal
// line, and for a publish the canonical op.
// Failures are classified once (cms::CmsErrorKind):
//   retryable (and "permanent" without any HTTP response: the origin, not the article)
//             -> back to pending after full-jitter exponential backoff
//   auth      -> back to pending, due at once; no op is claimed until the token source allows
//                its next attempt (TokenSource::status), so one probe per retry interval
//   permanent -> dead letter with the CMS's problem detail
//   cancelled -> left in flight: the next start returns it to the queue
//
// Single-threaded (DESIGN.md §3): run() on the daemon's io_context; wake() when ops were queued.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "engine/relay_rules.hpp"
#include "net/time_system.hpp"
#include "store/rows.hpp"

namespace feedsync::cms {
class CmsSink;
class CanonicalClient;
class TokenSource;
struct CmsError;
}  // namespace feedsync::cms
namespace feedsync::store { class Store; }

namespace feedsync::engine {

struct RelayOptions {
  std::size_t max_in_flight = 4;
  std::chrono::milliseconds base_backoff{1000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
  bool canonical_enabled = true;
  std::string url_template;  // canonical.url_template
  // The feeds with `route_segment: follow` (choose_route_segment); every other feed keeps.
  std::set<std::string, std::less<>> route_segment_follows;
  // cms.on_cms_edit: overwrite. Otherwise (keep) an article whose editor's version the audit
  // kept (ArticleRow::cms_edit_kept) gets no CMP change written over it: the op is completed,
  // logged as a warning and journaled (cms-edit-kept); `resync` of the article releases it.
  bool overwrite_cms_edits = false;
  std::uint32_t seed = std::random_device{}();  // backoff jitter; fixed in tests
  // A version written scheduled (its publish time is on the article's row), once its record is in
  // the commit: the pending canonical check takes the time into its schedule (issue 19).
  std::function<void(const std::string& feed, const std::string& guid)> on_scheduled;
  // Every finished attempt, for metrics.
  std::function<void(store::OpKind, RelayResult, std::string_view error)> on_outcome;  // error: "" on success
};

// What the relay did since it was made (for `once`, the demo and metrics).
struct RelayStats {
  std::uint64_t created = 0, updated = 0, undeleted = 0, deleted = 0, canonical_posted = 0;
  std::uint64_t retried = 0, dead_lettered = 0;
  std::uint64_t store_errors = 0;  // looks at the queue that the state store failed
  std::uint64_t done() const { return created + updated + undeleted + deleted + canonical_posted; }
  RelayStats& operator+=(const RelayStats& other);  // every field (the engine sums its relays)
};

// Why run() returned.
enum class RelayExit {
  stopped,       // stop() was called
  drained,       // until_empty: nothing pending or in flight any more
  auth_failed,   // until_empty: writes are blocked by rejected CMS credentials
  deadline,      // until_empty: the deadline passed with work left
};

class OutboxRelay {
 public:
  // `tokens` may be null (no auth gate). Everything passed must outlive the relay. `time` reads
  // the clocks and makes every timer the relay waits on (net/time_system.hpp).
  OutboxRelay(boost::asio::any_io_executor executor, store::Store& store, cms::CmsSink& sink,
              cms::CanonicalClient& canonical, const cms::TokenSource* tokens, net::TimeSystem& time,
              RelayOptions options);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  struct RunOptions {
    // Return once no op is pending or in flight (`once`), waiting out backoffs until `deadline`.
    bool until_empty = false;
    std::optional<SteadyTime> deadline;
  };
  // Dispatches until stop() (or, with until_empty, until drained). Ops still in flight when it
  // returns keep running; wait_idle() waits for them.
  boost::asio::awaitable<RelayExit> run(RunOptions options);

  void wake();  // ops were queued or became due: look again now
  void stop();  // stop claiming; ops in flight finish
  // Waits until no op is in flight, at most `timeout`; true if idle.
  boost::asio::awaitable<bool> wait_idle(std::chrono::milliseconds timeout);

  std::size_t in_flight() const { return active_; }
  const RelayStats& stats() const { return stats_; }
  // After a configuration reload.
  void set_canonical(bool enabled, std::string url_template);
  void set_max_in_flight(std::size_t max_in_flight);

 private:
  // One look at the queue (synchronous: claims and spawns what is due, then says how long to
  // wait); StoreError when the store fails.
  struct Look {
    std::optional<RelayExit> exit;
    bool claimed = false;
    std::chrono::milliseconds sleep{0};
  };
  Look look(const RunOptions& run);
  static constexpr std::chrono::milliseconds kStoreRetryMin{500};
  static constexpr std::chrono::milliseconds kStoreRetryMax{30'000};
  boost::asio::awaitable<void> process(store::OutboxOp op);
  boost::asio::awaitable<void> process_content(store::OutboxOp op);
  // translations: group: after a write, the locales of translations still deleted go again
  // (`prune`, after an undelete that restored the item) and the item the article moved from is
  // deleted (`retire`). The error that fails the op, if any.
  boost::asio::awaitable<std::optional<cms::CmsError>> after_write(store::OutboxOp op, std::optional<DeletePayload> retire,
                                                                   cms::CanonicalVars link, bool prune);
  // translations: group: after an undelete, the locales of translations still deleted go again.
  boost::asio::awaitable<std::optional<cms::CmsError>> prune_deleted_translations(store::OutboxOp op, std::string key,
                                                                                  std::string locale);
  // What process_content records once the CMS took the write (after_upsert, in the group commit).
  void record_upsert(const store::OutboxOp& op, const cms::WriteOutcome& outcome, const cms::CanonicalVars& link,
                     store::JournalAction action);
  // The op of an article whose editor's version is kept: completed, logged and journaled, not written.
  void record_edit_kept(const store::OutboxOp& op, const std::string& editor_version);
  void count_written(store::JournalAction action);
  boost::asio::awaitable<void> process_delete(store::OutboxOp op);
  boost::asio::awaitable<void> process_canonical(store::OutboxOp op);
  // What a failure writes to the store (logged and counted here); empty when nothing is written.
  std::function<void()> failure_record(const store::OutboxOp& op, const cms::CmsError& error);
  std::function<void()> dead_letter_record(const store::OutboxOp& op, std::string message);
  // Queues `write` (the outcome of op `op_id`) for the next group commit and waits until it is
  // committed; if it cannot be, the op is remembered in unrecorded_.
  boost::asio::awaitable<void> record(std::int64_t op_id, std::function<void()> write);
  // Ops whose outcome could not be written (the store failed): back to pending once the store
  // commits again, so the daemon converges without a restart (issue 15). Throws StoreError.
  void requeue_unrecorded();
  void flush();
  std::optional<SteadyTime> writes_blocked_until() const;
  // How many ops may be claimed with `busy` in flight (0 while stopping or blocked).
  std::size_t claim_limit(std::size_t busy) const;
  std::int64_t now_ms() const;
  config::RouteSegmentMode route_segment_mode(std::string_view feed) const;
  std::chrono::milliseconds backoff(std::int64_t attempts);
  // backoff(), raised to the failing response's Retry-After, capped by max_backoff.
  std::chrono::milliseconds retry_delay(std::int64_t attempts, const cms::CmsError& error);
  void spawn(store::OutboxOp op);
  void outcome(store::OpKind op, RelayResult result, std::string_view error = {}) const;
  void notify_changed();

  boost::asio::any_io_executor executor_;
  store::Store& store_;
  cms::CmsSink& sink_;
  cms::CanonicalClient& canonical_;
  const cms::TokenSource* tokens_;
  net::TimeSystem& clock_;  // reads the time and makes the timers
  RelayOptions options_;
  std::mt19937 random_;
  RelayStats stats_;
  std::size_t active_ = 0;
  std::vector<std::int64_t> unrecorded_;  // in flight in the store, their outcome lost
  bool stopping_ = false;
  std::unique_ptr<net::Timer> wake_timer_;  // run() sleeps on it; wake() cancels it
  std::unique_ptr<net::Timer> idle_timer_;  // wait_idle() sleeps on it; a finished op cancels it

  // Group commit (record()): writes gathered for at most kFlushDelay or kMaxBatch writes.
  static constexpr std::chrono::milliseconds kFlushDelay{5};
  static constexpr std::size_t kMaxBatch = 256;
  struct Batch;
  // Commits `batch` at `due` unless it was committed sooner.
  boost::asio::awaitable<void> flush_when_due(std::shared_ptr<Batch> batch, SteadyTime due);
  std::shared_ptr<Batch> batch_;  // the one being gathered; only flush() ends it
};

}  // namespace feedsync::engine
