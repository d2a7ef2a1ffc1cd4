// The pending canonical check's rules: which articles wait, when each is due, what an answer means.
#include "engine/pending_canonical_rules.hpp"

#include <gtest/gtest.h>

namespace feedsync::engine {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'795'348'000'000;
constexpr const char* kTemplate = "https://www.example.com/{locale}/{route_segment}";

store::ArticleRow row(std::optional<std::string> cms_status = "draft") {
  store::ArticleRow r;
  r.feed = "blog";
  r.guid = "g1";
  r.title = "Title";
  r.cms_key = "k1";
  r.pixel_key = "PIXELKEY";
  r.cms_version = "v3";
  r.route_segment = "title";
  r.cms_status = std::move(cms_status);
  r.updated_at = 5;
  return r;
}

cms::CanonicalVars link() { return {"en", "", "k1", "g1", "/blog/g1"}; }

TEST(AwaitsPublication, OnlyLiveArticlesWithAPixelKeyInAPendingStatus) {
  struct Case {
    const char* name;
    store::ArticleRow row;
    bool awaits;
  };
  auto deleted = row();
  deleted.status = store::ArticleStatus::deleted;
  auto no_pixel = row();
  no_pixel.pixel_key.reset();
  const std::vector<Case> cases = {
      {"draft", row("draft"), true},
      {"ready", row("ready"), true},
      {"in review", row("inReview"), true},
      {"scheduled", row("scheduled"), true},
      {"published", row("published"), false},
      {"rejected: an editor said no", row("rejected"), false},
      {"never written", row(std::nullopt), false},
      {"deleted in the feed", deleted, false},
      {"no pixel key: nothing to release", no_pixel, false},
  };
  for (const auto& c : cases) EXPECT_EQ(awaits_publication(c.row), c.awaits) << c.name;
}

TEST(CheckDue, NeverAskedIntervalPassedOrScheduledTimePassed) {
  struct Case {
    const char* name;
    CheckState state;
    std::int64_t now;
    bool due;
  };
  const std::int64_t asked = kNow - 10'000;  // 10 s ago
  const std::vector<Case> cases = {
      {"never asked", {std::nullopt, std::nullopt}, kNow, true},
      {"asked 10 s ago, interval 60 s", {asked, std::nullopt}, kNow, false},
      {"asked exactly one interval ago", {kNow - 60'000, std::nullopt}, kNow, true},
      {"scheduled time passed (and the grace) since the last look", {asked, kNow - 5'000}, kNow, true},
      {"scheduled time passed, still within the grace", {asked, kNow - 1'000}, kNow, false},
      {"scheduled time ahead", {asked, kNow + 20'000}, kNow, false},
      {"scheduled time passed before the last look", {asked, asked - 5'000}, kNow, false},
  };
  for (const auto& c : cases) EXPECT_EQ(check_due(c.state, c.now, 60s), c.due) << c.name;
}

TEST(NextCheckAt, TheEarliestOfIntervalsAndScheduledTimes) {
  EXPECT_EQ(next_check_at({}, 60s), std::nullopt);
  EXPECT_EQ(next_check_at({{std::nullopt, std::nullopt}}, 60s), 0);
  EXPECT_EQ(next_check_at({{kNow, std::nullopt}, {kNow - 30'000, std::nullopt}}, 60s), kNow + 30'000);
  EXPECT_EQ(next_check_at({{kNow, kNow + 10'000}}, 60s), kNow + 10'000 + kAfterScheduledTime.count());
  EXPECT_EQ(next_check_at({{kNow, kNow + 90'000}}, 60s), kNow + 60'000);
}

TEST(AfterPublishedCheck, RecordsAPublishLikeTheRelayAndQueuesTheLinkOnce) {
  struct Case {
    const char* name;
    std::optional<store::ArticleRow> row;
    std::optional<PublishedVersion> published;
    CanonicalRule rule;
    bool recorded;
    std::optional<std::string> canonical_url;
  };
  const std::string url = "https://www.example.com/en/live-title";
  const PublishedVersion live{"v3", "live-title"};
  auto already_posted = row();
  already_posted.canonical_url = url;
  const std::vector<Case> cases = {
      {"an editor published the draft", row("draft"), live, {true, kTemplate}, true, url},
      {"the scheduled time passed", row("scheduled"), live, {true, kTemplate}, true, url},
      {"still not published", row("draft"), std::nullopt, {true, kTemplate}, false, std::nullopt},
      {"the relay published meanwhile", row("published"), live, {true, kTemplate}, false, std::nullopt},
      {"gone from the store", std::nullopt, live, {true, kTemplate}, false, std::nullopt},
      {"CMP has that URL already", already_posted, live, {true, kTemplate}, true, std::nullopt},
      {"canonical links off: the status is still recorded", row("ready"), live, {false, kTemplate}, true,
       std::nullopt},
  };
  for (const auto& c : cases) {
    const auto after = after_published_check(c.row, c.published, link(), c.rule, kNow);
    ASSERT_EQ(after.row.has_value(), c.recorded) << c.name;
    if (after.row) {
      EXPECT_EQ(after.row->cms_status, "published") << c.name;
      EXPECT_EQ(after.row->cms_version, "v3") << c.name;
      EXPECT_EQ(after.row->route_segment, "live-title") << c.name;
      EXPECT_EQ(after.row->updated_at, kNow) << c.name;
    }
    ASSERT_EQ(after.canonical.has_value(), c.canonical_url.has_value()) << c.name;
    if (after.canonical) {
      EXPECT_EQ(after.canonical->url, *c.canonical_url) << c.name;
      EXPECT_EQ(after.canonical->pixel_key, "PIXELKEY") << c.name;
    }
  }
}

}  // namespace
}  // namespace feedsync::engine
