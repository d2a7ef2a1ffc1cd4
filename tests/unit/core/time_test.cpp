#include "core/time.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

TEST(FormatRfc3339, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_ms(1795348800000), "2026-11-22T12:00:00Z");
}

TEST(FormatRfc3339, MillisecondsAreKept) {
  EXPECT_EQ(format_rfc3339_ms(1795348800123), "2026-11-22T12:00:00.123Z");
  EXPECT_EQ(format_rfc3339_ms(1795348800007), "2026-11-22T12:00:00.007Z");
}

TEST(FormatRfc3339, LeapDayAndEndOfYear) {
  EXPECT_EQ(format_rfc3339_ms(1709164800000), "2024-02-29T00:00:00Z");
  EXPECT_EQ(format_rfc3339_ms(1735689599999), "2024-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339, BeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339_ms(-1000), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace feedsync

namespace feedsync {
namespace {

TEST(ParseRfc3339, ZuluAndOffsetsAreTheSameInstant) {
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T12:01:43Z"), 1753358503000);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T12:01:43+00:00"), 1753358503000);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T14:01:43+02:00"), 1753358503000);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T06:31:43-05:30"), 1753358503000);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24t12:01:43z"), 1753358503000);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24 12:01:43Z"), 1753358503000);
}

TEST(ParseRfc3339, FractionsAreTruncatedToMilliseconds) {
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T11:00:00.000Z"), 1753354800000);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T11:00:00.5Z"), 1753354800500);
  EXPECT_EQ(parse_rfc3339_ms("2025-07-24T11:00:00.123456789Z"), 1753354800123);
}

TEST(ParseRfc3339, RoundTripsWithFormat) {
  for (std::int64_t ms : {0LL, 1795348800123LL, 1709164800000LL, 951782400999LL})
    EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms) << ms;
}

TEST(ParseRfc3339, LeapSecondFoldsIntoTheLastSecond) {
  EXPECT_EQ(parse_rfc3339_ms("2016-12-31T23:59:60Z"), parse_rfc3339_ms("2016-12-31T23:59:59Z"));
}

TEST(ParseRfc3339, RejectsWhatIsNotRfc3339) {
  for (const char* bad :
       {"", "2025-07-24", "2025-07-24T12:01:43", "2025-07-24T12:01Z", "2025-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-07-24T24:00:00Z",
        "2025-07-24T12:60:00Z", "2025-07-24T12:01:43.Z", "2025-07-24T12:01:43+0200",
        "2025-07-24T12:01:43+02:00x", "2025/07/24T12:01:43Z", "yesterday", "2025-07-24T12:01:43ZZ",
        " 2025-07-24T12:01:43Z"}) {
    EXPECT_FALSE(parse_rfc3339_ms(bad).has_value()) << bad;
  }
}

// fuzz/rfc3339 found "9999-12-31T23:59:59-23:59": accepted, but in UTC it is in the year 10000,
// and format_rfc3339_ms wrote "10000-01-01T23:58:59Z", which is not RFC 3339 (nor parsed back).
TEST(ParseRfc3339, RejectsTimesWhoseUtcFormIsOutsideYears0To9999) {
  EXPECT_EQ(parse_rfc3339_ms("9999-12-31T23:59:59-23:59"), std::nullopt);
  EXPECT_EQ(parse_rfc3339_ms("0000-01-01T00:00:00+00:01"), std::nullopt);
  const auto last = parse_rfc3339_ms("9999-12-31T23:59:59.999Z");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(format_rfc3339_ms(*last), "9999-12-31T23:59:59.999Z");
  const auto first = parse_rfc3339_ms("0000-01-01T00:00:00Z");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(format_rfc3339_ms(*first), "0000-01-01T00:00:00Z");
  // 9999-12-31T00:00:59Z: a large offset is fine while the UTC form stays in range.
  EXPECT_EQ(parse_rfc3339_ms("9999-12-31T23:59:59+23:59"), *last - 86'340'999);
}

}  // namespace
}  // namespace feedsync
