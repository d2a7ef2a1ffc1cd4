#include "engine/sync_engine.hpp"

#include <algorithm>
#include <exception>

#include <boost/asio/co_spawn.hpp>

#include "core/poll_schedule.hpp"
#include "engine/clients.hpp"
#include "engine/feed_target.hpp"
#include "engine/pending_canonical_check.hpp"
#include "engine/periodic_audit.hpp"
#include "cms/sink_factory.hpp"
#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::engine {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using steady_time = SteadyTime;

// The scheduler looks at the store at least this often: `pause`/`resume` from the CLI and
// clock jumps are noticed within this bound even with long intervals.
constexpr milliseconds kMaxSchedulerSleep{1000};
// A relay that failed is restarted after this pause, doubling up to the maximum.
constexpr milliseconds kRelayRestartMin{1000};
constexpr milliseconds kRelayRestartMax{30'000};

RelayOptions relay_options(const config::Config& config) {
  RelayOptions options;
  options.max_in_flight = static_cast<std::size_t>(config.cms.max_in_flight);
  options.max_backoff = std::chrono::duration_cast<milliseconds>(config.engine.max_retry_backoff);
  options.canonical_enabled = config.canonical.enabled;
  options.url_template = config.canonical.url_template;
  options.overwrite_cms_edits = config.cms.on_cms_edit == config::OnCmsEdit::overwrite;
  for (const auto& feed : config.feeds)
    if (feed.route_segment == config::RouteSegmentMode::follow) options.route_segment_follows.insert(feed.name);
  return options;
}

// The article's locale is the feed's; a feed with a locale_map gives "" (any locale: one item
// holds one article, so its published version is the article's).
PendingCheckOptions pending_check_options(const config::Config& config) {
  PendingCheckOptions options;
  options.interval = std::chrono::duration_cast<milliseconds>(config.canonical.pending_check_interval);
  options.canonical_enabled = config.canonical.enabled;
  options.url_template = config.canonical.url_template;
  std::map<std::string, std::string, std::less<>> locales;
  for (const auto& feed : config.feeds) locales[feed.name] = feed.locale.value_or("");
  options.locale_of = [locales = std::move(locales)](std::string_view feed) -> std::optional<std::string> {
    auto found = locales.find(feed);
    if (found == locales.end()) return std::nullopt;
    return found->second;
  };
  return options;
}

std::size_t planned_ops(const CycleReport& report) {
  return report.created + report.updated + report.undeleted + report.deleted;
}

// The daemon's clients: the HTTP stack built from the configuration.
ClientsFactory daemon_clients(asio::any_io_executor executor, const Clock& clock, HttpObservers observers) {
  return [executor, &clock, observers = std::move(observers)](const config::Config& config) {
    return std::make_shared<Clients>(executor, config, clock, observers);
  };
}

}  // namespace

struct SyncEngine::FeedSlot {
  config::FeedConfig config;
  CompiledMapping mapping;
  bool retrigger = false;  // triggered while its poll was in flight: goes again when it ends
  bool polled = false;  // at least one cycle finished in this process
  bool last_ok = true;
  std::int64_t failures = 0;
};

struct SyncEngine::RelayHolder {
  std::shared_ptr<Clients> clients;  // what the relay's calls go through
  std::unique_ptr<OutboxRelay> relay;
  // Asks the CMS about articles left unpublished (issue 19); null when the sink cannot list
  // published versions (a test's fake).
  std::unique_ptr<PendingCanonicalCheck> pending;
  // The periodic drift audit (engine.audit_interval); null when off.
  std::unique_ptr<PeriodicAudit> audit;
  bool running = false;              // its run() has not returned yet
};

bool OnceResult::synced() const {
  return relay == RelayExit::drained &&
         std::all_of(feeds.begin(), feeds.end(), [](const FeedOutcome& f) { return f.ok; });
}

std::vector<std::pair<std::string, std::size_t>> OnceResult::held_deletes() const {
  std::vector<std::pair<std::string, std::size_t>> held;
  for (const auto& feed : feeds)
    // Moves to group items (translations: group) delete items too: held the same way.
    if (feed.report && feed.report->held_deletes + feed.report->held_moves > 0)
      held.emplace_back(feed.feed, feed.report->held_deletes + feed.report->held_moves);
  return held;
}

bool OnceResult::clean(std::int64_t dead_letters) const {
  return synced() && dead_letters == 0 && held_deletes().empty();
}

