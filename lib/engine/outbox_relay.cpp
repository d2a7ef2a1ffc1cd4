#include "engine/outbox_relay.hpp"

#include <algorithm>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include "cms/canonical_client.hpp"
#include "cms/canonical_url.hpp"
#include "cms/cms_sink.hpp"
#include "cms/token_source.hpp"
#include "core/backoff.hpp"
#include "log/log.hpp"
#include "net/retry_after.hpp"
#include "net/signal.hpp"
#include "store/store.hpp"

namespace feedsync::engine {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// How long the dispatcher sleeps at most between looks at the store: a bound on how late it
// notices a clock jump or a `retry` from the CLI (which cannot wake() it).
constexpr milliseconds kMaxIdleSleep{1000};

std::string version_detail(const cms::WriteOutcome& outcome) {
  std::string detail = "cms_key " + outcome.key;
  if (!outcome.version.empty()) detail += " version " + outcome.version;
  detail += " status " + std::string(cms::to_string(outcome.status));
  return detail;
}

}  // namespace

RelayStats& RelayStats::operator+=(const RelayStats& other) {
  // A field added to RelayStats must be added here too (or SyncEngine::progress() loses it).
  static_assert(sizeof(RelayStats) == 8 * sizeof(std::uint64_t), "RelayStats changed: update operator+=");
  created += other.created;
  updated += other.updated;
  undeleted += other.undeleted;
  deleted += other.deleted;
  canonical_posted += other.canonical_posted;
  retried += other.retried;
  dead_lettered += other.dead_lettered;
  store_errors += other.store_errors;
  return *this;
}

struct OutboxRelay::Batch {
  Batch(const asio::any_io_executor& executor, std::unique_ptr<net::Timer> timer)
      : done(executor), flush_timer(std::move(timer)) {}
  std::vector<std::pair<std::int64_t, std::function<void()>>> writes;  // op id, its outcome
  net::Signal done;  // notified when committed: wakes every waiter
  std::unique_ptr<net::Timer> flush_timer;  // commits the batch after kFlushDelay
  bool flushed = false;
};

OutboxRelay::OutboxRelay(asio::any_io_executor executor, store::Store& store, cms::CmsSink& sink,
                         cms::CanonicalClient& canonical, const cms::TokenSource* tokens,
                         net::TimeSystem& time, RelayOptions options)
    : executor_(executor),
      store_(store),
      sink_(sink),
      canonical_(canonical),
      tokens_(tokens),
      clock_(time),
      options_(std::move(options)),
      random_(options_.seed),
      wake_timer_(time.make_timer(executor)),
      idle_timer_(time.make_timer(executor)) {
  options_.max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
}

OutboxRelay::~OutboxRelay() = default;

void OutboxRelay::set_canonical(bool enabled, std::string url_template) {
  options_.canonical_enabled = enabled;
  options_.url_template = std::move(url_template);
}

config::RouteSegmentMode OutboxRelay::route_segment_mode(std::string_view feed) const {
  return options_.route_segment_follows.contains(feed) ? config::RouteSegmentMode::follow
                                                       : config::RouteSegmentMode::keep;
}

void OutboxRelay::set_max_in_flight(std::size_t max_in_flight) {
  options_.max_in_flight = std::max<std::size_t>(max_in_flight, 1);
  wake();
}

void OutboxRelay::wake() { wake_timer_->cancel(); }

void OutboxRelay::outcome(store::OpKind op, RelayResult result, std::string_view error) const {
  if (options_.on_outcome) options_.on_outcome(op, result, error);
}

void OutboxRelay::stop() {
  stopping_ = true;
  wake();
}

void OutboxRelay::notify_changed() {
  wake_timer_->cancel();
  idle_timer_->cancel();
}

std::int64_t OutboxRelay::now_ms() const {
  return std::chrono::duration_cast<milliseconds>(clock_.system_now().time_since_epoch()).count();
}

std::optional<SteadyTime> OutboxRelay::writes_blocked_until() const {
  if (tokens_ == nullptr) return std::nullopt;
  const auto status = tokens_->status();
  if (status.state != cms::TokenSource::State::auth_failed) return std::nullopt;
  if (!status.next_attempt_at || *status.next_attempt_at <= clock_.steady_now()) return std::nullopt;
  return status.next_attempt_at;
}

