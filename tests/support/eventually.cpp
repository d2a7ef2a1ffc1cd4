#include "support/eventually.hpp"

#include <thread>

namespace feedsync::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                const std::function<void()>& between, std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (between) between();
    if (condition()) return true;
    std::this_thread::sleep_for(every);  // polling an observable condition, with a deadline
  }
  if (between) between();
  return condition();
}

void wait_window(std::chrono::milliseconds duration, const std::function<void()>& between) {
  eventually([] { return false; }, duration, between);
}

}  // namespace feedsync::testing
