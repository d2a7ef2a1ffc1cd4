// /readyz's checks of the relay's writes (issue 21): a CMS or a canonical-link endpoint failing
// every call used to leave /readyz green.
#include "ops/write_readiness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Target = WriteOutcomes::Target;
const auto t0 = std::chrono::steady_clock::time_point{} + 1000h;

TEST(WriteReadiness, ReadyBeforeAnyWriteAndWhileWritesGoThrough) {
  WriteOutcomes writes;
  auto checks = writes.checks(t0);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].name, "cms_writes");
  EXPECT_EQ(checks[1].name, "canonical_writes");
  EXPECT_TRUE(checks[0].ok);
  EXPECT_EQ(checks[0].detail, "no writes yet");
  writes.success(Target::cms);
  EXPECT_EQ(writes.checks(t0)[0].detail, "writes go through");
}

TEST(WriteReadiness, FailuresWithoutASuccessFailTheCheckAfterTheGraceAndSayWhy) {
  WriteOutcomes writes;
  writes.failure(Target::cms, "HTTP 503 Service Unavailable", t0 - 12s);
  writes.failure(Target::cms, "connection reset by peer", t0 - 1s);
  auto cms = writes.checks(t0, 10s)[0];
  EXPECT_FALSE(cms.ok);
  EXPECT_EQ(cms.detail,
            "2 CMS calls failed in 12s, none succeeded since (retried with backoff): connection reset by peer");
  EXPECT_TRUE(writes.checks(t0, 10s)[1].ok);  // the other target is not affected
  // Within the grace: shown, still ready.
  auto early = writes.checks(t0 - 5s, 10s)[0];
  EXPECT_TRUE(early.ok);
  EXPECT_THAT(early.detail, HasSubstr("failing: 2 CMS calls failed"));
  // One success clears it.
  writes.success(Target::cms);
  EXPECT_TRUE(writes.checks(t0, 10s)[0].ok);
  EXPECT_EQ(writes.checks(t0, 10s)[0].detail, "writes go through");
}

TEST(WriteReadiness, TheCanonicalEndpointHasItsOwnCheck) {
  WriteOutcomes writes;
  writes.success(Target::cms);
  writes.failure(Target::canonical, "HTTP 500", t0 - 30s);
  const auto checks = writes.checks(t0, 10s);
  EXPECT_TRUE(checks[0].ok);
  EXPECT_FALSE(checks[1].ok);
  EXPECT_EQ(checks[1].detail, "1 canonical-link call failed in 30s, none succeeded since (retried with backoff): HTTP 500");
}

}  // namespace
}  // namespace feedsync::ops
