#include "ops/store_readiness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
const auto t0 = std::chrono::steady_clock::time_point{} + 1000h;

TEST(StoreReadiness, ReadyWhileWritesGoThrough) {
  store::WriteHealth health;
  EXPECT_TRUE(store_readiness(health, t0).ok);
  EXPECT_EQ(store_readiness(health, t0).detail, "writable (nothing committed yet)");
  health.last_commit = t0 - 3s;
  EXPECT_EQ(store_readiness(health, t0).detail, "writable (last commit 3s ago)");
  EXPECT_EQ(store_readiness(health, t0).name, "store");
}

TEST(StoreReadiness, AShortFailureIsShownButNotYetUnready) {
  store::WriteHealth health;
  health.failures = 2;
  health.failing_since = t0 - 4s;
  health.last_error = "database or disk is full (free some disk space)";
  const auto check = store_readiness(health, t0, 10s);
  EXPECT_TRUE(check.ok);
  EXPECT_THAT(check.detail, HasSubstr("writes failing (2 failures in 4s"));
  EXPECT_THAT(check.detail, HasSubstr("disk is full"));
}

TEST(StoreReadiness, FailingPastTheGraceIsNotReadyAndSaysWhy) {
  store::WriteHealth health;
  health.failures = 1;
  health.failing_since = t0 - 10s;
  health.last_error = "attempt to write a readonly database";
  const auto check = store_readiness(health, t0, 10s);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.detail,
            "cannot write the state database: 1 failure in 10s without a successful commit: attempt to write a "
            "readonly database");
}

}  // namespace
}  // namespace feedsync::ops