SyncEngine::SyncEngine(asio::any_io_executor executor, store::Store& store, config::LiveConfig& config,
                       net::TimeSystem& time, EngineObservers observers, ClientsFactory make_clients)
    : executor_(executor),
      store_(store),
      config_(config),
      clock_(time),
      observers_(std::move(observers)),
      make_clients_(make_clients ? std::move(make_clients) : daemon_clients(executor, time, observers_.http)),
      clients_(make_clients_(*config_)),
      wake_timer_(time.make_timer(executor)),
      idle_timer_(time.make_timer(executor)) {
  apply_feeds(*config_);
  relay_ = make_relay();
  requested_.set_window(std::chrono::duration_cast<milliseconds>(config_->webhooks.cmp.coalesce));
}

std::shared_ptr<SyncEngine::RelayHolder> SyncEngine::make_relay() {
  auto holder = std::make_shared<RelayHolder>();
  holder->clients = clients_;
  auto options = relay_options(*config_);
  options.on_outcome = observers_.cms_outcome;
  // The holder owns the relay: the pointer outlives every call.
  options.on_scheduled = [h = holder.get()](const std::string& feed, const std::string& guid) {
    if (h->pending) h->pending->note_scheduled(feed, guid);
  };
  holder->relay = std::make_unique<OutboxRelay>(executor_, store_, *clients_->sink, clients_->canonical,
                                                &clients_->tokens, clock_, std::move(options));
  if (auto* published = dynamic_cast<cms::PublishedVersionSource*>(clients_->sink.get())) {
    auto pending = pending_check_options(*config_);
    pending.on_queued = [relay = holder->relay.get()] { relay->wake(); };
    holder->pending = std::make_unique<PendingCanonicalCheck>(executor_, store_, *published, clock_, std::move(pending));
  }
  if (config_->engine.audit_interval > Duration::zero()) {
    const auto& cms = config_->cms;
    auto dialect = cms.api == config::CmsApi::v1 ? cms::make_v1_dialect(cms.base_url) : cms::make_flat_dialect(cms.base_url);
    cms::CmsTransport transport(clients_->http, clients_->tokens, cms::cms_client_options(cms).transport);
    holder->audit = std::make_unique<PeriodicAudit>(executor_, store_, config_.get(), std::move(dialect),
                                                    std::move(transport), clock_, observers_.audit);
  }
  return holder;
}

SyncEngine::~SyncEngine() = default;

const cms::TokenSource& SyncEngine::tokens() const { return clients_->tokens; }

void SyncEngine::apply_feeds(const config::Config& config) {
  std::map<std::string, std::unique_ptr<FeedSlot>, std::less<>> next;
  std::vector<std::string> order;
  const auto now = clock_.steady_now();
  for (const auto& feed : config.feeds) {
    auto mapping = compile_mapping(mapping_spec(feed));
    if (!mapping) {  // load_config compiled it already: this cannot fail for a loaded config
      log::critical("feed mapping does not compile; feed skipped", {{"feed", feed.name}});
      continue;
    }
    store_.ensure_feed(feed.name, feed.feed_id);
    auto it = feeds_.find(feed.name);
    std::unique_ptr<FeedSlot> slot;
    if (it != feeds_.end()) {
      slot = std::move(it->second);
      // A shorter interval takes effect now rather than after the old, longer wait.
      const auto due = queue_.due_of(feed.name);
      if (feed.interval < slot->config.interval && due && *due > now) queue_.schedule(feed.name, now);
    } else {
      slot = std::make_unique<FeedSlot>();
      // A feed removed and added back while its old poll is still in flight is put in line
      // when that poll ends (finish_poll), so it never overlaps itself.
      if (!polling_.contains(feed.name)) queue_.schedule(feed.name, now);
      if (!feeds_.empty() || daemon_mode_) log::info("feed added", {{"feed", feed.name}});
    }
    slot->config = feed;
    slot->mapping = std::move(*mapping);
    order.push_back(feed.name);
    next.emplace(feed.name, std::move(slot));
  }
  for (const auto& [name, slot] : feeds_) {
    if (slot && !next.count(name)) {
      queue_.remove(name);
      log::info("feed removed from the configuration; its queued CMS work is still carried out",
                {{"feed", name}});
    }
  }
  feeds_ = std::move(next);
  order_ = std::move(order);
  polled_count_ = 0;
  failing_count_ = 0;
  for (const auto& [name, slot] : feeds_) {
    if (slot->polled) ++polled_count_;
    if (slot->polled && !slot->last_ok) ++failing_count_;
  }
}

