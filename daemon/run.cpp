// `feedsyncd run`: the long-running daemon. Today it takes the parts that exist: the validated
// configuration, logging, and the state store held exclusively (so a second daemon on the same
// database refuses to start). The sync engine (scheduler, outbox relay) is not built yet; until
// it is, `run` says so loudly and idles until SIGTERM/SIGINT instead of pretending to sync.
#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "commands.hpp"
#include "config/config.hpp"
#include "exit_codes.hpp"
#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::daemon {

int run_daemon(const CliRequest&, const config::Config& config) {
  auto store = store::Store::open(
      config.state.path, {.access = store::Access::exclusive, .busy_timeout = config.state.busy_timeout});
  for (const auto& feed : config.feeds) store.ensure_feed(feed.name, feed.feed_id);
  log::info("feedsyncd started", {{"config", config.file.string()},
                                  {"state", config.state.path.string()},
                                  {"feeds", std::to_string(config.feeds.size())}});
  log::warn("the sync engine is not built yet: feedsyncd holds the state database and idles "
            "until stopped; no feed is polled and nothing is written to the CMS");

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) received = signal;
  });
  io.run();
  log::info("feedsyncd stopping", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return kExitOk;
}

}  // namespace feedsync::daemon
