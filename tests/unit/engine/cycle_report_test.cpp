// The cycle report's rules: what is counted and what is listed, case by case.
#include "engine/cycle_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::engine {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> listed(const CycleReport& report) {
  std::vector<std::string> out;
  for (const auto& c : report.changes) out.push_back(std::string(to_string(c.action)) + " " + c.guid);
  return out;
}

TEST(ReportPlan, CountsEveryDecisionAndListsAllButTouches) {
  struct Case {
    const char* name;
    std::vector<DecidedArticle> content;
    std::vector<DeletedArticle> deletes;
    std::size_t held = 0;
    std::vector<std::size_t> counts;  // created, updated, undeleted, touched, deleted, held_deletes
    std::vector<std::string> changes;
  };
  const std::vector<Case> cases = {
      {"nothing", {}, {}, 0, {0, 0, 0, 0, 0, 0}, {}},
      {"one of each, in feed order",
       {{ContentAction::update, "b", "B", "kb"},
        {ContentAction::create, "a", "A", "ka"},
        {ContentAction::touch, "t", "T", "kt"},
        {ContentAction::undelete, "u", "U", "ku"}},
       {{"d", DeleteReason::vanished, "D", "kd"}},
       0,
       {1, 1, 1, 1, 1, 0},
       {"update b", "create a", "undelete u", "delete d"}},
      {"touches only", {{ContentAction::touch, "t1", "", ""}, {ContentAction::touch, "t2", "", ""}}, {}, 0,
       {0, 0, 0, 2, 0, 0}, {}},
      {"held deletions: one line", {}, {}, 7, {0, 0, 0, 0, 0, 7}, {"held-delete "}},
  };
  for (const auto& c : cases) {
    CycleReport report;
    report_plan(report, c.content, c.deletes, c.held, "too many");
    const std::vector<std::size_t> counts = {report.created, report.updated, report.undeleted,
                                             report.touched, report.deleted, report.held_deletes};
    EXPECT_EQ(counts, c.counts) << c.name;
    EXPECT_EQ(listed(report), c.changes) << c.name;
  }
}

TEST(ReportPlan, LinesSayWhyAndWhatTheArticleIs) {
  CycleReport report;
  report_plan(report, {{ContentAction::create, "a", "Title A", "ka"}, {ContentAction::update, "b", "Title B", "kb"}},
              {{"d", DeleteReason::deleted_feed, "Title D", "kd"}}, 3, "3 deletions exceed the guard");
  ASSERT_EQ(report.changes.size(), 4u);
  EXPECT_EQ(report.changes[0].title, "Title A");
  EXPECT_EQ(report.changes[0].cms_key, "ka");
  EXPECT_EQ(report.changes[0].reason, "new in the feed");
  EXPECT_EQ(report.changes[1].reason, "changed in the feed");
  EXPECT_EQ(report.changes[2].title, "Title D");
  EXPECT_EQ(report.changes[2].cms_key, "kd");
  EXPECT_EQ(report.changes[2].reason, "moved to the Deleted Feed");
  EXPECT_EQ(report.changes[3].reason, "3 deletions held: 3 deletions exceed the guard");
  EXPECT_EQ(report.held_reason, "3 deletions exceed the guard");
}

TEST(ReportShared, OwnedElsewhereAndTakenMeanwhile) {
  CycleReport report;
  report_owned_elsewhere(report, "s", "news");
  report_plan(report, {{ContentAction::create, "a", "A", "ka"}, {ContentAction::create, "b", "B", "kb"}}, {}, 0, "");
  report_taken_meanwhile(report, "b", "sport");
  EXPECT_EQ(report.shared, 2u);
  EXPECT_EQ(report.created, 1u);
  EXPECT_THAT(listed(report), ElementsAre("shared s", "create a", "shared b"));
  EXPECT_EQ(report.changes[0].reason, "also in feed news, which owns its CMS item");
  EXPECT_EQ(report.changes[2].reason, "also in feed sport, which took its CMS item meanwhile");
  EXPECT_EQ(report.changes[2].title, "");
}

TEST(ReportMappingError, CountedAndListedWithTheMessage) {
  CycleReport report;
  report_mapping_error(report, "m", "displayName: no value");
  EXPECT_EQ(report.mapping_errors, 1u);
  ASSERT_THAT(listed(report), ElementsAre("mapping-error m"));
  EXPECT_EQ(report.changes[0].reason, "displayName: no value");
}

TEST(ChangeAction, WordsOfFeedsyncdPlan) {
  const std::vector<std::pair<ChangeAction, std::string_view>> words = {
      {ChangeAction::create, "create"},           {ChangeAction::update, "update"},
      {ChangeAction::undelete, "undelete"},       {ChangeAction::delete_, "delete"},
      {ChangeAction::held_delete, "held-delete"}, {ChangeAction::mapping_error, "mapping-error"},
      {ChangeAction::shared, "shared"},
  };
  for (const auto& [action, word] : words) EXPECT_EQ(to_string(action), word);
}

}  // namespace
}  // namespace feedsync::engine