void SyncEngine::start_relay() {
  auto holder = relay_;
  holder->running = true;
  asio::co_spawn(executor_, supervise_relay(holder), [this, holder](std::exception_ptr) {
    holder->running = false;
    wake();
  });
  // The check handles the store's failures itself (a round that fails is retried).
  if (holder->pending) asio::co_spawn(executor_, holder->pending->run(), [holder](std::exception_ptr) {});
  if (holder->audit) asio::co_spawn(executor_, holder->audit->run(), [holder](std::exception_ptr) {});
}

void SyncEngine::stop_relay(RelayHolder& holder) {
  holder.relay->stop();
  if (holder.pending) holder.pending->stop();
  if (holder.audit) holder.audit->stop();
}

asio::awaitable<void> SyncEngine::supervise_relay(std::shared_ptr<RelayHolder> holder) {
  // The relay handles the store's failures itself; anything else that ends it is logged with
  // its cause and the relay restarted after a growing pause, never left dead (issue 15).
  auto pause = clock_.make_timer(executor_);
  milliseconds delay = kRelayRestartMin;
  for (;;) {
    std::string failure;
    try {
      co_await holder->relay->run({});
      co_return;  // stopped: by stop() or a reload
    } catch (const std::exception& e) {
      failure = e.what();
    } catch (...) {
      failure = "unknown exception";
    }
    ++relay_restarts_;
    log::critical("outbox relay failed; restarting it",
                  {{"error", failure}, {"restart_in_ms", std::to_string(delay.count())}});
    co_await pause->wait_for(delay);
    if (stopping_ || holder != relay_) co_return;  // run() would clear the stop
    delay = std::min(delay * 2, kRelayRestartMax);
  }
}

void SyncEngine::prune_retired() {
  auto finished = [](const std::shared_ptr<RelayHolder>& h) { return !h->running && h->relay->in_flight() == 0; };
  for (const auto& holder : retired_) {
    if (finished(holder)) retired_writes_ += holder->relay->stats();  // progress() keeps counting them
  }
  std::erase_if(retired_, finished);
}

milliseconds SyncEngine::poll_delay(const FeedSlot& slot) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return next_poll_delay(std::chrono::duration_cast<milliseconds>(slot.config.interval), slot.failures,
                         std::chrono::duration_cast<milliseconds>(config_->engine.max_poll_backoff), unit(random_));
}

void SyncEngine::trigger(const std::string& feed) {
  auto it = feeds_.find(feed);
  if (it == feeds_.end()) {
    log::warn("sync requested for a feed that is not configured", {{"feed", feed}});
    return;
  }
  if (polling_.contains(feed)) {
    it->second->retrigger = true;
  } else {
    queue_.trigger(feed);
  }
  paused_read_at_.reset();  // the admin API resumes a feed and then triggers it
  wake();
}

bool SyncEngine::request_poll(const std::string& feed) {
  if (!feeds_.contains(feed)) return false;
  const bool opens = !requested_.due().has_value();
  requested_.request(feed, clock_.steady_now());
  if (opens) wake();  // the scheduler's next wait ends when the window closes
  return true;
}

void SyncEngine::request_poll_all() {
  for (const auto& name : order_) request_poll(name);
}

void SyncEngine::check_published(std::optional<std::string> cms_key) {
  if (relay_->pending) relay_->pending->request(std::move(cms_key));
}

void SyncEngine::trigger_requested(steady_time now) {
  for (const auto& feed : requested_.take_due(now)) {
    log::debug("webhook poll requests coalesced into one poll", {{"feed", feed}});
    trigger(feed);
  }
}

void SyncEngine::wake() {
  wake_pending_ = true;
  wake_timer_->cancel();
}

asio::awaitable<void> SyncEngine::wait_for_wake(milliseconds duration) {
  // A wake() that came while the loop was busy (a poll that failed at once, a trigger from a
  // handler) is not lost: the timer then expires at once, which still yields to the io_context.
  if (wake_pending_) duration = milliseconds(0);
  wake_pending_ = false;
  co_await wake_timer_->wait_for(duration);
  wake_pending_ = false;
}

std::size_t SyncEngine::poll_limit() const {
  return static_cast<std::size_t>(std::max(config_->engine.max_concurrent_polls, 1));
}

