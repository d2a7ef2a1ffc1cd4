#pragma once
// The heartbeat behind /livez's loop-lag check (loop_lag.hpp): a timer on the daemon's event
// loop that ticks every kLoopTickPeriod and tells a LoopLag. Like the systemd watchdog pinger
// (watchdog.hpp) it is on the loop on purpose: it measures the loop it runs on.

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "core/clock.hpp"

namespace feedsync::ops {

class LoopHeartbeat {
 public:
  // `clock` must outlive the heartbeat's ticks, that is until stop() or destruction.
  LoopHeartbeat(boost::asio::any_io_executor executor, const Clock& clock);
  ~LoopHeartbeat();  // stops
  LoopHeartbeat(const LoopHeartbeat&) = delete;
  LoopHeartbeat& operator=(const LoopHeartbeat&) = delete;

  // Call on the loop's thread. The pending timer keeps io_context::run() busy until stop().
  void start();
  void stop();

  // How far behind the loop is now (LoopLag::stall); zero before start().
  std::chrono::milliseconds stall() const;

 private:
  struct State;
  static void arm(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;  // shared with the pending timer handler, which may outlive us
};

}  // namespace feedsync::ops
