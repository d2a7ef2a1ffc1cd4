#include "net/retry_after.hpp"

#include <array>
#include <cstdint>

#include "core/strings.hpp"

namespace feedsync::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

constexpr std::array<std::string_view, 7> kShortDays = {"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 makes the names case-sensitive; real servers are not always that careful, and a
// lenient reading (iequals_ascii) costs nothing here.
template <std::size_t N>
bool one_of(std::string_view word, const std::array<std::string_view, N>& names) {
  for (auto name : names)
    if (iequals_ascii(word, name)) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : s_(text) {}
  bool done() const { return pos_ == s_.size(); }
  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool literal(std::string_view lit) {
    if (!iequals_ascii(s_.substr(pos_, lit.size()), lit)) return false;
    pos_ += lit.size();
    return true;
  }
  std::string_view word() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && is_alpha(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::optional<int> digits(std::size_t count) {
    if (s_.size() - pos_ < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = s_[pos_ + i];
      if (!is_digit(c)) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }
  std::optional<int> month() {
    const std::string_view name = s_.substr(pos_, 3);
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (iequals_ascii(name, kMonths[i])) {
        pos_ += 3;
        return static_cast<int>(i) + 1;
      }
    }
    return std::nullopt;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool time_of_day(Cursor& c, Fields& f) {
  auto h = c.digits(2);
  if (!h || !c.literal(":")) return false;
  auto m = c.digits(2);
  if (!m || !c.literal(":")) return false;
  auto s = c.digits(2);
  if (!s) return false;
  f.hour = *h;
  f.minute = *m;
  f.second = *s;
  return true;
}

// "06 Nov 1994 08:49:37 GMT" (after "Sun, ")
bool imf_fixdate(Cursor& c, Fields& f) {
  auto d = c.digits(2);
  if (!d || !c.literal(" ")) return false;
  auto m = c.month();
  if (!m || !c.literal(" ")) return false;
  auto y = c.digits(4);
  if (!y || !c.literal(" ") || !time_of_day(c, f) || !c.literal(" GMT")) return false;
  f.day = *d;
  f.month = *m;
  f.year = *y;
  return true;
}

// "06-Nov-94 08:49:37 GMT" (after "Sunday, ")
bool rfc850_date(Cursor& c, Fields& f, std::chrono::year now_year) {
  auto d = c.digits(2);
  if (!d || !c.literal("-")) return false;
  auto m = c.month();
  if (!m || !c.literal("-")) return false;
  auto yy = c.digits(2);
  if (!yy || !c.literal(" ") || !time_of_day(c, f) || !c.literal(" GMT")) return false;
  const int current = static_cast<int>(now_year);
  int year = current - current % 100 + *yy;
  if (year > current + 50) year -= 100;
  f.day = *d;
  f.month = *m;
  f.year = year;
  return true;
}

// "Nov  6 08:49:37 1994" (after "Sun ")
bool asctime_date(Cursor& c, Fields& f) {
  auto m = c.month();
  if (!m || !c.literal(" ")) return false;
  std::optional<int> d;
  if (c.literal(" ")) {
    d = c.digits(1);
  } else {
    d = c.digits(2);
  }
  if (!d || !c.literal(" ") || !time_of_day(c, f) || !c.literal(" ")) return false;
  auto y = c.digits(4);
  if (!y) return false;
  f.day = *d;
  f.month = *m;
  f.year = *y;
  return true;
}

std::optional<std::chrono::sys_seconds> to_time_point(const Fields& f) {
  using namespace std::chrono;
  const year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)},
                            day{static_cast<unsigned>(f.day)}};
  // Second 60 is a leap second; it lands on the next minute, which is what it means.
  if (!date.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  return sys_seconds(sys_days(date)) + hours(f.hour) + minutes(f.minute) + seconds(f.second);
}

std::optional<milliseconds> parse_delta_seconds(std::string_view text, milliseconds cap) {
  if (text.empty()) return std::nullopt;
  const std::int64_t cap_seconds = std::chrono::ceil<std::chrono::seconds>(cap).count();
  std::int64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    // Saturate instead of overflowing: every digit still has to be a digit.
    if (value <= cap_seconds) value = value * 10 + (c - '0');
  }
  if (value > cap_seconds) return cap;
  const milliseconds wait = std::chrono::seconds(value);
  return wait < cap ? wait : cap;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                        system_clock::time_point now) {
  Cursor c(text);
  const std::string_view day_name = c.word();
  Fields f;
  bool ok = false;
  if (c.literal(", ")) {
    if (one_of(day_name, kShortDays)) {
      ok = imf_fixdate(c, f);
    } else if (one_of(day_name, kLongDays)) {
      const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now)};
      ok = rfc850_date(c, f, today.year());
    }
  } else if (one_of(day_name, kShortDays) && c.literal(" ")) {
    ok = asctime_date(c, f);
  }
  if (!ok || !c.done()) return std::nullopt;
  return to_time_point(f);
}

std::optional<milliseconds> parse_retry_after(std::string_view value, system_clock::time_point now,
                                              milliseconds cap) {
  if (cap < milliseconds::zero()) cap = milliseconds::zero();
  value = trim(value);
  if (!value.empty() && is_digit(value.front())) return parse_delta_seconds(value, cap);
  const auto date = parse_http_date(value, now);
  if (!date) return std::nullopt;
  // Compared in milliseconds: a date in year 9999 does not fit system_clock's nanoseconds.
  const auto now_ms = std::chrono::floor<milliseconds>(now);
  if (*date <= now_ms) return milliseconds::zero();
  const milliseconds wait = *date - now_ms;
  return wait < cap ? wait : cap;
}

std::optional<milliseconds> retry_after(const Result& result, system_clock::time_point now,
                                        milliseconds cap) {
  if (!result) return std::nullopt;
  const auto header = result->headers.get("Retry-After");
  if (!header) return std::nullopt;
  return parse_retry_after(*header, now, cap);
}

}  // namespace feedsync::net