void SyncEngine::start_poll(FeedSlot& slot) {
  const std::string name = slot.config.name;
  queue_.remove(name);
  polling_.insert(name);
  asio::co_spawn(executor_, poll(name, slot.config, slot.mapping, clients_),
                 [this, name](std::exception_ptr error, FeedOutcome outcome) {
                   if (error) {
                     // The store failed (disk full, I/O error): a failed poll of this feed,
                     // retried after its backoff. The outcome is default-built here: name it.
                     outcome = FeedOutcome{};
                     outcome.feed = name;
                     outcome.started_at = clock_.system_now();
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       outcome.error = e.what();
                     } catch (...) {
                       outcome.error = "unknown exception";
                     }
                     log::error("poll failed", {{"feed", name}, {"error", outcome.error}});
                   }
                   finish_poll(outcome);
                   idle_timer_->cancel();
                   wake();
                 });
}

asio::awaitable<FeedOutcome> SyncEngine::poll(std::string name, config::FeedConfig feed, CompiledMapping mapping,
                                              std::shared_ptr<Clients> clients) {
  FeedOutcome outcome;
  outcome.feed = name;
  outcome.started_at = clock_.system_now();
  const auto start = clock_.steady_now();
  PollCycle cycle(clients->feeds, store_, clock_);
  CycleOptions options;
  options.read_deleted_feed_now = once_outcomes_ != nullptr;  // `once` reads everything it can
  auto result = co_await cycle.run(std::move(feed), std::move(mapping), options);
  outcome.duration = clock_.steady_now() - start;
  if (result) {
    outcome.ok = true;
    outcome.report = std::move(*result);
  } else {
    outcome.error = result.error().message;
  }
  co_return outcome;
}

void SyncEngine::finish_poll(const FeedOutcome& outcome) {
  if (once_outcomes_ != nullptr) once_outcomes_->push_back(outcome);
  polling_.erase(outcome.feed);
  auto it = feeds_.find(outcome.feed);
  if (it != feeds_.end()) {  // else: removed by a reload while it polled
    auto& slot = *it->second;
    if (!slot.polled) ++polled_count_;
    if (slot.polled && !slot.last_ok) --failing_count_;
    if (!outcome.ok) ++failing_count_;
    slot.polled = true;
    slot.last_ok = outcome.ok;
    slot.failures = outcome.ok ? 0 : slot.failures + 1;
    if (slot.retrigger) {
      slot.retrigger = false;
      queue_.trigger(outcome.feed);
    } else {
      queue_.schedule(outcome.feed, clock_.steady_now() + poll_delay(slot));
    }
  }
  if (outcome.report) planned_ += planned_ops(*outcome.report);
  if (outcome.ok) relay_->relay->wake();
  if (on_cycle) on_cycle(outcome);
}

asio::awaitable<void> SyncEngine::run() {
  daemon_mode_ = true;
  stopping_ = false;
  start_relay();
  while (!stopping_) {
    prune_retired();
    const auto now = clock_.steady_now();
    trigger_requested(now);
    start_due_polls(now);
    // Always waits, at least 1 ms: a due feed waiting for a slot is started when a finishing
    // poll wakes this loop, never by spinning (issue 14).
    const bool slot_free = polling_.size() < poll_limit();
    auto wait = scheduler_wait(now, queue_.next_due(), slot_free, kMaxSchedulerSleep);
    if (const auto closes = requested_.due()) {
      wait = std::clamp(std::chrono::ceil<milliseconds>(*closes - now), milliseconds(1), wait);
    }
    co_await wait_for_wake(wait);
  }
}

void SyncEngine::start_due_polls(steady_time now) {
  refresh_paused(now);
  while (polling_.size() < poll_limit()) {
    auto name = queue_.pop_due(now);
    if (!name) return;
    auto it = feeds_.find(*name);
    if (it == feeds_.end()) continue;  // removed from the configuration
    if (paused_.contains(*name)) {
      // Looked at again shortly: `feedsyncd resume` only changes the store.
      queue_.schedule(*name, now + kMaxSchedulerSleep);
      continue;
    }
    start_poll(*it->second);
  }
}

