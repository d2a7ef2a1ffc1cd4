#pragma once
// Calls a function every `period` from a timer on the daemon's loop, until stopped: the beat
// under the systemd watchdog pinger (watchdog.hpp) and the loop-lag heartbeat
// (loop_heartbeat.hpp). Each wait is measured from the previous tick, not from the previous
// deadline: after the loop was blocked, a catch-up burst of ticks would be pointless.

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "net/time_system.hpp"

namespace feedsync::ops {

class Ticker {
 public:
  // `time` must outlive the ticker.
  Ticker(boost::asio::any_io_executor executor, net::TimeSystem& time, std::chrono::nanoseconds period,
         std::function<void()> tick);
  ~Ticker();  // stops
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // First tick one period from now. Call on the loop's thread; a second start() is a no-op.
  // The pending wait keeps io_context::run() busy until stop().
  void start();
  // No tick after this returns, including one whose timer had already fired (so `tick` may use
  // whatever its owner destroys after stopping the ticker). Call on the loop's thread.
  void stop();
  bool running() const;

 private:
  struct State;
  static boost::asio::awaitable<void> beat(std::shared_ptr<State> state, std::uint64_t generation);
  std::shared_ptr<State> state_;  // shared with the pending wait, which may outlive the ticker
};

}  // namespace feedsync::ops
