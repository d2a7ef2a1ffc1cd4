#pragma once
// Durations and rates as written by people in configuration and shown back in status output.
// Pure functions: no I/O; errors come back as std::nullopt so callers can name the key.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace feedsync {

using Duration = std::chrono::milliseconds;

// The longest accepted duration, 106751d (about 292 years): the whole days that fit in
// std::chrono::nanoseconds, so converting to a timer's clock can never overflow.
inline constexpr Duration kMaxDuration = std::chrono::hours(24 * 106751);
static_assert(kMaxDuration <= std::chrono::nanoseconds::max());

// "250ms", "30s", "5m", "1h", "2d", and sums such as "1h30m". Zero is "0" or "0s".
// Units: ms, s, m, h, d. Each part is a whole number; in a sum the units go from largest to
// smallest, each at most once ("1h30m", not "30m1h"), so typos such as "1m1m" are caught.
// Rejects negative values, missing units, unknown units, spaces and anything above kMaxDuration.
std::optional<Duration> parse_duration(std::string_view text);

// Shortest exact form: 90000ms -> "1m30s", 1500ms -> "1500ms", 0 -> "0s".
// parse_duration(format_duration(d)) == d for every 0 <= d <= kMaxDuration.
std::string format_duration(Duration d);

// A request rate: "10/s", "600/m", "36000/h", "2.5/s". "0" or "unlimited" means no limit.
// The number must be positive and finite ("0/s" is rejected: it would mean "never").
struct Rate {
  double per_second = 0.0;  // 0 = unlimited
  bool unlimited() const { return per_second <= 0.0; }
  friend bool operator==(const Rate&, const Rate&) = default;
};
std::optional<Rate> parse_rate(std::string_view text);
// "unlimited", or the whole-number form in the smallest unit that has one ("10/s", "1/m"),
// else the shortest decimal per second ("2.5/s").
std::string format_rate(Rate r);

}  // namespace feedsync
