// "audit:NAME" (issue 22): unready only while the last periodic audit found items missing or
// deleted in the CMS.
#include "ops/audit_summary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

using ::testing::HasSubstr;

AuditSummary summary(std::map<std::string, std::int64_t> counts) { return {"blog", std::move(counts), std::nullopt, 1}; }

TEST(AuditReadiness, FailsOnlyOnMissingOrDeletedItems) {
  struct Case {
    const char* name;
    std::optional<AuditSummary> last;
    bool ok;
    const char* detail;
  };
  auto incomplete = summary({{"deleted", 3}});
  incomplete.error = "CMS listing of container c: HTTP 500";
  const std::vector<Case> cases = {
      {"no audit yet", std::nullopt, true, "no audit yet"},
      {"clean", summary({{"ok", 10}}), true, "10 ok"},
      {"a deleted item", summary({{"ok", 9}, {"deleted", 1}}), false, "0 missing, 1 deleted in the CMS"},
      {"a missing item", summary({{"ok", 9}, {"missing", 1}}), false, "1 missing, 0 deleted"},
      {"edits, moves, orphans: drift, still ready",
       summary({{"ok", 6}, {"edited", 1}, {"unpublished", 1}, {"moved", 1}, {"orphans", 1}}), true,
       "4 other drift"},
      {"an incomplete audit says why, stays ready", incomplete, true, "HTTP 500"},
  };
  for (const auto& c : cases) {
    const auto check = audit_readiness("blog", c.last ? &*c.last : nullptr);
    EXPECT_EQ(check.name, "audit:blog");
    EXPECT_EQ(check.ok, c.ok) << c.name;
    EXPECT_THAT(check.detail, HasSubstr(c.detail)) << c.name;
  }
  EXPECT_THAT(audit_readiness("blog", &cases[2].last.value()).detail, HasSubstr("feedsyncd audit --feed blog --repair"));
}

}  // namespace
}  // namespace feedsync::ops
