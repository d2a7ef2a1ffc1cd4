#include "ops/loop_heartbeat.hpp"

namespace feedsync::ops {

LoopHeartbeat::LoopHeartbeat(boost::asio::any_io_executor executor, net::TimeSystem& time)
    : clock_(time),
      lag_(time.steady_now()),
      ticker_(std::move(executor), time, kLoopTickPeriod, [this] { lag_.tick(clock_.steady_now()); }) {}

void LoopHeartbeat::start() {
  if (ticker_.running()) return;
  lag_ = LoopLag(clock_.steady_now());
  ticker_.start();
}

std::chrono::milliseconds LoopHeartbeat::stall() const {
  if (!ticker_.running()) return std::chrono::milliseconds(0);
  return lag_.stall(clock_.steady_now());
}

}  // namespace feedsync::ops
