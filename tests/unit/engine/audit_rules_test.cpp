// The drift audit's verdicts (issue 22): each finding from a store row and what the CMS showed.
#include "engine/audit_rules.hpp"

#include <gtest/gtest.h>

namespace feedsync::engine {
namespace {

constexpr const char* kContainer = "0123456789abcdef0123456789abcdef";
constexpr const char* kElsewhere = "fedcba9876543210fedcba9876543210";

store::ArticleRow row(std::optional<std::string> status = "published", std::optional<std::string> version = "7") {
  store::ArticleRow r;
  r.feed = "blog";
  r.guid = "g1";
  r.cms_key = "k1";
  r.cms_version = std::move(version);
  r.route_segment = "story";
  r.cms_status = std::move(status);
  return r;
}

CmsItemSeen present(std::optional<std::string> published = "7", std::optional<std::string> segment = "story",
                    std::string container = kContainer) {
  return {CmsItemSeen::Presence::present, std::move(container), std::move(published), std::move(segment)};
}

TEST(AuditJudge, EachFindingFromTheRowAndTheCms) {
  struct Case {
    const char* name;
    store::ArticleRow row;
    CmsItemSeen seen;
    AuditResult want;
  };
  const std::vector<Case> cases = {
      {"ours published", row(), present(), AuditResult::ok},
      {"no such item", row(), CmsItemSeen{}, AuditResult::missing},
      {"soft-deleted", row(), {CmsItemSeen::Presence::deleted, kContainer, std::nullopt, std::nullopt},
       AuditResult::deleted},
      {"deleted wins over moved", row(), {CmsItemSeen::Presence::deleted, kElsewhere, std::nullopt, std::nullopt},
       AuditResult::deleted},
      {"in another container", row(), present("7", "story", kElsewhere), AuditResult::moved},
      {"moved wins over edited", row(), present("9", "story", kElsewhere), AuditResult::moved},
      {"another version published", row(), present("9"), AuditResult::edited},
      {"ours, but another route segment", row(), present("7", "renamed"), AuditResult::edited},
      {"ours, the CMS lists no segment", row(), present("7", std::nullopt), AuditResult::ok},
      {"nothing published", row(), present(std::nullopt), AuditResult::unpublished},
      {"draft left unpublished", row("draft"), present(std::nullopt), AuditResult::ok},
      {"draft published by an editor", row("draft"), present("7"), AuditResult::ok},
      {"draft, another version live", row("draft"), present("9"), AuditResult::edited},
      {"scheduled, not yet live", row("scheduled"), present(std::nullopt), AuditResult::ok},
      {"scheduled went live", row("scheduled"), present("7"), AuditResult::ok},
      {"ready, missing", row("ready"), CmsItemSeen{}, AuditResult::missing},
  };
  for (const auto& c : cases) EXPECT_EQ(judge(c.row, kContainer, c.seen), c.want) << c.name;
}

TEST(AuditJudge, OnlyLiveWrittenArticlesAreAudited) {
  EXPECT_TRUE(audited(row()));
  EXPECT_FALSE(audited(row("published", std::nullopt))) << "not written yet: its op is queued";
  EXPECT_FALSE(audited(row("published", ""))) << "an empty version is none";
  auto gone = row();
  gone.status = store::ArticleStatus::deleted;
  EXPECT_FALSE(audited(gone)) << "deleted from the feed";
}

TEST(AuditRepair, WhatRepairDoesPerFindingAndPolicy) {
  using config::OnCmsEdit;
  EXPECT_EQ(repair_action(AuditResult::ok, OnCmsEdit::overwrite), RepairAction::none);
  EXPECT_EQ(repair_action(AuditResult::missing, OnCmsEdit::keep), RepairAction::rewrite);
  EXPECT_EQ(repair_action(AuditResult::deleted, OnCmsEdit::keep), RepairAction::undelete);
  EXPECT_EQ(repair_action(AuditResult::unpublished, OnCmsEdit::keep), RepairAction::rewrite);
  EXPECT_EQ(repair_action(AuditResult::moved, OnCmsEdit::keep), RepairAction::move_back);
  EXPECT_EQ(repair_action(AuditResult::edited, OnCmsEdit::keep), RepairAction::none);
  EXPECT_EQ(repair_action(AuditResult::edited, OnCmsEdit::overwrite), RepairAction::rewrite);
}

TEST(AuditRebuild, AVersionMatchesTheDocumentWhenEveryPropertySentIsStored) {
  ArticleDocument doc;
  doc.properties = boost::json::object{{"Heading", "Title"}, {"Body", "<p>x</p>"}, {"Summary", nullptr}};
  doc.rich_text = {"Body"};
  using O = boost::json::object;
  EXPECT_TRUE(document_matches(doc, O{{"Heading", "Title"}, {"Body", "<p>x</p>"}}));
  EXPECT_TRUE(document_matches(doc, O{{"Heading", "Title"}, {"Body", O{{"html", "<p>x</p>"}}}, {"Summary", nullptr}}))
      << "v1 rich text";
  EXPECT_TRUE(document_matches(doc, O{{"Heading", "Title"}, {"Body", "<p>x</p>"}, {"Extra", 1}})) << "extra ignored";
  EXPECT_FALSE(document_matches(doc, O{{"Heading", "Other"}, {"Body", "<p>x</p>"}}));
  EXPECT_FALSE(document_matches(doc, O{{"Body", "<p>x</p>"}})) << "a property missing";
  EXPECT_FALSE(document_matches(doc, O{{"Heading", "Title"}, {"Body", "<p>x</p>"}, {"Summary", "s"}}))
      << "null sent, a value stored";
  EXPECT_FALSE(document_matches(doc, O{{"Heading", O{{"html", "Title"}}}, {"Body", "<p>x</p>"}}))
      << "html unwrapping only for rich text";
}

TEST(AuditTally, DriftCountsEverythingButOk) {
  AuditTally tally;
  tally.add(AuditResult::ok);
  tally.add(AuditResult::ok);
  EXPECT_EQ(tally.drift(), 0);
  tally.add(AuditResult::edited);
  tally.add(AuditResult::moved);
  tally.orphans = 3;
  EXPECT_EQ(tally.drift(), 5);
  EXPECT_EQ(tally.of(AuditResult::ok), 2);
  EXPECT_EQ(to_string(AuditResult::unpublished), "unpublished");
  EXPECT_EQ(to_string(RepairAction::move_back), "move-back");
}

}  // namespace
}  // namespace feedsync::engine
