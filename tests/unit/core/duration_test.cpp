#include "core/duration.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace feedsync {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("30s"), seconds(30));
  EXPECT_EQ(parse_duration("5m"), minutes(5));
  EXPECT_EQ(parse_duration("1h"), hours(1));
  EXPECT_EQ(parse_duration("2d"), hours(48));
}

TEST(ParseDuration, Sums) {
  EXPECT_EQ(parse_duration("1h30m"), minutes(90));
  EXPECT_EQ(parse_duration("1d2h3m4s5ms"), hours(26) + minutes(3) + seconds(4) + milliseconds(5));
  EXPECT_EQ(parse_duration("1s500ms"), milliseconds(1500));
  EXPECT_EQ(parse_duration("90s"), seconds(90));  // a part may exceed the next unit up
}

TEST(ParseDuration, Zero) {
  EXPECT_EQ(parse_duration("0"), Duration::zero());
  EXPECT_EQ(parse_duration("0s"), Duration::zero());
  EXPECT_EQ(parse_duration("0ms"), Duration::zero());
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* text :
       {"",   "often", "30",  "s",    "1.5s",  "-5s",   "+5s",    " 5s",  "5s ",   "5 s",
        "5S", "5sec",  "5us", "1h1h", "30m1h", "1ms1s", "1h 30m", "1h30", "0x10s", "5s;"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(ParseDuration, MaximumIsTheWholeDaysThatFitInNanoseconds) {
  EXPECT_EQ(parse_duration("106751d"), hours(106751 * 24));
  EXPECT_EQ(format_duration(kMaxDuration), "106751d");
  EXPECT_EQ(parse_duration("106752d"), std::nullopt);
  EXPECT_EQ(parse_duration("106751d1ms"), std::nullopt);
  EXPECT_EQ(parse_duration(std::to_string(kMaxDuration.count() + 1) + "ms"), std::nullopt);
  EXPECT_EQ(parse_duration(std::to_string(kMaxDuration.count()) + "ms"), kMaxDuration);
}

TEST(ParseDuration, RejectsOverflowInEveryStep) {
  // Digits alone overflow, the unit multiplication overflows, and the sum overflows.
  EXPECT_EQ(parse_duration("99999999999999999999999999ms"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775807s"), std::nullopt);
  EXPECT_EQ(parse_duration("106750d24h1s"), std::nullopt);
}

TEST(FormatDuration, ShortestExactForm) {
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(seconds(30)), "30s");
  EXPECT_EQ(format_duration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(format_duration(hours(1)), "1h");
  EXPECT_EQ(format_duration(minutes(90)), "1h30m");
  EXPECT_EQ(format_duration(hours(49) + seconds(1)), "2d1h1s");
}

TEST(FormatDuration, NegativeValuesKeepTheirSign) {
  EXPECT_EQ(format_duration(-seconds(5)), "-5s");
  EXPECT_EQ(format_duration(Duration::min()), "-9223372036854775808ms");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999}, std::int64_t{1000},
                          std::int64_t{61'000}, std::int64_t{3'600'001}, std::int64_t{86'400'000},
                          std::int64_t{90'061'000}, kMaxDuration.count()}) {
    const Duration d(ms);
    EXPECT_EQ(parse_duration(format_duration(d)), d) << ms;
  }
  for (const char* text : {"250ms", "30s", "5m", "1h", "1h30m", "2d", "1d1h1m1s"}) {
    EXPECT_EQ(format_duration(*parse_duration(text)), text);
  }
}

TEST(ParseRate, Units) {
  EXPECT_EQ(parse_rate("10/s"), Rate{10.0});
  EXPECT_EQ(parse_rate("600/m"), Rate{10.0});
  EXPECT_EQ(parse_rate("36000/h"), Rate{10.0});
  EXPECT_EQ(parse_rate("2.5/s"), Rate{2.5});
  EXPECT_DOUBLE_EQ(parse_rate("1/m")->per_second, 1.0 / 60.0);
}

TEST(ParseRate, Unlimited) {
  ASSERT_TRUE(parse_rate("unlimited"));
  EXPECT_TRUE(parse_rate("unlimited")->unlimited());
  EXPECT_TRUE(parse_rate("0")->unlimited());
  EXPECT_FALSE(parse_rate("1/h")->unlimited());
}

TEST(ParseRate, RejectsMalformedText) {
  for (const char* text : {"", "10", "10/", "/s", "10/x", "10/sec", "10 /s", "-1/s", "0/s", "0.0/m",
                           "nan/s", "inf/s", "1e-323/h", "ten/s", "10/s/s", "Unlimited", "+5/s"}) {
    EXPECT_EQ(parse_rate(text), std::nullopt) << text;
  }
}

TEST(FormatRate, PicksTheUnitThatGivesAWholeNumber) {
  EXPECT_EQ(format_rate(Rate{}), "unlimited");
  EXPECT_EQ(format_rate(Rate{10.0}), "10/s");
  EXPECT_EQ(format_rate(Rate{1.0 / 60.0}), "1/m");
  EXPECT_EQ(format_rate(Rate{1.0 / 3600.0}), "1/h");
  EXPECT_EQ(format_rate(Rate{2.5}), "150/m");
  EXPECT_EQ(format_rate(Rate{1e-5}), "1e-05/s");  // 0.036/h: no whole number in any unit
}

TEST(FormatRate, RoundTripsThroughParse) {
  for (double per_second : {0.0, 0.001, 1.0 / 7.0, 2.5, 10.0, 123456.789, 1e300}) {
    const Rate r{per_second};
    const auto parsed = parse_rate(format_rate(r));
    ASSERT_TRUE(parsed) << format_rate(r);
    EXPECT_EQ(*parsed, r) << format_rate(r);
  }
  for (const char* text : {"10/s", "1/m", "7/h", "unlimited"}) {
    EXPECT_EQ(format_rate(*parse_rate(text)), text);
  }
}

}  // namespace
}  // namespace feedsync