milliseconds OutboxRelay::backoff(std::int64_t attempts) {
  // Full jitter (DESIGN.md §4): uniform in [base/2, min(cap, base * 2^(attempts-1))], so
  // failing ops spread out instead of retrying in lockstep, and never spin at zero delay.
  const Backoff schedule{options_.base_backoff, options_.max_backoff};
  return schedule.full_jitter(attempts, options_.base_backoff / 2, random_);
}

milliseconds OutboxRelay::retry_delay(std::int64_t attempts, const cms::CmsError& error) {
  // Never sooner than the server asked (a 429 or 503 with Retry-After), never later than
  // engine.max_retry_backoff: a day-long Retry-After must not park the op for a day unseen.
  auto delay = backoff(attempts);
  if (!error.retry_after.empty()) {
    if (auto server = net::parse_retry_after(error.retry_after, clock_.system_now(), options_.max_backoff)) {
      delay = std::max(delay, std::min(*server, options_.max_backoff));
    }
  }
  return delay;
}

std::size_t OutboxRelay::claim_limit(std::size_t busy) const {
  if (stopping_ || busy >= options_.max_in_flight || writes_blocked_until()) return 0;
  // While the credentials are in doubt (auth_failed, retry due), one op probes them.
  const bool probing = tokens_ != nullptr && tokens_->status().state == cms::TokenSource::State::auth_failed;
  if (probing) return busy == 0 ? 1 : 0;
  return options_.max_in_flight - busy;
}

asio::awaitable<RelayExit> OutboxRelay::run(RunOptions run) {
  stopping_ = false;
  milliseconds store_retry{0};  // > 0 while the store fails
  for (;;) {
    if (stopping_) co_return RelayExit::stopped;
    if (run.deadline && clock_.steady_now() >= *run.deadline) co_return RelayExit::deadline;

    Look next;
    try {
      next = look(run);
      if (store_retry.count() > 0) log::info("outbox relay: the state store answers again");
      store_retry = milliseconds(0);
    } catch (const store::StoreError& e) {
      // Disk full, read-only file system, a lock held past busy_timeout: the queue cannot be
      // read now. Nothing is lost (the ops stay in the store); look again after a backoff
      // rather than end the relay, which nothing would restart (issue 15).
      store_retry = std::clamp(store_retry * 2, kStoreRetryMin, kStoreRetryMax);
      ++stats_.store_errors;
      log::error("outbox relay cannot read its queue from the state store; trying again",
                 {{"error", e.what()}, {"retry_in_ms", std::to_string(store_retry.count())}});
      next.sleep = store_retry;
    }
    if (next.exit) co_return *next.exit;
    if (next.claimed) continue;  // there may be more due
    // Never a zero wait: the loop must yield, or the calls it waits for could never finish.
    co_await wake_timer_->wait_for(std::max(next.sleep, milliseconds(1)));
  }
}

void OutboxRelay::requeue_unrecorded() {
  if (unrecorded_.empty()) return;
  auto tx = store_.transaction();
  for (const auto id : unrecorded_) {
    try {
      store_.retry_later(id, now_ms(), "its outcome could not be recorded in the state database; done again");
    } catch (const store::StoreError& e) {
      // Only this op's call is undone (a savepoint); e.g. a `retry` moved it meanwhile.
      log::debug("outbox op not requeued", {{"op", std::to_string(id)}, {"error", e.what()}});
    }
  }
  tx.commit();  // throws while the store still fails: kept for the next look
  log::info("outbox ops whose outcome was lost are queued again", {{"count", std::to_string(unrecorded_.size())}});
  unrecorded_.clear();
}

