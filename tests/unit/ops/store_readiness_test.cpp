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
  health.path = "/var/lib/feedsync/state.db";
  const auto check = store_readiness(health, t0, 10s);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.detail,
            "cannot write the state database /var/lib/feedsync/state.db: 1 failure in 10s without a successful commit: attempt to write a "
            "readonly database");
}

// Issue 21: a nearly full disk takes some commits (free pages inside the database) and fails
// others (whatever needs a new page). Failures that go on between commits are not ready; failures
// that stopped while writes commit again are only shown.
TEST(StoreReadiness, FailuresGoingOnBetweenCommitsAreNotReady) {
  store::WriteHealth health;
  health.failures = 7;
  health.failing_since = t0 - 30s;
  health.last_commit = t0 - 2s;
  health.last_failure = t0 - 1s;
  health.last_error = "database or disk is full";
  health.path = "/srv/state.db";
  auto check = store_readiness(health, t0, 10s);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.detail,
            "cannot write the state database /srv/state.db: 7 failures in 30s (some writes committed meanwhile): "
            "database or disk is full");
  health.last_failure = t0 - 9s;  // recent still
  EXPECT_FALSE(store_readiness(health, t0, 10s).ok);
  health.last_failure = t0 - 12s;  // stopped: commits since, none for the grace
  check = store_readiness(health, t0, 10s);
  EXPECT_TRUE(check.ok);
  EXPECT_THAT(check.detail, HasSubstr("writes failing (7 failures"));
  health.last_commit = t0 - 20s;  // nothing committed since the newest failure: still failing
  EXPECT_FALSE(store_readiness(health, t0, 10s).ok);
}

}  // namespace
}  // namespace feedsync::ops
