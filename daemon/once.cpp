// `feedsyncd once`: one poll cycle of every feed, then the CMS queue drained, then exit.
// Exit 0 only if everything synced: every poll succeeded, the queue is empty and nothing is
// dead-lettered. On a terminal, a progress line on stderr.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>

#include "cms/token_source.hpp"
#include "commands.hpp"
#include "config/config.hpp"
#include "config/live_config.hpp"
#include "core/duration.hpp"
#include "engine/sync_engine.hpp"
#include "exit_codes.hpp"
#include "ops/ticker.hpp"
#include "log/log.hpp"
#include "net/time_system.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {
namespace {

namespace asio = boost::asio;

std::string progress_line(const engine::EngineProgress& p, double seconds) {
  const auto done = p.writes.done();
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.0f/s", seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
  return "feeds " + std::to_string(p.polled) + "/" + std::to_string(p.feeds) + "  planned " +
         std::to_string(p.planned) + "  done " + std::to_string(done) + "  failed " +
         std::to_string(p.writes.dead_lettered) + "  " + rate;
}

// Redraws the progress line every 250 ms until finished.
class ProgressLine {
 public:
  ProgressLine(asio::io_context& io, net::TimeSystem& time, const engine::SyncEngine& engine)
      : time_(time),
        engine_(engine),
        start_(time.steady_now()),
        ticker_(io.get_executor(), time, std::chrono::milliseconds(250), [this] { draw(); }) {}
  void start() {
    draw();
    ticker_.start();
  }
  void finish() {
    ticker_.stop();
    draw();
    std::cerr << "\n";
  }

 private:
  void draw() {
    const std::chrono::duration<double> elapsed = time_.steady_now() - start_;
    std::cerr << "\r\033[K" << progress_line(engine_.progress(), elapsed.count()) << std::flush;
  }
  net::TimeSystem& time_;
  const engine::SyncEngine& engine_;
  SteadyTime start_;
  ops::Ticker ticker_;
};

// `secrets`: what the log redacts (feed ids appear in Feed API errors).
void print_result(const engine::OnceResult& result, const store::OutboxStats& outbox,
                  const std::vector<std::string>& secrets) {
  for (const auto& feed : result.feeds) {
    if (!feed.ok) {
      std::cout << "feed " << feed.feed << ": poll failed: " << log::redact(feed.error, secrets) << "\n";
      continue;
    }
    const auto& r = *feed.report;
    std::cout << "feed " << feed.feed << ": " << r.seen << " in the feed, " << r.created << " new, "
              << r.updated << " changed, " << r.undeleted << " back, " << r.deleted << " deleted"
              << (r.held_deletes ? ", " + std::to_string(r.held_deletes) + " deletions held" : "")
              << (r.held_moves ? ", " + std::to_string(r.held_moves) +
                                   " moves between items held (translations switched; approve-deletes)"
                             : "")
              << (r.mapping_errors ? ", " + std::to_string(r.mapping_errors) + " not mappable" : "") << "\n";
  }
  for (const auto& name : result.paused) std::cout << "feed " << name << ": paused, not polled\n";
  const auto& w = result.writes;
  std::cout << "cms: " << w.created << " created, " << w.updated << " updated, " << w.undeleted << " restored, "
            << w.deleted << " deleted, " << w.canonical_posted << " canonical links posted, " << w.retried
            << " retries\n";
  std::cout << "queue: " << outbox.total.pending + outbox.total.inflight << " left, " << outbox.total.dead
            << " dead-lettered" << (outbox.total.dead ? " (see feedsyncd status; feedsyncd retry)" : "") << "\n";
}

// once() then a bounded wait for anything still in flight (a deadline can leave CMS calls out),
// so nothing is torn down under a running call.
asio::awaitable<engine::OnceResult> once_then_drain(engine::SyncEngine& engine,
                                                    SteadyTime deadline,
                                                    std::chrono::milliseconds grace) {
  auto result = co_await engine.once(deadline);
  engine.stop();
  if (!co_await engine.drain(grace)) {
    log::warn("CMS calls still in flight at exit; they are retried at the next start");
  }
  co_return result;
}

}  // namespace

int run_once(const CliRequest& request, const config::Config& config) {
  const auto timeout = parse_duration(request.once_timeout);
  if (!timeout) {
    std::cerr << "feedsyncd: once --timeout: expected a duration like 30s or 10m, got \"" << request.once_timeout
              << "\"\n";
    return kExitUsage;
  }
  for (const auto& warning : config.warnings) log::warn(warning);
  auto store = store::Store::open(
      config.state.path, {.access = store::Access::exclusive, .busy_timeout = config.state.busy_timeout});
  if (store.open_warning()) log::warn(*store.open_warning());

  asio::io_context io;
  net::RealTimeSystem clock;
  config::LiveConfig live(std::make_shared<const config::Config>(config));
  engine::SyncEngine engine(io.get_executor(), store, live, clock);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    log::warn("interrupted: finishing the calls in flight, then exiting");
    engine.stop();
  });
  std::optional<ProgressLine> progress;
  if (::isatty(STDERR_FILENO)) {
    progress.emplace(io, clock, engine);
    progress->start();
  }

  const auto deadline = clock.steady_now() + std::chrono::duration_cast<SteadyTime::duration>(*timeout);
  const auto grace = std::chrono::duration_cast<std::chrono::milliseconds>(config.engine.shutdown_timeout);
  auto future = asio::co_spawn(io, once_then_drain(engine, deadline, grace), asio::use_future);
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (io.run_one() == 0) break;  // out of work: the future is ready
  }
  std::optional<engine::OnceResult> result = future.get();
  if (progress) progress->finish();
  signals.cancel();
  io.stop();

  const auto outbox = store.outbox_stats();
  print_result(*result, outbox, redacted_values(config));
  if (result->relay == engine::RelayExit::auth_failed) {
    std::cout << "CMS credentials rejected: " << engine.tokens().status().reason << "\n";
  } else if (result->relay == engine::RelayExit::deadline) {
    std::cout << "gave up after " << request.once_timeout << " with work left in the queue (--timeout)\n";
  }
  for (const auto& [feed, count] : result->held_deletes()) {
    std::cout << "feed " << feed << ": " << count
              << " deletions held by the mass-delete guard (or moves between items, translations switched); check the "
                 "feed, then feedsyncd approve-deletes "
              << feed
              << "\n";
  }
  return result->clean(outbox.total.dead) ? kExitOk : kExitFailure;
}

}  // namespace feedsync::daemon