void SyncEngine::refresh_paused(steady_time now) {
  // One query for every feed, at most once per kMaxSchedulerSleep (or after a trigger), not one
  // per feed per wake-up.
  if (paused_read_at_ && now - *paused_read_at_ < kMaxSchedulerSleep) return;
  paused_read_at_ = now;
  try {
    auto names = store_.paused_feeds();
    paused_ = std::set<std::string, std::less<>>(std::make_move_iterator(names.begin()),
                                                 std::make_move_iterator(names.end()));
    if (paused_read_failed_) log::info("paused feeds can be read from the state database again");
    paused_read_failed_ = false;
  } catch (const std::exception& e) {
    // Polling goes on with the last known set; the poll cycles report the store's trouble.
    if (!paused_read_failed_) log::error("cannot read which feeds are paused", {{"error", e.what()}});
    paused_read_failed_ = true;
  }
}

asio::awaitable<OnceResult> SyncEngine::once(steady_time deadline) {
  OnceResult result;
  std::vector<FeedOutcome> outcomes;
  once_outcomes_ = &outcomes;
  const auto limit = poll_limit();
  std::size_t next = 0;
  while ((next < order_.size() || !polling_.empty()) && !stopping_) {
    while (next < order_.size() && polling_.size() < limit) {
      auto& slot = *feeds_.at(order_[next++]);
      const auto row = store_.feed(slot.config.name);
      if (row && row->paused) {
        result.paused.push_back(slot.config.name);
        continue;
      }
      start_poll(slot);
    }
    if (!polling_.empty()) co_await wait_for_wake(kMaxSchedulerSleep);
  }
  once_outcomes_ = nullptr;
  // Configuration order, whatever order the polls finished in.
  for (const auto& name : order_) {
    for (auto& o : outcomes) {
      if (o.feed == name) result.feeds.push_back(std::move(o));
    }
  }
  if (!stopping_) {
    OutboxRelay::RunOptions run;
    run.until_empty = true;
    run.deadline = deadline;
    relay_->running = true;
    result.relay = co_await relay_->relay->run(run);
    relay_->running = false;
  } else {
    result.relay = RelayExit::stopped;
  }
  result.writes = relay_->relay->stats();
  co_return result;
}

void SyncEngine::wake_relay() { relay_->relay->wake(); }

void SyncEngine::stop() {
  stopping_ = true;
  stop_relay(*relay_);
  wake();
}

asio::awaitable<bool> SyncEngine::drain(milliseconds timeout) {
  const auto deadline = clock_.steady_now() + timeout;
  for (;;) {
    prune_retired();
    const bool idle = polling_.empty() && relay_->relay->in_flight() == 0 && retired_.empty();
    if (idle) co_return true;
    const auto left = std::chrono::ceil<milliseconds>(deadline - clock_.steady_now());
    if (left.count() <= 0) co_return false;
    // Woken by a finished poll; CMS calls finishing are seen on the next look.
    co_await idle_timer_->wait_for(std::min(left, milliseconds(50)));
  }
}

void SyncEngine::reload(std::shared_ptr<const config::Config> config) {
  // Built first: if it throws (an unreadable CA file...), nothing has changed yet.
  auto clients = make_clients_(*config);
  config_.set(std::move(config));
  clients_ = std::move(clients);
  // The old relay stops claiming; its calls in flight finish on the old clients.
  stop_relay(*relay_);
  retired_.push_back(relay_);
  relay_ = make_relay();
  apply_feeds(*config_);
  requested_.set_window(std::chrono::duration_cast<milliseconds>(config_->webhooks.cmp.coalesce));
  if (daemon_mode_ && !stopping_) start_relay();
  wake();
}

EngineProgress SyncEngine::progress() const {
  EngineProgress p;
  p.feeds = feeds_.size();
  p.polled = polled_count_;
  p.failing = failing_count_;
  p.relay_restarts = relay_restarts_;
  p.planned = planned_;
  p.writes = retired_writes_;
  p.writes += relay_->relay->stats();
  for (const auto& retired : retired_) p.writes += retired->relay->stats();
  return p;
}

std::string SyncEngine::summary() const {
  const auto p = progress();
  const auto outbox = store_.outbox_stats();
  std::string line = std::to_string(p.feeds) + " feeds";
  if (p.failing > 0) line += " (" + std::to_string(p.failing) + " failing)";
  line += "; outbox " + std::to_string(outbox.total.pending + outbox.total.inflight) + " pending, " +
          std::to_string(outbox.total.dead) + " dead; " + std::to_string(p.writes.done()) + " CMS writes";
  if (clients_->tokens.status().state == cms::TokenSource::State::auth_failed) line += "; CMS credentials rejected";
  return line;
}

}  // namespace feedsync::engine
