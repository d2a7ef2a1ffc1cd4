#pragma once
// The /readyz checks of the relay's writes (issue 21): "cms_writes" (content operations: create,
// new version, delete, undelete) and "canonical_writes" (CMP's canonical-link endpoint). Without
// them a CMS or an endpoint failing every call left /readyz green while nothing landed. Fed with
// each operation's outcome on the event loop (the relay's observer); pure: times come in.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/ops_backend.hpp"

namespace feedsync::ops {

// Writes that have all failed for this long (none succeeding since the first) make the daemon
// not ready: a few retried failures are normal, an outage is not.
inline constexpr std::chrono::seconds kWriteFailureGrace{10};

class WriteOutcomes {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  enum class Target { cms, canonical };

  // A retryable or authentication failure with its error; a success clears the target's
  // failures. A permanent failure of one operation (dead-lettered: its data) is neither.
  void failure(Target target, std::string_view error, time_point now);
  void success(Target target);

  // "cms_writes", "canonical_writes", in that order.
  std::vector<ReadinessCheck> checks(time_point now, std::chrono::milliseconds grace = kWriteFailureGrace) const;

 private:
  struct Health {
    std::uint64_t failures = 0;  // since the last success
    std::optional<time_point> failing_since;
    std::string last_error;
    bool succeeded = false;  // ever
  };
  static ReadinessCheck check(std::string name, std::string_view what, const Health& health, time_point now,
                              std::chrono::milliseconds grace);
  Health cms_;
  Health canonical_;
};

}  // namespace feedsync::ops
