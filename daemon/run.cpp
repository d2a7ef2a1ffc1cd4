// `feedsyncd run`: the long-running daemon (DESIGN.md §3, §7). Wiring only: the state store held
// exclusively, the sync engine, signals, and the systemd notify protocol.
//
//   SIGTERM / SIGINT  STOPPING=1, stop polling and claiming, wait up to engine.shutdown_timeout
//                     for calls in flight, exit 0 (anything cut off is requeued at the next start)
//   SIGHUP            RELOADING=1, re-read and fully validate the file; on error keep running
//                     the old configuration and log why; on success swap it in; READY=1
#include <algorithm>
#include <csignal>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cms/token_source.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "config/live_config.hpp"
#include "engine/sync_engine.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "ops/config_budget.hpp"
#include "ops/config_reload.hpp"
#include "ops/daemon_backend.hpp"
#include "ops/daemon_metrics.hpp"
#include "ops/engine_control.hpp"
#include "net/time_system.hpp"
#include "ops/loop_heartbeat.hpp"
#include "ops/ops_api.hpp"
#include "ops/sd_notify.hpp"
#include "ops/status_reporter.hpp"
#include "ops/watchdog.hpp"
#include "ops/webhook_api.hpp"
#include "ops/write_readiness.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

namespace asio = boost::asio;

// The ops backend's view of the engine (lib/ops does not depend on lib/engine).
class SyncEngineControl final : public ops::EngineControl {
 public:
  SyncEngineControl(engine::SyncEngine& engine, const ops::WriteOutcomes& writes, const Clock& clock)
      : engine_(engine), writes_(writes), clock_(clock) {}
  void trigger(const std::string& feed) override { engine_.trigger(feed); }
  bool request_poll(const std::string& feed) override { return engine_.request_poll(feed); }
  void request_poll_all() override { engine_.request_poll_all(); }
  void check_published(const std::optional<std::string>& cms_key) override { engine_.check_published(cms_key); }
  void wake_relay() override { engine_.wake_relay(); }
  ops::CmsTokenStatus token_status() const override {
    const auto status = engine_.tokens().status();
    return {.auth_failed = status.state == cms::TokenSource::State::auth_failed,
            .state = std::string(cms::to_string(status.state)),
            .reason = status.reason};
  }
  std::vector<ops::ReadinessCheck> write_checks() const override { return writes_.checks(clock_.steady_now()); }

 private:
  engine::SyncEngine& engine_;
  const ops::WriteOutcomes& writes_;
  const Clock& clock_;
};

// What the metrics see of a poll cycle, field by field.
ops::PollObservation poll_observation(const engine::FeedOutcome& outcome) {
  ops::PollObservation poll{.feed = outcome.feed, .duration = outcome.duration, .ok = outcome.ok, .counts = {}};
  if (const auto& r = outcome.report) {
    poll.counts = ops::CycleCounts{.created = r->created, .updated = r->updated, .undeleted = r->undeleted,
                                   .deleted = r->deleted, .unchanged = r->unchanged, .touched = r->touched,
                                   .rejected_entries = r->rejected_entries, .mapping_errors = r->mapping_errors};
  }
  return poll;
}

// The periodic audit's results as lib/ops keeps them (engine.audit_interval).
std::vector<ops::AuditSummary> audit_summaries(const std::vector<engine::FeedAudit>& audits) {
  using engine::AuditResult;
  std::vector<ops::AuditSummary> out;
  for (const auto& audit : audits) {
    ops::AuditSummary summary;
    summary.feed = audit.feed;
    for (auto result : {AuditResult::ok, AuditResult::missing, AuditResult::deleted, AuditResult::edited,
                        AuditResult::unpublished, AuditResult::moved})
      summary.counts[std::string(engine::to_string(result))] = audit.tally.of(result);
    summary.counts["orphans"] = audit.tally.orphans;
    summary.error = audit.error ? std::optional<std::string>(log::redact_secrets(*audit.error)) : std::nullopt;
    out.push_back(std::move(summary));
  }
  return out;
}

engine::EngineObservers engine_observers(ops::DaemonMetrics& metrics, ops::WriteOutcomes& writes, const Clock& clock) {
  engine::EngineObservers observers;
  observers.http.attempt = [&metrics](const net::Request& request, const net::Result& result,
                                      std::chrono::duration<double> elapsed) {
    metrics.observe_attempt(request, result, elapsed);
  };
  observers.http.report = [&metrics](const net::SendReport& report) { metrics.observe_send(report); };
  observers.cms_outcome = [&metrics, &writes, &clock](store::OpKind op, engine::RelayResult result,
                                                       std::string_view error) {
    metrics.observe_cms_write(op, engine::to_string(result));
    const auto target = op == store::OpKind::canonical ? ops::WriteOutcomes::Target::canonical
                                                       : ops::WriteOutcomes::Target::cms;
    if (result == engine::RelayResult::success) writes.success(target);
    else if (result != engine::RelayResult::dead_letter) writes.failure(target, error, clock.steady_now());
  };
  observers.audit = [&metrics](const std::vector<engine::FeedAudit>& audits) {
    metrics.observe_audit(audit_summaries(audits));
  };
  return observers;
}

struct Daemon {
  asio::io_context& io;
  store::Store& store;
  engine::SyncEngine& engine;
  ops::SdNotifier& notifier;
  ops::OpsServer& server;
  ops::WebhookServer* webhook_server;  // null without http.webhook_listen
  ops::WebhookApi& hooks;
  ops::DaemonMetrics& metrics;
  ops::StatusReporter& status;
  config::LiveConfig& config;  // the engine puts a reloaded configuration in force here
};

