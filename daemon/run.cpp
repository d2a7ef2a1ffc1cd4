// `feedsyncd run`: the long-running daemon (DESIGN.md §3, §7). Wiring only: the state store held
// exclusively, the sync engine, signals, and the systemd notify protocol.
//
//   SIGTERM / SIGINT  STOPPING=1, stop polling and claiming, wait up to engine.shutdown_timeout
//                     for calls in flight, exit 0 (anything cut off is requeued at the next start)
//   SIGHUP            RELOADING=1, re-read and fully validate the file; on error keep running
//                     the old configuration and log why; on success swap it in; READY=1
#include <csignal>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "budget.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "daemon_ops.hpp"
#include "engine/sync_engine.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "net/time_system.hpp"
#include "ops/loop_heartbeat.hpp"
#include "ops/ops_api.hpp"
#include "ops/sd_notify.hpp"
#include "ops/watchdog.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

namespace asio = boost::asio;

// The reloaded file is validated as fully as at start-up (load_config compiles every mapping
// and reads every secret file); what cannot change without a restart is refused here. Like at
// start, the intervals are fitted to source.monthly_budget.
std::shared_ptr<const config::Config> load_for_reload(const config::Config& running, const store::Store& store) {
  auto next = config::load_config(running.file);
  if (next.state.path != running.state.path) {
    throw config::ConfigError(running.file.string() + ": state.path: cannot change while the daemon runs (" +
                              running.state.path.string() + " -> " + next.state.path.string() +
                              "); restart feedsyncd to move the state database");
  }
  return std::make_shared<const config::Config>(within_request_budget(std::move(next), store));
}

struct Daemon {
  asio::io_context& io;
  store::Store& store;
  engine::SyncEngine& engine;
  ops::SdNotifier& notifier;
  ops::OpsServer& server;
  DaemonOps& ops;
  std::shared_ptr<const config::Config> config;
  bool stopping = false;
};

// STATUS= for `systemctl status`, sent when it changed, at most once per period: with many feeds
// a line per poll cost more than the polls (the summary reads every feed and the outbox).
constexpr std::chrono::seconds kStatusPeriod{1};

asio::awaitable<void> report_status(Daemon& d) {
  asio::steady_timer timer(d.io);
  std::string sent;
  while (!d.stopping) {
    timer.expires_after(kStatusPeriod);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || d.stopping) co_return;  // nothing after STOPPING=1
    auto line = d.engine.summary();
    if (line == sent) continue;
    d.notifier.status(line);
    sent = std::move(line);
  }
}

void reload(Daemon& d) {
  d.notifier.reloading();
  log::info("reloading the configuration", {{"config", d.config->file.string()}});
  try {
    auto next = load_for_reload(*d.config, d.store);
    for (const auto& warning : next->warnings) log::warn(warning);
    configure_logging(*next);
    log::set_secrets(redacted_values(*next));
    d.engine.reload(next);
    if (next->http.listen != d.config->http.listen) {
      log::warn("http.listen changed; the listener moves at the next restart",
                {{"listening", d.config->http.listen}, {"configured", next->http.listen}});
    }
    d.server.set_admin_token(next->http.admin_token);
    d.config = std::move(next);
    d.ops.init_feeds();
    log::info("configuration reloaded", {{"feeds", std::to_string(d.config->feeds.size())}});
  } catch (const config::ConfigError& e) {
    log::error("configuration reload rejected; still running the previous configuration",
               {{"error", e.what()}});
  } catch (const std::exception& e) {
    log::error("configuration reload failed; still running the previous configuration", {{"error", e.what()}});
  }
  d.notifier.ready();
  d.notifier.status(d.engine.summary());
}

asio::awaitable<void> handle_signals(Daemon& d) {
  asio::signal_set signals(d.io, SIGTERM, SIGINT, SIGHUP);
  for (;;) {
    boost::system::error_code ec;
    const int signal = co_await signals.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    if (signal == SIGHUP) {
      reload(d);
      continue;
    }
    d.stopping = true;
    d.notifier.stopping();
    log::info("stopping: finishing the calls in flight", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    d.engine.stop();
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.config->engine.shutdown_timeout);
    if (!co_await d.engine.drain(timeout)) {
      log::warn("shutdown_timeout passed with calls in flight; they are retried at the next start",
                {{"shutdown_timeout_ms", std::to_string(timeout.count())}});
    }
    co_await d.server.stop(std::chrono::milliseconds(1000));
    d.io.stop();
    co_return;
  }
}

}  // namespace

int run_daemon(const CliRequest&, const config::Config& loaded) {
  for (const auto& warning : loaded.warnings) log::warn(warning);
  auto store = store::Store::open(
      loaded.state.path, {.access = store::Access::exclusive, .busy_timeout = loaded.state.busy_timeout});
  if (store.recovered_inflight() > 0) {
    log::warn("CMS operations interrupted by the last stop were queued again",
              {{"count", std::to_string(store.recovered_inflight())}});
  }

  asio::io_context io;
  net::RealTimeSystem clock;  // reads the clocks and makes the timers of the engine and ops
  auto config = std::make_shared<const config::Config>(within_request_budget(loaded, store));
  std::shared_ptr<const config::Config>* current = nullptr;  // the Daemon's, once it exists
  DaemonOps ops(store, [&] { return current ? *current : config; }, clock);
  engine::SyncEngine engine(io.get_executor(), store, config, clock, ops.engine_observers());
  ops.attach(engine);
  ops::SdNotifier notifier;
  std::optional<ops::WatchdogPinger> watchdog;
  if (auto interval = ops::watchdog_interval()) watchdog.emplace(io.get_executor(), clock, notifier, *interval);
  ops::LoopHeartbeat heartbeat(io.get_executor(), clock);  // /livez's loop-lag check
  ops.watch_loop(heartbeat);

  // The listener before READY=1: a failure to bind is a start-up failure systemd sees.
  ops::OpsServer server(io, loaded.http, ops);
  try {
    server.start();
  } catch (const std::system_error& e) {
    log::error("cannot listen on http.listen", {{"listen", loaded.http.listen}, {"error", e.what()}});
    return kExitFailure;
  }
  if (auto warning = ops::listen_warning(loaded.http)) log::warn(*warning);

  Daemon daemon{io, store, engine, notifier, server, ops, config};
  current = &daemon.config;
  engine.on_cycle = [&](const engine::FeedOutcome& outcome) { ops.observe_cycle(outcome); };
  asio::co_spawn(io, handle_signals(daemon), asio::detached);
  asio::co_spawn(io, report_status(daemon), asio::detached);
  asio::co_spawn(io, engine.run(), asio::detached);
  if (watchdog) watchdog->start();
  heartbeat.start();

  log::info("feedsyncd started", {{"config", loaded.file.string()},
                                  {"state", loaded.state.path.string()},
                                  {"feeds", std::to_string(loaded.feeds.size())},
                                  {"http", loaded.http.listen_host + ":" + std::to_string(server.port())}});
  notifier.ready();
  notifier.status(engine.summary());
  io.run();
  if (watchdog) watchdog->stop();
  heartbeat.stop();
  log::info("feedsyncd stopped");
  return kExitOk;
}

}  // namespace feedsync::daemon
