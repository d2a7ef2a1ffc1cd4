#pragma once
// The heartbeat behind /livez's loop-lag check (loop_lag.hpp): a timer on the daemon's event
// loop that ticks every kLoopTickPeriod and tells a LoopLag. Like the systemd watchdog pinger
// (watchdog.hpp) it is on the loop on purpose: it measures the loop it runs on.

#include <chrono>

#include <boost/asio/any_io_executor.hpp>

#include "net/time_system.hpp"
#include "ops/loop_lag.hpp"
#include "ops/ticker.hpp"

namespace feedsync::ops {

class LoopHeartbeat {
 public:
  // `time` reads the clock and makes the timer; it must outlive the heartbeat.
  LoopHeartbeat(boost::asio::any_io_executor executor, net::TimeSystem& time);
  LoopHeartbeat(const LoopHeartbeat&) = delete;
  LoopHeartbeat& operator=(const LoopHeartbeat&) = delete;

  // Call on the loop's thread. The pending timer keeps io_context::run() busy until stop()
  // (destruction stops too).
  void start();
  void stop() { ticker_.stop(); }

  // How far behind the loop is now (LoopLag::stall); zero before start().
  std::chrono::milliseconds stall() const;

 private:
  const Clock& clock_;
  LoopLag lag_;
  Ticker ticker_;
};

}  // namespace feedsync::ops
