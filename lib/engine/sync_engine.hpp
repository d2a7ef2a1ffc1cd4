#pragma once
// The daemon's engine (DESIGN.md §3-4): schedules every feed's poll cycles and runs the outbox
// relay, on one io_context thread.
//
// Scheduling: each feed is polled on its interval with ±10 % jitter; after failures with capped
// exponential backoff (core/poll_schedule.hpp), never abandoned; a poll never overlaps itself;
// at most engine.max_concurrent_polls at once, the feeds waiting for a slot in a line ordered by
// how overdue they are (core/poll_queue.hpp), so hundreds of feeds share a few slots fairly;
// trigger() puts a feed at the head of the line; a paused feed (store) is skipped until resumed.
// The loop always waits between looks (it shares its thread with every poll, the signals and the
// watchdog). After every successful poll the relay is woken.
//
// Reload swaps the configuration atomically: a new set of clients (so a fixed CMS secret is
// picked up and an auth failure cleared), feeds added / removed / changed; queued work stays in
// the store and is carried out by the new relay; the old clients live until the calls using
// them finish.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "config/live_config.hpp"
#include "core/clock.hpp"
#include "core/mapping.hpp"
#include "core/poll_queue.hpp"
#include "engine/audit.hpp"
#include "engine/http_stack.hpp"
#include "engine/outbox_relay.hpp"
#include "engine/poll_cycle.hpp"
#include "engine/trigger_coalescer.hpp"
#include "net/time_system.hpp"

namespace feedsync::cms { class TokenSource; }
namespace feedsync::store { class Store; }

namespace feedsync::engine {

struct Clients;

// Builds the clients for a configuration (at start and at every reload). The default builds the
// daemon's (engine/clients.hpp: the HTTP stack, with EngineObservers::http); tests hand in fakes.
using ClientsFactory = std::function<std::shared_ptr<Clients>(const config::Config&)>;

struct FeedOutcome {
  std::string feed;
  std::chrono::system_clock::time_point started_at;
  std::chrono::duration<double> duration{0};
  bool ok = false;
  std::string error;            // when !ok
  std::optional<CycleReport> report;
};

// What `once` did.
struct OnceResult {
  std::vector<FeedOutcome> feeds;  // in configuration order; paused feeds are not polled
  std::vector<std::string> paused;
  RelayExit relay = RelayExit::drained;
  RelayStats writes;
  bool synced() const;  // every poll succeeded and the outbox drained (dead letters are checked by the caller)
  // Feeds whose mass-delete guard held deletions in this cycle, with how many.
  std::vector<std::pair<std::string, std::size_t>> held_deletes() const;
  // `once` exits 0: synced, no operation dead-lettered (`dead_letters`, from the store) and no
  // deletion held.
  bool clean(std::int64_t dead_letters) const;
};

// Live numbers for a progress line or the STATUS= line.
struct EngineProgress {
  std::size_t feeds = 0, polled = 0, failing = 0;
  std::size_t planned = 0;  // CMS operations queued by the polls of this process
  std::size_t relay_restarts = 0;  // the relay failed and was restarted (supervise_relay)
  RelayStats writes;
};

// Hooks for metrics; each may be empty.
struct EngineObservers {
  HttpObservers http;
  std::function<void(store::OpKind, RelayResult, std::string_view error)> cms_outcome;  // RelayOptions::on_outcome
  // Each round of the periodic audit (engine.audit_interval, issue 22).
  std::function<void(const std::vector<FeedAudit>&)> audit;
};

class SyncEngine {
 public:
  // `config` holds a fully validated configuration (load_config); the engine reads it from
  // there and reload() publishes the next one there. It, the store and the time system (which
  // reads the clocks and makes every timer of the engine and its relay) must outlive the engine.
  SyncEngine(boost::asio::any_io_executor executor, store::Store& store, config::LiveConfig& config,
             net::TimeSystem& time, EngineObservers observers = {}, ClientsFactory make_clients = {});
  ~SyncEngine();
  SyncEngine(const SyncEngine&) = delete;
  SyncEngine& operator=(const SyncEngine&) = delete;

  // The daemon: polls and relays until stop(); then returns (calls may still be in flight:
  // drain() waits for them).
  boost::asio::awaitable<void> run();
  // `feedsyncd once`: one cycle of every unpaused feed, then the outbox drained until empty (or
  // `deadline`, or writes blocked by rejected credentials).
  boost::asio::awaitable<OnceResult> once(SteadyTime deadline);

