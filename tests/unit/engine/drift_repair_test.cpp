// The store rows `audit --repair` writes (lib/engine/drift_repair.hpp); the CMS calls and the
// whole repair run end to end in tests/e2e/audit_e2e_test.cpp.
#include "engine/drift_repair.hpp"

#include <gtest/gtest.h>

namespace feedsync::engine {
namespace {

TEST(KeptEditRow, RecordsTheEditorsLiveVersionSoCmpChangesAreNotWrittenOverIt) {
  store::ArticleRow row;
  row.feed = "news";
  row.guid = "g1";
  row.cms_key = "k1";
  row.cms_version = "7";
  AuditFinding finding;
  finding.result = AuditResult::edited;
  finding.published_version = "12";
  const auto kept = kept_edit_row(row, finding, 1'000);
  EXPECT_EQ(kept.cms_edit_kept, "12");
  EXPECT_EQ(kept.updated_at, 1'000);
  EXPECT_EQ(kept.cms_version, "7");  // what feedsync wrote stays recorded
  EXPECT_EQ(kept.cms_key, "k1");
}

TEST(KeptEditRow, AnUnknownLiveVersionIsStillKept) {
  AuditFinding finding;
  finding.result = AuditResult::edited;
  EXPECT_EQ(kept_edit_row({}, finding, 1).cms_edit_kept, "unknown");
}

TEST(AdoptedRow, TakesTheOrphansKeyVersionAndSegmentAsPublished) {
  AuditOrphan orphan;
  orphan.feed = "news";
  orphan.guid = "g2";
  orphan.key = "abc";
  orphan.adoptable = true;
  orphan.version = "3";
  orphan.route_segment = "a-title";
  const auto row = adopted_row(orphan, 5);
  EXPECT_EQ(row.feed, "news");
  EXPECT_EQ(row.guid, "g2");
  EXPECT_EQ(row.cms_key, "abc");
  EXPECT_EQ(row.cms_version, "3");
  EXPECT_EQ(row.route_segment, "a-title");
  EXPECT_EQ(row.cms_status, "published");
  EXPECT_EQ(row.updated_at, 5);
}

}  // namespace
}  // namespace feedsync::engine
