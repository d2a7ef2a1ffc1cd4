#pragma once
// Wall-clock instants as the project stores them (unix milliseconds UTC) and as people and
// RFC 3339 consumers read them. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace feedsync {

// 1795348800123 -> "2026-11-22T12:00:00.123Z"; whole seconds drop the fraction
// ("2026-11-22T12:00:00Z").
std::string format_rfc3339_ms(std::int64_t unix_ms);

// RFC 3339 date-time -> unix ms UTC. Accepts "Z"/"z" or a numeric offset ("+00:00", "-05:30"),
// "T", "t" or a space between date and time, and any number of fractional digits (truncated to
// milliseconds). Validates ranges (month 1-12, day within the month, leap years, hour < 24,
// minute < 60, second <= 60 with a leap second folded into :59). A time whose UTC form is
// outside the years 0000..9999 ("9999-12-31T23:59:59-01:00") is rejected too: RFC 3339 could
// not write it back. Anything else: nullopt.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace feedsync
