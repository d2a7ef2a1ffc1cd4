#include "core/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace feedsync {
namespace {

struct DurationUnit {
  std::string_view suffix;
  std::uint64_t ms;
};

// Largest first: a sum must walk down this list, which is what makes "30m1h" an error.
constexpr std::array<DurationUnit, 5> kDurationUnits{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

struct RateUnit {
  std::string_view suffix;
  double seconds;
};
constexpr std::array<RateUnit, 3> kRateUnits{{{"s", 1.0}, {"m", 60.0}, {"h", 3600.0}}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text == "0") return Duration::zero();
  if (text.empty()) return std::nullopt;

  const auto limit = static_cast<std::uint64_t>(kMaxDuration.count());
  std::uint64_t total = 0;
  std::size_t next_unit = 0;  // index into kDurationUnits of the largest unit still allowed
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t digits_begin = i;
    std::uint64_t number = 0;
    while (i < text.size() && is_digit(text[i])) {
      const auto digit = static_cast<std::uint64_t>(text[i] - '0');
      if (number > (limit - digit) / 10) return std::nullopt;
      number = number * 10 + digit;
      ++i;
    }
    if (i == digits_begin) return std::nullopt;

    const std::size_t suffix_begin = i;
    while (i < text.size() && is_letter(text[i])) ++i;
    const std::string_view suffix = text.substr(suffix_begin, i - suffix_begin);

    std::size_t unit = next_unit;
    while (unit < kDurationUnits.size() && kDurationUnits[unit].suffix != suffix) ++unit;
    if (unit == kDurationUnits.size()) return std::nullopt;  // unknown, repeated or out of order

    const std::uint64_t factor = kDurationUnits[unit].ms;
    if (number > limit / factor) return std::nullopt;
    const std::uint64_t part = number * factor;
    if (part > limit - total) return std::nullopt;
    total += part;
    next_unit = unit + 1;
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::string format_duration(Duration d) {
  const auto count = d.count();
  // Via unsigned so that the most negative value has a magnitude too.
  std::uint64_t ms = count < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(count)
                               : static_cast<std::uint64_t>(count);
  std::string out = count < 0 ? "-" : "";
  if (ms == 0) return "0s";
  // "1s500ms" would be exact too, but "1500ms" is shorter and reads better.
  if (ms % 1000 != 0) return out + std::to_string(ms) + "ms";
  for (const auto& unit : kDurationUnits) {
    if (unit.ms < 1000) break;
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms);
      out += unit.suffix;
      ms %= unit.ms;
    }
  }
  return out;
}

std::optional<Rate> parse_rate(std::string_view text) {
  if (text == "unlimited" || text == "0") return Rate{0.0};
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;

  const std::string_view number_text = text.substr(0, slash);
  const std::string_view suffix = text.substr(slash + 1);
  double number = 0.0;
  const auto [end, ec] =
      std::from_chars(number_text.data(), number_text.data() + number_text.size(), number);
  if (ec != std::errc{} || end != number_text.data() + number_text.size()) return std::nullopt;
  if (!std::isfinite(number) || number <= 0.0) return std::nullopt;

  for (const auto& unit : kRateUnits) {
    if (unit.suffix != suffix) continue;
    const double per_second = number / unit.seconds;
    // A denormal-small rate rounds to 0, which would silently mean "unlimited".
    if (!(per_second > 0.0)) return std::nullopt;
    return Rate{per_second};
  }
  return std::nullopt;
}

std::string format_rate(Rate r) {
  if (r.unlimited()) return "unlimited";
  for (const auto& unit : kRateUnits) {
    const double count = std::round(r.per_second * unit.seconds);
    // Only a whole number that parses back to exactly the same rate, so formatting round-trips.
    if (count >= 1.0 && count < 1e15 && count / unit.seconds == r.per_second) {
      return std::to_string(static_cast<std::int64_t>(count)) + "/" + std::string(unit.suffix);
    }
  }
  std::array<char, 64> buffer{};
  // 64 characters hold the shortest form of any double, so this cannot fail.
  char* end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), r.per_second).ptr;
  return std::string(buffer.data(), end) + "/s";
}

}  // namespace feedsync