OutboxRelay::Look OutboxRelay::look(const RunOptions& run) {
  requeue_unrecorded();
  Look next;
  const auto blocked = writes_blocked_until();
  if (blocked && run.until_empty && active_ == 0) {
    next.exit = RelayExit::auth_failed;
    return next;
  }
  if (const std::size_t limit = claim_limit(active_); limit > 0) {
    auto ops = store_.claim_due(now_ms(), limit);
    next.claimed = !ops.empty();
    for (auto& op : ops) spawn(std::move(op));
  }
  if (next.claimed) return next;

  if (run.until_empty && active_ == 0) {
    const auto stats = store_.outbox_stats();
    if (stats.total.pending == 0 && stats.total.inflight == 0) {
      next.exit = RelayExit::drained;
      return next;
    }
  }
  // Sleep until an op completes, wake() is called, the next op is due, or the token source
  // allows another attempt.
  // (The next due op only matters when one could be claimed now: otherwise, e.g. with every
  // slot busy or one op probing rejected credentials, a completion wakes us.)
  milliseconds sleep = kMaxIdleSleep;
  if (blocked) {
    sleep = std::min(sleep, std::chrono::ceil<milliseconds>(*blocked - clock_.steady_now()));
  } else if (claim_limit(active_) > 0) {
    if (auto due = store_.next_due()) sleep = std::min(sleep, milliseconds(*due - now_ms()));
  }
  if (run.deadline) {
    sleep = std::min(sleep, std::chrono::ceil<milliseconds>(*run.deadline - clock_.steady_now()));
  }
  next.sleep = sleep;
  return next;
}

asio::awaitable<bool> OutboxRelay::wait_idle(milliseconds timeout) {
  const auto deadline = clock_.steady_now() + timeout;
  while (active_ > 0) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - clock_.steady_now());
    if (left.count() <= 0) co_return false;
    co_await idle_timer_->wait_for(left);
  }
  co_return true;
}

void OutboxRelay::spawn(store::OutboxOp op) {
  ++active_;
  asio::co_spawn(executor_, process(std::move(op)), [this](std::exception_ptr error) {
    --active_;
    notify_changed();
    // An exception here is a bug (expected failures are values); say so rather than lose it.
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::critical("outbox op failed unexpectedly; it stays in flight until the next start",
                      {{"error", e.what()}});
      }
    }
  });
}

asio::awaitable<void> OutboxRelay::process(store::OutboxOp op) {
  try {
    switch (op.op) {
      case store::OpKind::upsert:
      case store::OpKind::undelete:
        co_await process_content(std::move(op));
        break;
      case store::OpKind::delete_:
        co_await process_delete(std::move(op));
        break;
      case store::OpKind::canonical:
        co_await process_canonical(std::move(op));
        break;
    }
  } catch (const store::StoreError& e) {
    // The store failed while reading or recording: the op is done again once the store commits
    // (requeue_unrecorded); the CMS side is idempotent (deterministic keys), so nothing is lost.
    log::error("cannot record an outbox outcome in the state store; the op is done again once it can",
               {{"feed", op.feed}, {"guid", op.guid}, {"op", std::string(store::to_string(op.op))},
                {"error", e.what()}});
    unrecorded_.push_back(op.id);
  }
}