  void trigger(const std::string& feed);  // unknown names are ignored (logged)
  // A webhook's poll request (issue 19), coalesced (engine/trigger_coalescer.hpp): requests
  // within webhooks.cmp.coalesce of the first cost one trigger() per feed. False for a feed
  // that is not configured (nothing requested).
  bool request_poll(const std::string& feed);
  void request_poll_all();  // every configured feed
  // A CMS webhook: the pending canonical check asks about the item with this CMS key now (every
  // waiting article without a key). Nothing when the sink cannot list published versions.
  void check_published(std::optional<std::string> cms_key);
  bool has_feed(const std::string& feed) const { return feeds_.count(feed) > 0; }
  void wake_relay();  // ops were requeued (retry): look at the queue now
  void stop();
  // Waits until no poll and no CMS call is in flight, at most `timeout`; true if all finished.
  boost::asio::awaitable<bool> drain(std::chrono::milliseconds timeout);
  // Applies a new, validated configuration (SIGHUP) and puts it in force in the LiveConfig;
  // if building its clients throws, nothing has changed. state.path cannot change (checked by
  // the caller).
  void reload(std::shared_ptr<const config::Config> config);

  const config::Config& config() const { return *config_; }
  const cms::TokenSource& tokens() const;
  EngineProgress progress() const;
  // One line for systemd's STATUS=: feeds, failing feeds, outbox, writes.
  std::string summary() const;
  // Called after every poll cycle (success or failure), e.g. to update STATUS=.
  std::function<void(const FeedOutcome&)> on_cycle;

 private:
  struct FeedSlot;
  struct RelayHolder;

  void apply_feeds(const config::Config& config);
  void start_relay();
  void stop_relay(RelayHolder& holder);  // the relay and its pending canonical check
  boost::asio::awaitable<void> supervise_relay(std::shared_ptr<RelayHolder> holder);
  std::shared_ptr<RelayHolder> make_relay();
  void start_poll(FeedSlot& slot);
  void start_due_polls(SteadyTime now);
  void trigger_requested(SteadyTime now);  // the coalescing window closed: trigger its feeds
  void refresh_paused(SteadyTime now);
  std::size_t poll_limit() const;
  // Waits `duration`, or less if woken; returns at once (after yielding) if woken meanwhile.
  boost::asio::awaitable<void> wait_for_wake(std::chrono::milliseconds duration);
  boost::asio::awaitable<FeedOutcome> poll(std::string name, config::FeedConfig feed, CompiledMapping mapping,
                                           std::shared_ptr<Clients> clients);
  void finish_poll(const FeedOutcome& outcome);
  void prune_retired();
  std::chrono::milliseconds poll_delay(const FeedSlot& slot);
  void wake();

  boost::asio::any_io_executor executor_;
  store::Store& store_;
  config::LiveConfig& config_;
  net::TimeSystem& clock_;  // reads the time and makes the timers
  EngineObservers observers_;
  ClientsFactory make_clients_;
  std::shared_ptr<Clients> clients_;
  std::shared_ptr<RelayHolder> relay_;
  std::vector<std::shared_ptr<RelayHolder>> retired_;
  std::map<std::string, std::unique_ptr<FeedSlot>, std::less<>> feeds_;
  std::vector<std::string> order_;  // feed names in configuration order
  PollQueue queue_;                                // feeds waiting for their next poll
  TriggerCoalescer requested_;                     // webhook poll requests, coalesced
  std::set<std::string, std::less<>> polling_;     // feeds with a poll in flight (never in queue_)
  std::set<std::string, std::less<>> paused_;      // from the store, read at most once a second
  std::optional<SteadyTime> paused_read_at_;
  bool paused_read_failed_ = false;
  bool wake_pending_ = false;                      // wake() while the loop was not waiting
  std::size_t planned_ = 0;
  // Feeds polled at least once / failing now, kept as polls finish (progress() is O(1): the
  // STATUS= line reads it every second whatever the feed count).
  std::size_t relay_restarts_ = 0;
  RelayStats retired_writes_;  // of the relays retired by reloads and since pruned
  std::size_t polled_count_ = 0;
  std::size_t failing_count_ = 0;
  bool stopping_ = false;
  bool daemon_mode_ = false;
  std::mt19937 random_{std::random_device{}()};
  std::vector<FeedOutcome>* once_outcomes_ = nullptr;
  std::unique_ptr<net::Timer> wake_timer_;  // the scheduler sleeps on it; wake() cancels it
  std::unique_ptr<net::Timer> idle_timer_;  // drain() sleeps on it; a finished poll cancels it
};

}  // namespace feedsync::engine
