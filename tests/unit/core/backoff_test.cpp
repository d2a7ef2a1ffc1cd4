#include "core/backoff.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr std::int64_t kMaxAttempt = std::numeric_limits<std::int64_t>::max();

struct CeilingCase {
  milliseconds base;
  milliseconds cap;
  std::int64_t attempt;
  milliseconds want;
};

class BackoffCeiling : public ::testing::TestWithParam<CeilingCase> {};

TEST_P(BackoffCeiling, IsBaseTimesTwoToTheAttemptsBeforeCappedAndSaturating) {
  const auto& c = GetParam();
  EXPECT_EQ((Backoff{c.base, c.cap}.ceiling(c.attempt)), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BackoffCeiling,
    ::testing::Values(
        // The doubling: base, 2 base, 4 base ... up to the cap.
        CeilingCase{100ms, 5s, 1, 100ms}, CeilingCase{100ms, 5s, 2, 200ms}, CeilingCase{100ms, 5s, 3, 400ms},
        CeilingCase{100ms, 5s, 6, 3200ms}, CeilingCase{100ms, 5s, 7, 5s}, CeilingCase{100ms, 5s, 70, 5s},
        // The relay's defaults (1 s to 10 min) and the poll schedule's (interval 60 s to 15 min).
        CeilingCase{1s, 10min, 10, 512s}, CeilingCase{1s, 10min, 11, 10min}, CeilingCase{60s, 15min, 4, 480s},
        CeilingCase{60s, 15min, 5, 15min},
        // No attempt yet, or a nonsense count, waits the base.
        CeilingCase{100ms, 5s, 0, 100ms}, CeilingCase{100ms, 5s, -7, 100ms},
        // A cap below the base wins: the cap is the longest wait there is.
        CeilingCase{1s, 500ms, 1, 500ms}, CeilingCase{1s, 500ms, 4, 500ms},
        // Zero and negative settings count as zero; nothing doubles from zero.
        CeilingCase{0ms, 5s, 10, 0ms}, CeilingCase{-5ms, 5s, 3, 0ms}, CeilingCase{100ms, -1ms, 3, 0ms},
        // Any attempt up to INT64_MAX: no overflow, no long loop.
        CeilingCase{100ms, 5s, kMaxAttempt, 5s}, CeilingCase{1ms, milliseconds::max(), 63, milliseconds(1LL << 62)},
        CeilingCase{1ms, milliseconds::max(), 64, milliseconds::max()},
        CeilingCase{3ms, milliseconds::max(), kMaxAttempt, milliseconds::max()}));

TEST(BackoffFullJitter, DrawsEveryValueBetweenTheFloorAndTheCeilingAndNothingElse) {
  const Backoff backoff{10ms, 1min};
  std::mt19937 rng(42);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto d = backoff.full_jitter(2, 5ms, rng);  // [5 ms, 20 ms]
    ASSERT_GE(d, 5ms);
    ASSERT_LE(d, 20ms);
    seen.insert(d.count());
  }
  EXPECT_EQ(seen.size(), 16u);  // both ends included
}

TEST(BackoffFullJitter, AFloorAboveTheCeilingGivesTheCeiling) {
  const Backoff backoff{1s, 300ms};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(backoff.full_jitter(3, 500ms, rng), 300ms);
}

TEST(BackoffFullJitter, ZeroFloorReachesZero) {
  const Backoff backoff{4ms, 1s};
  std::mt19937_64 rng(1);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 500; ++i) seen.insert(backoff.full_jitter(1, 0ms, rng).count());
  EXPECT_EQ(seen, (std::set<std::int64_t>{0, 1, 2, 3, 4}));
}

struct SpreadCase {
  milliseconds base;
  milliseconds cap;
  std::int64_t attempt;
  double unit;
  milliseconds want;
};

class BackoffSpread : public ::testing::TestWithParam<SpreadCase> {};

TEST_P(BackoffSpread, ScalesTheCeilingByTenPercentEitherSideAndCapsIt) {
  const auto& c = GetParam();
  EXPECT_EQ((Backoff{c.base, c.cap}.spread_jitter(c.attempt, 0.1, c.unit)), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BackoffSpread,
    ::testing::Values(SpreadCase{60s, 15min, 1, 0.5, 60s}, SpreadCase{60s, 15min, 1, 0.0, 54s},
                      SpreadCase{60s, 15min, 1, 0.999999, 66s}, SpreadCase{60s, 15min, 3, 0.25, 228s},
                      // Draws outside [0, 1) are clamped.
                      SpreadCase{60s, 15min, 1, -3.0, 54s}, SpreadCase{60s, 15min, 1, 7.0, 66s},
                      // Never above the cap, even when the ceiling is the cap already.
                      SpreadCase{60s, 15min, 5, 0.99, 15min}, SpreadCase{60s, 15min, 1000, 0.5, 15min},
                      // Rounded to the nearest millisecond.
                      SpreadCase{5ms, 1s, 1, 0.0, 5ms} /* 4.5 rounds up */,
                      SpreadCase{7ms, 1s, 1, 0.0, 6ms} /* 6.3 */,
                      // An uncapped schedule may go above its ceiling.
                      SpreadCase{1h, milliseconds::max(), 1, 0.75, 3'780'000ms}));

}  // namespace
}  // namespace feedsync