asio::awaitable<void> OutboxRelay::process_content(store::OutboxOp op) {
  auto payload = decode_upsert(op.payload);
  if (!payload) {
    auto write = dead_letter_record(op, payload.error());
    co_await record(op.id, std::move(write));
    co_return;
  }
  const cms::ArticleRef ref{op.feed, op.guid, payload->document.key};
  const auto before = store_.article(op.feed, op.guid);
  if (before && before->cms_edit_kept && !options_.overwrite_cms_edits) {
    auto write = [this, op, kept = *before->cms_edit_kept] { record_edit_kept(op, kept); };
    co_await record(op.id, std::move(write));
    outcome(op.op, RelayResult::success);
    co_return;
  }
  bool known = before && before->cms_version.has_value();
  bool prune = false;
  const bool undelete = op.op == store::OpKind::undelete;
  if (undelete) {
    auto restored = co_await sink_.undelete(ref);
    // 404: the item is gone for good (permanently deleted): the article is created afresh.
    const bool gone =
        !restored && restored.error().kind == cms::CmsErrorKind::permanent && restored.error().status == 404;
    if (!restored && !gone) {
      auto write = failure_record(op, restored.error());
      co_await record(op.id, std::move(write));
      co_return;
    }
    if (gone) known = false;
    // A restored item brings back every locale it had when it was deleted: the translations
    // still deleted in CMP go again once this one is written (the item may hold only theirs).
    prune = !gone && restored->status == cms::WriteStatus::restored && before && before->locale;
  }
  choose_route_segment(payload->document, before ? before->route_segment : std::nullopt, known,
                       route_segment_mode(op.feed));
  auto link = canonical_vars(payload->document.locale, payload->document.key, op.guid, payload->meta_url);
  // GCC 12: no temporaries inside a co_await full-expression (DESIGN.md §3).
  cms::UpsertRequest request{ref, std::move(payload->document), known};
  auto written = co_await sink_.upsert(std::move(request));
  if (!written) {
    auto write = failure_record(op, written.error());
    co_await record(op.id, std::move(write));
    co_return;
  }
  auto finished = co_await after_write(op, payload->retire, link, prune);
  if (finished) {
    auto write = failure_record(op, *finished);
    co_await record(op.id, std::move(write));
    co_return;
  }
  const store::JournalAction action = upsert_action(undelete, written->created);
  auto write = [this, op, outcome = *written, link, action] { record_upsert(op, outcome, link, action); };
  co_await record(op.id, std::move(write));
  outcome(op.op, RelayResult::success);
  count_written(action);
  log::debug("article " + std::string(store::to_string(action)),
             {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", link.key}, {"version", written->version},
              {"status", std::string(cms::to_string(written->status))}});
}

