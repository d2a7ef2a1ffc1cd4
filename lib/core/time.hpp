#pragma once
// Wall-clock instants as the project stores them (unix milliseconds UTC) and as people and
// RFC 3339 consumers read them. Pure.

#include <cstdint>
#include <string>

namespace feedsync {

// 1795348800123 -> "2026-11-22T12:00:00.123Z"; whole seconds drop the fraction
// ("2026-11-22T12:00:00Z").
std::string format_rfc3339_ms(std::int64_t unix_ms);

}  // namespace feedsync
