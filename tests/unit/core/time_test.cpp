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
