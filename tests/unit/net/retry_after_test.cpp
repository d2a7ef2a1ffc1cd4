#include "net/retry_after.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace feedsync::net {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kNow{seconds(1795348800)};  // Sun, 22 Nov 2026 12:00:00 GMT

TEST(RetryAfter, DeltaSeconds) {
  EXPECT_EQ(parse_retry_after("0", kNow), milliseconds(0));
  EXPECT_EQ(parse_retry_after("1", kNow), seconds(1));
  EXPECT_EQ(parse_retry_after("120", kNow), seconds(120));
  EXPECT_EQ(parse_retry_after("007", kNow), seconds(7));
  EXPECT_EQ(parse_retry_after("  30\t", kNow), seconds(30));  // optional whitespace around it
}

TEST(RetryAfter, HugeValuesAreCapped) {
  EXPECT_EQ(parse_retry_after("3600", kNow), hours(1));
  EXPECT_EQ(parse_retry_after("3601", kNow), hours(1));
  EXPECT_EQ(parse_retry_after("99999999999999999999999999999", kNow), hours(1));  // no overflow
  EXPECT_EQ(parse_retry_after("90", kNow, seconds(60)), seconds(60));
  EXPECT_EQ(parse_retry_after("Mon, 23 Nov 2026 12:00:00 GMT", kNow), hours(1));
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kNow), hours(1));
  EXPECT_EQ(parse_retry_after("5", kNow, milliseconds(0)), milliseconds(0));
}

TEST(RetryAfter, ImfFixdate) {
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 12:00:30 GMT", kNow), seconds(30));
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 12:05:00 GMT", kNow), seconds(300));
  // The day name must be a day name, but need not match the date.
  EXPECT_EQ(parse_retry_after("Wed, 22 Nov 2026 12:00:10 GMT", kNow), seconds(10));
  // Lenient about case, as some servers are sloppy.
  EXPECT_EQ(parse_retry_after("sun, 22 nov 2026 12:00:10 gmt", kNow), seconds(10));
}

TEST(RetryAfter, Rfc850Date) {
  EXPECT_EQ(parse_retry_after("Sunday, 22-Nov-26 12:01:00 GMT", kNow), seconds(60));
  // Two-digit years: the most recent year with those digits not more than 50 years ahead.
  const auto y2076 = parse_http_date("Sunday, 01-Jan-76 00:00:00 GMT", kNow);
  const auto y1977 = parse_http_date("Sunday, 01-Jan-77 00:00:00 GMT", kNow);
  const auto y1994 = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow);
  ASSERT_TRUE(y2076 && y1977 && y1994);
  using std::chrono::year_month_day;
  EXPECT_EQ(year_month_day(std::chrono::floor<std::chrono::days>(*y2076)).year(),
            std::chrono::year(2076));
  EXPECT_EQ(year_month_day(std::chrono::floor<std::chrono::days>(*y1977)).year(),
            std::chrono::year(1977));
  EXPECT_EQ(y1994->time_since_epoch(), seconds(784111777));
}

TEST(RetryAfter, AsctimeDate) {
  EXPECT_EQ(parse_retry_after("Sun Nov 22 12:00:45 2026", kNow), seconds(45));
  const auto single_digit_day = parse_http_date("Sun Nov  6 08:49:37 1994", kNow);
  ASSERT_TRUE(single_digit_day);
  EXPECT_EQ(single_digit_day->time_since_epoch(), seconds(784111777));
}

TEST(RetryAfter, AllThreeFormsAgree) {
  const auto imf = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", kNow);
  const auto rfc850 = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow);
  const auto asctime = parse_http_date("Sun Nov  6 08:49:37 1994", kNow);
  ASSERT_TRUE(imf && rfc850 && asctime);
  EXPECT_EQ(*imf, *rfc850);
  EXPECT_EQ(*imf, *asctime);
}

TEST(RetryAfter, PastDatesMeanNow) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kNow), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 12:00:00 GMT", kNow), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 11:59:59 GMT", kNow), milliseconds(0));
}

TEST(RetryAfter, SubSecondNowRoundsTheWaitUp) {
  const auto now = kNow + milliseconds(250);
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 12:00:01 GMT", now), milliseconds(750));
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 12:00:01 GMT", kNow + std::chrono::microseconds(1)),
            milliseconds(1000));
}

TEST(RetryAfter, LeapSecondIsAccepted) {
  EXPECT_EQ(parse_retry_after("Sun, 22 Nov 2026 12:00:60 GMT", kNow), seconds(60));
}

TEST(RetryAfter, GarbageIsRejected) {
  for (const char* text : {
           "",
           " ",
           "soon",
           "-1",
           "+5",
           "1.5",
           "5s",
           "5 5",
           "1e3",
           "0x10",
           "5,6",
           "Sun, 22 Nov 2026 12:00:30",           // no GMT
           "Sun, 22 Nov 2026 12:00:30 UTC",       // only GMT is allowed
           "Sun, 22 Nov 2026 12:00:30 GMT junk",  // trailing text
           "Sun 22 Nov 2026 12:00:30 GMT",        // missing comma
           "Xyz, 22 Nov 2026 12:00:30 GMT",       // no such day
           "Sunday, 22 Nov 2026 12:00:30 GMT",    // long day name with IMF date
           "Sun, 22-Nov-26 12:00:30 GMT",         // short day name with RFC 850 date
           "Sun, 2 Nov 2026 12:00:30 GMT",        // day needs two digits
           "Sun, 22 Foo 2026 12:00:30 GMT",       // no such month
           "Sun, 30 Feb 2026 12:00:30 GMT",       // no such date
           "Sun, 22 Nov 2026 24:00:00 GMT",       // hour out of range
           "Sun, 22 Nov 2026 12:60:00 GMT",       // minute out of range
           "Sun, 22 Nov 2026 12:00:61 GMT",       // second out of range
           "Sun, 22 Nov 26 12:00:30 GMT",         // IMF needs four digits
           "Sun Nov 22 12:00:30 26",              // asctime needs four digits
           "Sun Nov 6 08:49:37 1994",             // asctime pads single digits with a space
           "2026-11-22T12:00:30Z",                // RFC 3339 is not an HTTP-date
       }) {
    EXPECT_EQ(parse_retry_after(text, kNow), std::nullopt) << '"' << text << '"';
  }
}

TEST(RetryAfter, FromAResult) {
  Result with_header = Response{503, {{"retry-after", "12"}}, {}};
  EXPECT_EQ(retry_after(with_header, kNow), seconds(12));
  Result without = Response{503, {}, {}};
  EXPECT_EQ(retry_after(without, kNow), std::nullopt);
  Result error = unexpected(Error{ErrorKind::timeout, "t"});
  EXPECT_EQ(retry_after(error, kNow), std::nullopt);
  EXPECT_EQ(retry_after(with_header, kNow, seconds(5)), seconds(5));
}

}  // namespace
}  // namespace feedsync::net
