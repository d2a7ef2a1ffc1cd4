// Retry-After (lib/net/retry_after.hpp) on arbitrary header values, at a fixed "now" and at the
// edges of the clock: delta-seconds of any length, the three HTTP-date forms, junk. The contract:
// nullopt or a wait within [0, cap]; an HTTP-date that parses is within a sane range.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/retry_after.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const system_clock::time_point nows[] = {
      system_clock::time_point{},                              // 1970
      sys_days{year{2026} / 11 / 22} + hours(12),              // today-ish
      sys_days{year{9999} / 12 / 31} + hours(23),              // far future
  };
  constexpr milliseconds caps[] = {milliseconds(0), feedsync::net::kDefaultRetryAfterCap,
                                   milliseconds::max()};
  for (const auto now : nows) {
    for (const auto cap : caps) {
      auto wait = feedsync::net::parse_retry_after(value, now, cap);
      if (wait && (*wait < milliseconds(0) || *wait > cap)) std::abort();
    }
    (void)feedsync::net::parse_http_date(value, now);
  }
  return 0;
}
