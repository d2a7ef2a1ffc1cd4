#include "ops/status_reporter.hpp"

#include <utility>

namespace feedsync::ops {

StatusReporter::StatusReporter(boost::asio::any_io_executor executor, net::TimeSystem& time, Summary summary,
                               Send send, std::chrono::nanoseconds period)
    : summary_(std::move(summary)),
      send_(std::move(send)),
      ticker_(std::move(executor), time, period, [this] { send_if_changed(); }) {}

void StatusReporter::start() {
  send_if_changed();
  ticker_.start();
}

void StatusReporter::send_if_changed() {
  auto line = summary_();
  if (sent_once_ && line == sent_) return;
  send_(line);
  sent_ = std::move(line);
  sent_once_ = true;
}

}  // namespace feedsync::ops
