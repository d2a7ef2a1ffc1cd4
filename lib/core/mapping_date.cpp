#include "core/mapping_date.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace feedsync::mapping {
namespace {

constexpr std::string_view kSpecifiers = "YymdejHIpMSsaAbBFTzZ%";

constexpr std::array<std::string_view, 7> kWeekdays = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string padded(long long value, int width, char fill = '0') {
  char buf[32];
  std::snprintf(buf, sizeof buf, fill == '0' ? "%0*lld" : "%*lld", width, value);
  return buf;
}

}  // namespace

std::optional<std::size_t> invalid_date_specifier(std::string_view format) {
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 >= format.size() || kSpecifiers.find(format[i + 1]) == std::string_view::npos) {
      return i;
    }
    ++i;
  }
  return std::nullopt;
}

std::string format_date(std::int64_t unix_ms, std::string_view format) {
  using namespace std::chrono;
  const sys_time<milliseconds> instant{milliseconds(unix_ms)};
  const sys_days day = floor<days>(instant);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> time{instant - day};
  const int year = static_cast<int>(ymd.year());
  const auto month = static_cast<unsigned>(ymd.month());
  const auto mday = static_cast<unsigned>(ymd.day());
  const auto hour = time.hours().count();
  const unsigned weekday = std::chrono::weekday{day}.c_encoding();  // 0 = Sunday
  const auto yday = (day - sys_days{ymd.year() / January / 1}).count() + 1;

  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 >= format.size()) {
      out.push_back(format[i]);
      continue;
    }
    switch (format[++i]) {
      case 'Y': out += padded(year, 4); break;
      case 'y': out += padded(((year % 100) + 100) % 100, 2); break;
      case 'm': out += padded(month, 2); break;
      case 'd': out += padded(mday, 2); break;
      case 'e': out += padded(mday, 2, ' '); break;
      case 'j': out += padded(yday, 3); break;
      case 'H': out += padded(hour, 2); break;
      case 'I': out += padded(hour % 12 == 0 ? 12 : hour % 12, 2); break;
      case 'p': out += hour < 12 ? "AM" : "PM"; break;
      case 'M': out += padded(time.minutes().count(), 2); break;
      case 'S': out += padded(time.seconds().count(), 2); break;
      case 's': out += std::to_string(floor<seconds>(instant).time_since_epoch().count()); break;
      case 'a': out += kWeekdays[weekday].substr(0, 3); break;
      case 'A': out += kWeekdays[weekday]; break;
      case 'b': out += kMonths[month - 1].substr(0, 3); break;
      case 'B': out += kMonths[month - 1]; break;
      case 'F': out += format_date(unix_ms, "%Y-%m-%d"); break;
      case 'T': out += format_date(unix_ms, "%H:%M:%S"); break;
      case 'z': out += "+0000"; break;
      case 'Z': out += "UTC"; break;
      case '%': out += '%'; break;
      default:
        out.push_back('%');
        out.push_back(format[i]);
    }
  }
  return out;
}

}  // namespace feedsync::mapping
