#pragma once
// Retry-After (RFC 9110 §10.2.3): how long a server asks us to wait, as delta-seconds ("120") or
// an HTTP-date. Pure: the wall-clock "now" comes from the caller (Clock::system_now()).

#include <chrono>
#include <optional>
#include <string_view>

#include "net/http.hpp"

namespace feedsync::net {

// A server (or a misconfigured proxy) can ask for days; no single request waits that long. The
// outbox may still schedule the operation for later; the cap only bounds one wait.
inline constexpr std::chrono::milliseconds kDefaultRetryAfterCap = std::chrono::hours(1);

// HTTP-date in all three forms recipients must accept (RFC 9110 §5.6.7):
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (two-digit year: the most recent year with
//                those digits that is not more than 50 years after `now`)
//   asctime      "Sun Nov  6 08:49:37 1994"
// The day name must be a valid one but is not checked against the date.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                        std::chrono::system_clock::time_point now);

// Delta-seconds or HTTP-date, surrounding whitespace allowed. A date in the past gives 0; a value
// above `cap` gives `cap`; anything else (empty, negative, fractional, junk) gives nullopt so the
// caller falls back to its own backoff.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now,
    std::chrono::milliseconds cap = kDefaultRetryAfterCap);

// The parsed Retry-After of a response, whatever its status; nullopt for errors and responses
// without a usable header.
std::optional<std::chrono::milliseconds> retry_after(
    const Result& result, std::chrono::system_clock::time_point now,
    std::chrono::milliseconds cap = kDefaultRetryAfterCap);

}  // namespace feedsync::net