// translations: group: what follows a written translation. A crash before the op is recorded
// replays the write (one more version) and these deletes (404: done).
asio::awaitable<std::optional<cms::CmsError>> OutboxRelay::after_write(store::OutboxOp op,
                                                                       std::optional<DeletePayload> retire,
                                                                       cms::CanonicalVars link, bool prune) {
  if (prune) {
    auto pruned = co_await prune_deleted_translations(op, link.key, link.locale);
    if (pruned) co_return pruned;
  }
  if (!retire) co_return std::nullopt;
  // The article now lives in its new item; the one it left goes (only its locale there while
  // another translation still lives in it, as for a deleted translation).
  const cms::ArticleRef old{op.feed, op.guid, retire->key};
  cms::CmsResult retired;
  if (retire->translation_locale && store_.active_translation(op.feed, retire->key, op.guid)) {
    retired = co_await sink_.remove_locale(old, *retire->translation_locale);
  } else {
    retired = co_await sink_.remove(old, retire->permanent);
  }
  if (!retired) co_return std::move(retired.error());
  log::info("article moved between items (translations switched); the item it left deleted",
            {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", link.key}, {"old_cms_key", old.key}});
  co_return std::nullopt;
}

// translations: group: deletes from item `key` the locales of its translations that are deleted
// in the store (not `locale`, the one being restored). A 404 (the locale is not there) is done.
asio::awaitable<std::optional<cms::CmsError>> OutboxRelay::prune_deleted_translations(store::OutboxOp op,
                                                                                     std::string key,
                                                                                     std::string locale) {
  const auto rows = store_.item_articles(op.feed, key);
  for (const auto& row : rows) {
    if (row.guid == op.guid || row.status != store::ArticleStatus::deleted || !row.locale || *row.locale == locale)
      continue;
    if (store_.active_translation(op.feed, key, op.guid, std::string_view(*row.locale))) continue;
    const cms::ArticleRef ref{op.feed, row.guid, key};
    auto removed = co_await sink_.remove_locale(ref, *row.locale);
    if (!removed) co_return std::move(removed.error());
    log::info("restored item: the locale of a translation still deleted in CMP deleted again",
              {{"feed", op.feed}, {"guid", row.guid}, {"cms_key", key}, {"locale", *row.locale}});
  }
  co_return std::nullopt;
}

// A CMP change held back because an editor's version is kept (cms.on_cms_edit: keep, issue 22).
void OutboxRelay::record_edit_kept(const store::OutboxOp& op, const std::string& editor_version) {
  log::warn("CMP change not written: an editor's version is live and kept (cms.on_cms_edit: keep); "
            "feedsyncd resync FEED GUID writes it over",
            {{"feed", op.feed}, {"guid", op.guid}, {"editor_version", editor_version}});
  store_.complete(op.id);
  store_.append_journal(now_ms(), op.feed, op.guid, store::JournalAction::cms_edit_kept,
                        "CMP change not written over the editor's version " + editor_version);
}

// Runs at the group commit. The row may have changed while the CMS call was out (a poll
// recorded a newer change): after_upsert works on the current one.
void OutboxRelay::record_upsert(const store::OutboxOp& op, const cms::WriteOutcome& outcome,
                                const cms::CanonicalVars& link, store::JournalAction action) {
  const std::int64_t now = now_ms();
  const CanonicalRule rule{options_.canonical_enabled, options_.url_template};
  auto after = after_upsert(store_.article(op.feed, op.guid), outcome, link, rule, now);
  if (after.row && after.row->cms_edit_kept) {
    log::warn("an editor's version kept by the audit was overwritten (cms.on_cms_edit: overwrite)",
              {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", link.key}, {"editor_version", *after.row->cms_edit_kept},
               {"version", outcome.version}});
    store_.append_journal(now, op.feed, op.guid, store::JournalAction::cms_edit_overwritten,
                          "editor's version " + *after.row->cms_edit_kept + " replaced by " + outcome.version);
    after.row->cms_edit_kept.reset();
  }
  if (after.row) store_.upsert_article(*after.row);
  if (after.row && after.row->publish_at && options_.on_scheduled) options_.on_scheduled(op.feed, op.guid);
  if (after.canonical_error) {
    log::error("canonical URL cannot be built; CMP is not told where the article lives",
               {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", link.key}, {"error", *after.canonical_error}});
    store_.append_journal(now, op.feed, op.guid, store::JournalAction::canonical_skipped, *after.canonical_error);
  }
  // CMP takes one published URL per article: an article in several feeds (issue 17) has its
  // link posted by the first of its items to go live, never by two. Checked in the commit that
  // would queue the post, so two items going live together cannot both pass.
  if (after.canonical) {
    if (auto holder = store_.canonical_holder(after.canonical->pixel_key, op.feed, op.guid)) {
      log::info("canonical link not posted: another feed's item of this article holds it",
                {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", link.key}, {"held_by", *holder}});
      store_.append_journal(now, op.feed, op.guid, store::JournalAction::canonical_skipped,
                            "the pixel key's link is held by " + *holder);
      after.canonical.reset();
    }
  }
  store_.complete(op.id);
  store_.append_journal(now, op.feed, op.guid, action, version_detail(outcome));
  if (!after.canonical) return;
  store_.enqueue(canonical_op(op.feed, op.guid, *after.canonical), now);
}

void OutboxRelay::count_written(store::JournalAction action) {
  switch (action) {
    case store::JournalAction::created: ++stats_.created; break;
    case store::JournalAction::updated: ++stats_.updated; break;
    case store::JournalAction::undeleted: ++stats_.undeleted; break;
    default: break;
  }
}

asio::awaitable<void> OutboxRelay::process_delete(store::OutboxOp op) {
  auto payload = decode_delete(op.payload);
  if (!payload) {
    auto write = dead_letter_record(op, payload.error());
    co_await record(op.id, std::move(write));
    co_return;
  }
  const cms::ArticleRef ref{op.feed, op.guid, payload->key};
  // A translation (issue 23) deletes only its locale while another translation of the item is
  // live in the store, read now rather than when the delete was queued: a translation that
  // arrived since keeps the item. A crash before the outcome is recorded replays this op, and a
  // replayed locale delete is a 404: done.
  std::optional<std::string> locale_only;
  if (payload->translation_locale && store_.active_translation(op.feed, payload->key, op.guid))
    locale_only = *payload->translation_locale;
  cms::CmsResult removed;
  if (locale_only) {
    removed = co_await sink_.remove_locale(ref, *locale_only);
  } else {
    removed = co_await sink_.remove(ref, payload->permanent);
  }
  if (!removed) {
    auto write = failure_record(op, removed.error());
    co_await record(op.id, std::move(write));
    co_return;
  }
  auto write = [this, op, outcome = *removed, permanent = payload->permanent, locale_only] {
    const std::int64_t now = now_ms();
    // Nothing of the article is live in the CMS any more: no status to show or to watch.
    if (auto current = store_.article(op.feed, op.guid); current && current->cms_status) {
      current->cms_status.reset();
      current->updated_at = now;
      store_.upsert_article(*current);
    }
    store_.complete(op.id);
    const auto action = permanent && !locale_only ? store::JournalAction::purged : store::JournalAction::deleted;
    const std::string detail = locale_only ? "locale " + *locale_only + " only; " + version_detail(outcome)
                                           : version_detail(outcome);
    store_.append_journal(now, op.feed, op.guid, action, detail);
  };
  co_await record(op.id, std::move(write));
  ++stats_.deleted;
  outcome(op.op, RelayResult::success);
  log::debug("article deleted", {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", payload->key},
                                 {"status", std::string(cms::to_string(removed->status))}});
}

asio::awaitable<void> OutboxRelay::process_canonical(store::OutboxOp op) {
  auto payload = decode_canonical(op.payload);
  if (!payload) {
    auto write = dead_letter_record(op, payload.error());
    co_await record(op.id, std::move(write));
    co_return;
  }
  const auto row = store_.article(op.feed, op.guid);
  const cms::ArticleRef ref{op.feed, op.guid, row ? row->cms_key : ""};
  cms::CanonicalPost post{ref, payload->url, payload->pixel_key};
  auto posted = co_await canonical_.post(std::move(post));
  if (!posted) {
    auto write = failure_record(op, posted.error());
    co_await record(op.id, std::move(write));
    co_return;
  }
  auto write = [this, op, url = payload->url] {
    const std::int64_t now = now_ms();
    if (auto current = store_.article(op.feed, op.guid)) {
      current->canonical_url = url;
      current->updated_at = now;
      store_.upsert_article(*current);
    }
    store_.complete(op.id);
    store_.append_journal(now, op.feed, op.guid, store::JournalAction::canonical_posted, url);
  };
  co_await record(op.id, std::move(write));
  ++stats_.canonical_posted;
  outcome(op.op, RelayResult::success);
  log::debug("canonical link posted", {{"feed", op.feed}, {"guid", op.guid}, {"cms_key", ref.key},
                                       {"url", payload->url}});
}

std::function<void()> OutboxRelay::failure_record(const store::OutboxOp& op, const cms::CmsError& error) {
  const std::string op_name(store::to_string(op.op));
  switch (error.kind) {
    case cms::CmsErrorKind::cancelled:
      return {};  // shutdown: the op stays in flight and the next start requeues it
    case cms::CmsErrorKind::auth: {
      // Not the article's fault: keep its turn; the gate in run() holds every write back.
      // Rejected credentials close the gate in run(), so the op keeps its turn (due now). A
      // 401 despite a fresh token leaves the gate open: back off like any retryable failure,
      // or the op would be retried in a tight loop.
      const bool gated = tokens_ != nullptr && tokens_->status().state == cms::TokenSource::State::auth_failed;
      const auto delay = gated ? milliseconds(0) : backoff(op.attempts);
      outcome(op.op, RelayResult::auth, error.message);
      log::error("CMS write refused for want of a usable token; writes pause until it recovers",
                 {{"feed", op.feed}, {"guid", op.guid}, {"op", op_name}, {"error", error.message}});
      return [this, id = op.id, delay, message = error.message] {
        store_.retry_later(id, now_ms() + delay.count(), message);
      };
    }
    case cms::CmsErrorKind::permanent:
      if (!error.transport) return dead_letter_record(op, error.message);
      [[fallthrough]];  // no HTTP answer at all: the origin's trouble, retried like a 5xx
    case cms::CmsErrorKind::retryable: {
      const auto delay = retry_delay(op.attempts, error);
      ++stats_.retried;
      outcome(op.op, RelayResult::retry, error.message);
      log::warn("CMS call failed; retrying later",
                {{"feed", op.feed}, {"guid", op.guid}, {"op", op_name},
                 {"attempt", std::to_string(op.attempts)}, {"retry_in_ms", std::to_string(delay.count())},
                 {"error", error.message}});
      return [this, id = op.id, delay, message = error.message] {
        store_.retry_later(id, now_ms() + delay.count(), message);
      };
    }
  }
  return {};
}

std::function<void()> OutboxRelay::dead_letter_record(const store::OutboxOp& op, std::string message) {
  ++stats_.dead_lettered;
  outcome(op.op, RelayResult::dead_letter, message);
  log::error("CMS operation dead-lettered; fix the cause, then feedsyncd retry",
             {{"feed", op.feed}, {"guid", op.guid}, {"op", std::string(store::to_string(op.op))},
              {"error", message}});
  return [this, op, message = std::move(message)] {
    store_.dead_letter(op.id, message);
    store_.append_journal(now_ms(), op.feed, op.guid, store::JournalAction::dead_lettered,
                          std::string(store::to_string(op.op)) + ": " + message);
  };
}

// Group commit: outcomes are written in one transaction per batch (one fsync instead of one
// per op, which bounds the import rate otherwise). A CMS write whose record is lost to a crash
// before the commit is repeated after the restart: deterministic keys make that a new version
// at worst, never a duplicate (DESIGN.md §4).
asio::awaitable<void> OutboxRelay::record(std::int64_t op_id, std::function<void()> write) {
  if (!write) co_return;
  if (!batch_) {
    batch_ = std::make_shared<Batch>(executor_, clock_.make_timer(executor_));
    // An exception out of flush() ends io_context::run(), as from any handler.
    asio::co_spawn(executor_, flush_when_due(batch_, clock_.steady_now() + kFlushDelay),
                   [](std::exception_ptr error) { if (error) std::rethrow_exception(error); });
  }
  auto batch = batch_;
  batch->writes.emplace_back(op_id, std::move(write));
  // Everyone in flight is waiting for this commit (nothing else can join it), or it is big:
  // commit now rather than at the timer.
  if (batch->writes.size() >= std::min(active_, kMaxBatch)) flush();
  if (!batch->flushed) co_await batch->done.wait();
}

asio::awaitable<void> OutboxRelay::flush_when_due(std::shared_ptr<Batch> batch, SteadyTime due) {
  if (!batch->flushed) co_await batch->flush_timer->wait_until(due);
  if (!batch->flushed) flush();  // still batch_: only flush() ends a batch
}

void OutboxRelay::flush() {
  auto batch = std::move(batch_);
  batch_.reset();
  if (!batch) return;
  batch->flush_timer->cancel();
  std::vector<store::OutboxOp> next;
  try {
    auto tx = store_.transaction();
    for (auto& [id, write] : batch->writes) write();
    // The next ops are claimed in the same transaction: one commit (one fsync) per round of
    // CMS calls instead of two. The ops of this batch are done with the CMS already.
    const std::size_t busy = active_ > batch->writes.size() ? active_ - batch->writes.size() : 0;
    if (const std::size_t limit = claim_limit(busy); limit > 0) next = store_.claim_due(now_ms(), limit);
    tx.commit();
  } catch (const store::StoreError& e) {
    // The claims were rolled back with the batch: those ops are still pending in the store and
    // must not be started (issue 15). They are claimed again once the store commits.
    next.clear();
    // One bad write must not take the batch with it: each again in its own transaction. What
    // still fails stays in flight and is requeued at the next start (nothing is lost).
    log::warn("group commit failed; recording the outcomes one by one", {{"error", e.what()}});
    for (auto& [id, write] : batch->writes) {
      try {
        auto tx = store_.transaction();
        write();
        tx.commit();
      } catch (const store::StoreError& one) {
        log::error("cannot record an outbox outcome in the state store; the op is done again once it can",
                   {{"op", std::to_string(id)}, {"error", one.what()}});
        unrecorded_.push_back(id);
      }
    }
  }
  batch->flushed = true;
  batch->done.notify_all();
  for (auto& op : next) spawn(std::move(op));
}

}  // namespace feedsync::engine
