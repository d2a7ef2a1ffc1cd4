#pragma once
// The STATUS= line for `systemctl status`: the engine's summary, sent when it changed, at most
// once per period (with many feeds a line per poll cost more than the polls: the summary reads
// every feed and the outbox). Beats on a Ticker, so its timer comes from the TimeSystem.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "net/time_system.hpp"
#include "ops/ticker.hpp"

namespace feedsync::ops {

class StatusReporter {
 public:
  using Summary = std::function<std::string()>;
  using Send = std::function<void(std::string_view line)>;  // SdNotifier::status in the daemon

  StatusReporter(boost::asio::any_io_executor executor, net::TimeSystem& time, Summary summary, Send send,
                 std::chrono::nanoseconds period = std::chrono::seconds(1));

  // Sends the current line at once (READY=1 time) and then every period when it changed.
  void start();
  // Nothing is sent after this returns (STOPPING=1 must be the last word).
  void stop() { ticker_.stop(); }

 private:
  void send_if_changed();

  Summary summary_;
  Send send_;
  std::string sent_;
  bool sent_once_ = false;
  Ticker ticker_;
};

}  // namespace feedsync::ops
