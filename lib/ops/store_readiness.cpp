#include "ops/store_readiness.hpp"

#include <string>

namespace feedsync::ops {
namespace {

std::string seconds(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

ReadinessCheck store_readiness(const store::WriteHealth& health, std::chrono::steady_clock::time_point now,
                               std::chrono::milliseconds grace) {
  if (health.failures == 0) {
    return {"store", true,
            health.last_commit ? "writable (last commit " + seconds(now - *health.last_commit) + " ago)"
                               : "writable (nothing committed yet)"};
  }
  const auto failing_for = health.failing_since ? now - *health.failing_since : std::chrono::steady_clock::duration{};
  const bool committed_since = health.last_commit && health.failing_since && *health.last_commit > *health.failing_since;
  const std::string what = std::to_string(health.failures) + (health.failures == 1 ? " failure" : " failures") +
                           " in " + seconds(failing_for) +
                           (committed_since ? " (some writes committed meanwhile): " : " without a successful commit: ") +
                           health.last_error;
  // Still failing: nothing committed since the newest failure, or it is recent. Failures that
  // stopped while writes commit again are only shown until a commit clears them.
  const bool still_failing = !health.last_failure || !health.last_commit || *health.last_commit < *health.last_failure ||
                             now - *health.last_failure < grace;
  if (failing_for < grace || !still_failing) return {"store", true, "writes failing (" + what + ")"};
  const std::string database = health.path.empty() ? "" : " " + health.path.string();
  return {"store", false, "cannot write the state database" + database + ": " + what};
}

}  // namespace feedsync::ops
