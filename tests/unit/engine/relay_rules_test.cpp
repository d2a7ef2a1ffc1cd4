// The relay's rules for what a CMS write means for the store, case by case.
#include "engine/relay_rules.hpp"

#include <gtest/gtest.h>

namespace feedsync::engine {
namespace {

constexpr std::int64_t kNow = 1'795'348'000'000;
constexpr const char* kTemplate = "https://www.example.com/{locale}/{route_segment}";

store::ArticleRow row(std::optional<std::string> pixel_key = "PIXELKEY", std::optional<std::string> canonical = {}) {
  store::ArticleRow r;
  r.feed = "blog";
  r.guid = "g1";
  r.title = "Title";
  r.cms_key = "k1";
  r.pixel_key = std::move(pixel_key);
  r.cms_version = "v1";
  r.route_segment = "old-segment";
  r.canonical_url = std::move(canonical);
  r.payload_hash = "h";
  r.updated_at = 5;
  return r;
}

cms::WriteOutcome written(cms::WriteStatus status, std::optional<std::string> route = "title") {
  return {"k1", "v2", std::move(route), status, false, std::nullopt};
}

cms::CanonicalVars link() { return {"en", "", "k1", "g1", "/blog/g1"}; }

TEST(AfterUpsert, RecordsTheVersionAndDecidesTheCanonicalLink) {
  struct Case {
    const char* name;
    std::optional<store::ArticleRow> row;
    cms::WriteOutcome outcome;
    CanonicalRule rule;
    std::optional<std::string> canonical_url;  // expected op's URL; nullopt: none
    bool canonical_error = false;
  };
  const std::string url = "https://www.example.com/en/title";
  const std::vector<Case> cases = {
      {"published, never posted", row(), written(cms::WriteStatus::published), {true, kTemplate}, url},
      {"published, CMP has that URL already", row("PIXELKEY", url), written(cms::WriteStatus::published),
       {true, kTemplate}, std::nullopt},
      {"published at a new URL", row("PIXELKEY", "https://www.example.com/en/old-segment"),
       written(cms::WriteStatus::published), {true, kTemplate}, url},
      {"scheduled: not live yet", row(), written(cms::WriteStatus::scheduled), {true, kTemplate}, std::nullopt},
      {"a draft", row(), written(cms::WriteStatus::draft), {true, kTemplate}, std::nullopt},
      {"ready", row(), written(cms::WriteStatus::ready), {true, kTemplate}, std::nullopt},
      {"no pixel key: nothing to tell CMP", row(std::nullopt), written(cms::WriteStatus::published),
       {true, kTemplate}, std::nullopt},
      {"canonical links off", row(), written(cms::WriteStatus::published), {false, kTemplate}, std::nullopt},
      {"a template that cannot be rendered", row(), written(cms::WriteStatus::published),
       {true, "https://www.example.com/{nope}"}, std::nullopt, true},
      {"no route segment from the CMS: {route_segment} is empty", row(),
       written(cms::WriteStatus::published, std::nullopt), {true, kTemplate}, std::nullopt, true},
      {"the article is gone from the store", std::nullopt, written(cms::WriteStatus::published), {true, kTemplate},
       std::nullopt},
  };
  for (const auto& c : cases) {
    const auto after = after_upsert(c.row, c.outcome, link(), c.rule, kNow);
    ASSERT_EQ(after.row.has_value(), c.row.has_value()) << c.name;
    if (after.row) {
      EXPECT_EQ(after.row->cms_version, "v2") << c.name;
      EXPECT_EQ(after.row->cms_status, std::string(cms::to_string(c.outcome.status))) << c.name;
      EXPECT_EQ(after.row->route_segment, c.outcome.route_segment ? c.outcome.route_segment : c.row->route_segment)
          << c.name;
      EXPECT_EQ(after.row->updated_at, kNow) << c.name;
      // Only what the write decided: the rest of the row is as the store holds it.
      EXPECT_EQ(after.row->payload_hash, "h") << c.name;
      EXPECT_EQ(after.row->canonical_url, c.row->canonical_url) << c.name;
    }
    ASSERT_EQ(after.canonical.has_value(), c.canonical_url.has_value()) << c.name;
    if (after.canonical) {
      EXPECT_EQ(after.canonical->url, *c.canonical_url) << c.name;
      EXPECT_EQ(after.canonical->pixel_key, "PIXELKEY") << c.name;
    }
    EXPECT_EQ(after.canonical_error.has_value(), c.canonical_error) << c.name;
  }
}

// `status` shows the articles waiting in the CMS by these words (the CMS's own).
TEST(AfterUpsert, RecordsTheCmsStatusInTheCmsWord) {
  const CanonicalRule rule{true, kTemplate};
  EXPECT_EQ(after_upsert(row(), written(cms::WriteStatus::in_review), link(), rule, kNow).row->cms_status, "inReview");
  EXPECT_EQ(after_upsert(row(), written(cms::WriteStatus::scheduled), link(), rule, kNow).row->cms_status,
            "scheduled");
  EXPECT_EQ(after_upsert(row(), written(cms::WriteStatus::draft), link(), rule, kNow).row->cms_status, "draft");
}

TEST(AfterUpsert, TheLinkUsesEveryPlaceholder) {
  const CanonicalRule rule{true, "https://www.example.com/{locale}/{key}/{guid}/{route_segment}{meta_url}"};
  const auto after = after_upsert(row(), written(cms::WriteStatus::published), link(), rule, kNow);
  ASSERT_TRUE(after.canonical.has_value());
  EXPECT_EQ(after.canonical->url, "https://www.example.com/en/k1/g1/title/blog/g1");
}

// Issue 19: the pending canonical check needs the scheduled time and the meta_url of the version
// the relay wrote; a later write that is not scheduled clears the time.
TEST(AfterUpsert, KeepsTheScheduledTimeWhileScheduledAndTheMetaUrl) {
  const CanonicalRule rule{true, kTemplate};
  auto scheduled = written(cms::WriteStatus::scheduled);
  scheduled.publish_at = kNow + 3'600'000;
  auto after = after_upsert(row(), scheduled, link(), rule, kNow);
  ASSERT_TRUE(after.row.has_value());
  EXPECT_EQ(after.row->publish_at, kNow + 3'600'000);
  EXPECT_EQ(after.row->meta_url, "/blog/g1");
  EXPECT_FALSE(after.canonical.has_value());

  auto published = written(cms::WriteStatus::published);
  published.publish_at = kNow;  // a sink's leftover: only a scheduled version's time is kept
  after = after_upsert(after.row, published, canonical_vars("en", "k1", "g1", std::nullopt), rule, kNow);
  EXPECT_FALSE(after.row->publish_at.has_value());
  EXPECT_FALSE(after.row->meta_url.has_value()) << "the entry no longer has one";
}

TEST(CanonicalVars, FillsEveryPlaceholderButTheRouteSegment) {
  const auto vars = canonical_vars("en", "k1", "g1", std::string("/blog/g1"));
  EXPECT_EQ(vars.locale, "en");
  EXPECT_EQ(vars.route_segment, "");
  EXPECT_EQ(vars.key, "k1");
  EXPECT_EQ(vars.guid, "g1");
  EXPECT_EQ(vars.meta_url, "/blog/g1");
  EXPECT_EQ(canonical_vars("en", "k1", "g1", std::nullopt).meta_url, "");
}

TEST(ChooseRouteSegment, KeepStaysWithTheStoredSegmentFollowTakesTheMappedOne) {
  using config::RouteSegmentMode;
  const std::string key = "0123456789abcdef0123456789abcdef";
  struct Case {
    const char* name;
    RouteSegmentMode mode;
    std::optional<std::string> sent;
    std::optional<std::string> stored;
    bool known;
    std::optional<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"keep: a known item keeps its published segment", RouteSegmentMode::keep, "new-title", "old-title", true,
       "old-title"},
      {"keep: a new item takes the mapped one", RouteSegmentMode::keep, "new-title", "old-title", false, "new-title"},
      {"keep: nothing stored yet", RouteSegmentMode::keep, "new-title", std::nullopt, true, "new-title"},
      {"keep: no mapped segment, left to the CMS", RouteSegmentMode::keep, std::nullopt, "old-title", true,
       std::nullopt},
      {"follow: a title edit moves the segment", RouteSegmentMode::follow, "new-title", "old-title", true,
       "new-title"},
      {"follow: the item's deduplicated segment stays while the mapping gives the same",
       RouteSegmentMode::follow, "same-title", "same-title-012345", true, "same-title-012345"},
      {"follow: another item's suffix is not this one's", RouteSegmentMode::follow, "same-title",
       "same-title-abcdef", true, "same-title"},
      {"follow: a new title leaves the deduplicated one", RouteSegmentMode::follow, "new-title", "same-title-012345",
       true, "new-title"},
      {"follow: no mapped segment, left to the CMS", RouteSegmentMode::follow, std::nullopt, "old-title", true,
       std::nullopt},
  };
  for (const auto& c : cases) {
    ArticleDocument doc;
    doc.key = key;
    doc.route_segment = c.sent;
    choose_route_segment(doc, c.stored, c.known, c.mode);
    EXPECT_EQ(doc.route_segment, c.expected) << c.name;
  }
}

TEST(UpsertAction, UndeletedElseCreatedOrUpdated) {
  EXPECT_EQ(upsert_action(true, true), store::JournalAction::undeleted);
  EXPECT_EQ(upsert_action(true, false), store::JournalAction::undeleted);
  EXPECT_EQ(upsert_action(false, true), store::JournalAction::created);
  EXPECT_EQ(upsert_action(false, false), store::JournalAction::updated);
}

TEST(RelayResult, MetricWords) {
  EXPECT_EQ(to_string(RelayResult::success), "success");
  EXPECT_EQ(to_string(RelayResult::retry), "retry");
  EXPECT_EQ(to_string(RelayResult::dead_letter), "dead_letter");
  EXPECT_EQ(to_string(RelayResult::auth), "auth");
}

TEST(CanonicalOp, PostsTheLinkForTheFeedsArticleKeyedByItsUrl) {
  const CanonicalPayload link{"https://example.com/en/news/a-title/", "pixel-1"};
  const auto op = canonical_op("news", "guid-1", link);
  EXPECT_EQ(op.feed, "news");
  EXPECT_EQ(op.guid, "guid-1");
  EXPECT_EQ(op.op, store::OpKind::canonical);
  EXPECT_EQ(op.payload_hash, link.url);  // the same URL queued twice coalesces
  const auto decoded = decode_canonical(op.payload);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->url, link.url);
  EXPECT_EQ(decoded->pixel_key, link.pixel_key);
}

}  // namespace
}  // namespace feedsync::engine
