#include "core/time.hpp"

#include <chrono>
#include <cstdio>

namespace feedsync {

std::string format_rfc3339_ms(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> instant{milliseconds(unix_ms)};
  const auto day = floor<days>(instant);
  const year_month_day ymd{day};
  const hh_mm_ss hms{instant - day};
  char buf[64];
  const int millis = static_cast<int>(hms.subseconds().count());
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string out(buf);
  if (millis != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", millis);
    out += buf;
  }
  out += 'Z';
  return out;
}

}  // namespace feedsync
