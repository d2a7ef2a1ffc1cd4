#pragma once
// Waiting for an observable condition in tests that drive real processes: poll it with a
// deadline instead of sleeping and hoping. Before each look `between` runs — typically
// Process::drain, so a daemon whose stderr nobody reads does not block in write() and look hung.

#include <chrono>
#include <functional>

namespace feedsync::testing {

// True as soon as `condition` holds; false if it still does not once `timeout` has passed.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                const std::function<void()>& between = {},
                std::chrono::milliseconds every = std::chrono::milliseconds(100));

// Lets `duration` pass (a measured window, not an event), running `between` meanwhile.
void wait_window(std::chrono::milliseconds duration, const std::function<void()>& between = {});

}  // namespace feedsync::testing