void reload(Daemon& d) {
  d.notifier.reloading();
  const auto running = d.config.get();
  log::info("reloading the configuration", {{"config", running->file.string()}});
  try {
    auto next = ops::load_for_reload(*running, d.store);
    for (const auto& warning : next->warnings) log::warn(warning);
    configure_logging(*next);
    log::set_secrets(redacted_values(*next));
    d.engine.reload(next);  // in force from here on (d.config)
    if (next->http.listen != running->http.listen) {
      log::warn("http.listen changed; the listener moves at the next restart",
                {{"listening", running->http.listen}, {"configured", next->http.listen}});
    }
    if (next->http.webhook_listen != running->http.webhook_listen) {
      log::warn("http.webhook_listen changed; the webhook listener changes at the next restart",
                {{"listening", running->http.webhook_listen.value_or("(none)")},
                 {"configured", next->http.webhook_listen.value_or("(none)")}});
    }
    d.server.set_admin_token(next->http.admin_token);
    d.hooks.configure(*next);
    d.metrics.init_feeds();
    log::info("configuration reloaded", {{"feeds", std::to_string(next->feeds.size())}});
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
    d.status.stop();  // STOPPING=1 is the last word
    d.notifier.stopping();
    log::info("stopping: finishing the calls in flight", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    d.engine.stop();
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.config->engine.shutdown_timeout);
    if (!co_await d.engine.drain(timeout)) {
      log::warn("shutdown_timeout passed with calls in flight; they are retried at the next start",
                {{"shutdown_timeout_ms", std::to_string(timeout.count())}});
    }
    co_await d.server.stop(std::chrono::milliseconds(1000));
    if (d.webhook_server != nullptr) co_await d.webhook_server->stop(std::chrono::milliseconds(1000));
    d.io.stop();
    co_return;
  }
}

}  // namespace

int run_daemon(const CliRequest&, const config::Config& loaded) {
  for (const auto& warning : loaded.warnings) log::warn(warning);
  auto store = store::Store::open(
      loaded.state.path, {.access = store::Access::exclusive, .busy_timeout = loaded.state.busy_timeout});
  if (store.open_warning()) log::warn(*store.open_warning());
  store.set_busy_timeout(std::min(loaded.state.busy_timeout, store::kEventLoopBusyWait));
  if (store.recovered_inflight() > 0) {
    log::warn("CMS operations interrupted by the last stop were queued again",
              {{"count", std::to_string(store.recovered_inflight())}});
  }

  asio::io_context io;
  net::RealTimeSystem clock;  // reads the clocks and makes the timers of the engine and ops
  config::LiveConfig config(std::make_shared<const config::Config>(ops::within_request_budget(loaded, store)));
  ops::DaemonMetrics metrics(store, config, clock);
  ops::WriteOutcomes writes;  // /readyz's cms_writes and canonical_writes
  engine::SyncEngine engine(io.get_executor(), store, config, clock, engine_observers(metrics, writes, clock));
  engine.on_cycle = [&](const engine::FeedOutcome& outcome) { metrics.observe_poll(poll_observation(outcome)); };
  SyncEngineControl control(engine, writes, clock);
  ops::SdNotifier notifier;
  std::optional<ops::WatchdogPinger> watchdog;
  if (auto interval = ops::watchdog_interval()) watchdog.emplace(io.get_executor(), clock, notifier, *interval);
  ops::LoopHeartbeat heartbeat(io.get_executor(), clock);  // /livez's loop-lag check
  ops::DaemonBackend backend(store, config, clock, metrics, control, heartbeat);

  ops::WebhookApi hooks(control, *config.get(), [&metrics](std::string_view source, std::string_view result) {
    metrics.observe_webhook(source, result);
  });

  // The listeners before READY=1: a failure to bind is a start-up failure systemd sees.
  ops::OpsServer server(io, loaded.http, backend, &hooks);
  try {
    server.start();
  } catch (const std::system_error& e) {
    log::error("cannot listen on http.listen", {{"listen", loaded.http.listen}, {"error", e.what()}});
    return kExitFailure;
  }
  if (auto warning = ops::listen_warning(loaded.http)) log::warn(*warning);
  if (auto warning = ops::webhook_listen_warning(loaded)) log::warn(*warning);
  std::optional<ops::WebhookServer> webhook_server;
  if (loaded.http.webhook_listen) {
    try {
      webhook_server.emplace(io, loaded.http, hooks);
      webhook_server->start();
    } catch (const std::exception& e) {
      log::error("cannot listen on http.webhook_listen",
                 {{"webhook_listen", *loaded.http.webhook_listen}, {"error", e.what()}});
      return kExitFailure;
    }
    log::info("webhook listener started",
              {{"http", loaded.http.webhook_listen_host + ":" + std::to_string(webhook_server->port())},
               {"tls", loaded.http.webhook_tls_cert_file ? "on" : "off"}});
  }

  ops::StatusReporter status(io.get_executor(), clock, [&engine] { return engine.summary(); },
                             [&notifier](std::string_view line) { notifier.status(line); });
  Daemon daemon{io,    store, engine, notifier, server, webhook_server ? &*webhook_server : nullptr,
                hooks, metrics, status, config};
  asio::co_spawn(io, handle_signals(daemon), asio::detached);
  asio::co_spawn(io, engine.run(), asio::detached);
  if (watchdog) watchdog->start();
  heartbeat.start();

  log::info("feedsyncd started", {{"config", loaded.file.string()},
                                  {"state", loaded.state.path.string()},
                                  {"feeds", std::to_string(loaded.feeds.size())},
                                  {"http", loaded.http.listen_host + ":" + std::to_string(server.port())}});
  notifier.ready();
  status.start();
  io.run();
  if (watchdog) watchdog->stop();
  heartbeat.stop();
  log::info("feedsyncd stopped");
  return kExitOk;
}

}  // namespace feedsync::daemon
