// The /_sim/ control API: articles and feeds, the clock, the request log, and its errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/time.hpp"
#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;

TEST(SimControl, AddCompletesAPartialArticleAndRefusesDuplicates) {
  SimHarness h;
  auto r = h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"abc123","title":"Hello","authors":null})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto a = r.json();
  EXPECT_EQ(a.at("guid").as_string(), "abc123");
  EXPECT_EQ(a.at("state").as_string(), "live");
  EXPECT_EQ(a.at("feed_id").as_string(), kFeed);
  const auto& c = a.at("content").as_object();
  EXPECT_EQ(c.at("title").as_string(), "Hello");
  EXPECT_TRUE(c.at("authors").is_null());
  EXPECT_EQ(c.at("pixel_key").as_string(), pixel_key_for("abc123"));
  EXPECT_TRUE(c.contains("images"));
  EXPECT_EQ(c.at("modified_at").as_string(), "2026-11-22T12:00:00Z");

  EXPECT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"abc123"})").status, 409);
  EXPECT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"not-hex!"})").status, 400);
  EXPECT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"modified_at":"yesterday"})").status, 400);
  EXPECT_EQ(h.post("/_sim/feeds/nope/articles", "{}").status, 404);
  EXPECT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", "[1]").status, 400);
  EXPECT_EQ(h.get("/_sim/articles/abc123").json().at("content").at("title").as_string(), "Hello");
  EXPECT_EQ(h.get("/_sim/articles/zzz").status, 404);
}

TEST(SimControl, ExplicitTimestampsAreKept) {
  SimHarness h;
  auto r = h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"old1","modified_at":"2020-01-02T03:04:05+00:00"})");
  ASSERT_EQ(r.status, 201);
  auto page = h.get(feed_url("format=json&sort_by=modified_at")).json();
  EXPECT_EQ(page.at("entries").at(0).at("content").at("modified_at").as_string(), "2020-01-02T03:04:05Z");
}

TEST(SimControl, UpdateBumpsTheChosenTimestamps) {
  SimHarness h;
  h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"a1"})");
  auto stamps = [&] {
    auto a = h.get("/_sim/articles/a1").json();
    return std::pair<std::string, std::string>(a.at("content").at("modified_at").as_string(),
                                               a.at("entry").at("modified_at").as_string());
  };
  h.advance_s(10);
  ASSERT_EQ(h.patch("/_sim/articles/a1", R"({"title":"both"})").status, 200);
  EXPECT_EQ(stamps(), std::make_pair(std::string("2026-11-22T12:00:10Z"), std::string("2026-11-22T12:00:10Z")));
  h.advance_s(10);
  ASSERT_EQ(h.patch("/_sim/articles/a1?bump=content", R"({"title":"content"})").status, 200);
  EXPECT_EQ(stamps(), std::make_pair(std::string("2026-11-22T12:00:20Z"), std::string("2026-11-22T12:00:10Z")));
  h.advance_s(10);
  ASSERT_EQ(h.patch("/_sim/articles/a1?bump=entry", R"({"title":"entry"})").status, 200);
  EXPECT_EQ(stamps(), std::make_pair(std::string("2026-11-22T12:00:20Z"), std::string("2026-11-22T12:00:30Z")));
  h.advance_s(10);
  ASSERT_EQ(h.patch("/_sim/articles/a1?bump=none", R"({"title":"silent"})").status, 200);
  EXPECT_EQ(stamps(), std::make_pair(std::string("2026-11-22T12:00:20Z"), std::string("2026-11-22T12:00:30Z")));
  EXPECT_EQ(h.get("/_sim/articles/a1").json().at("content").at("title").as_string(), "silent");

  EXPECT_EQ(h.patch("/_sim/articles/a1?bump=sideways", "{}").status, 400);
  EXPECT_EQ(h.patch("/_sim/articles/a1", R"({"guid":"b2"})").status, 400);
  EXPECT_EQ(h.patch("/_sim/articles/zz", R"({})").status, 404);
}

TEST(SimControl, DeleteRemovesTheArticleEverywhere) {
  SimHarness h;
  h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"a1"})");
  h.post("/_sim/feeds/" + kDeletedFeed + "/articles", R"({"guid":"d1"})");
  EXPECT_EQ(h.get("/_sim/articles/d1").json().at("state").as_string(), "deleted");
  EXPECT_EQ(h.del("/_sim/articles/a1").status, 204);
  EXPECT_EQ(h.del("/_sim/articles/a1").status, 404);
  EXPECT_TRUE(h.get(feed_url()).json().at("entries").as_array().empty());
  EXPECT_EQ(h.post("/_sim/articles/a1:republish").status, 404);
  EXPECT_EQ(h.post("/_sim/articles/d1:republish").status, 200);
  EXPECT_EQ(h.get(feed_url()).json().at("entries").as_array().size(), 1u);
}

TEST(SimControl, FeedsCanBeAddedAndListed) {
  SimHarness h;
  auto r = h.post("/_sim/feeds", R"({"id":"news0001","title":"News"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("deleted_feed_id").as_string(), "news0001deleted");
  EXPECT_EQ(h.post("/_sim/feeds", R"({"id":"news0001"})").status, 409);
  EXPECT_EQ(h.post("/_sim/feeds", R"({"id":"bad-id"})").status, 400);
  EXPECT_EQ(h.post("/_sim/feeds/news0001/generate", R"({"count":3,"seed":9,"backdate":true})").status, 201);
  auto news = h.get("/v2/feed/news0001?format=json").json();
  EXPECT_EQ(news.at("title").as_string(), "News");
  EXPECT_EQ(news.at("entries").as_array().size(), 3u);
  auto feeds = h.get("/_sim/feeds").json().at("feeds").as_array();
  EXPECT_EQ(feeds.size(), 4u);  // two live feeds, two Deleted Feeds
  auto listed = h.get("/_sim/feeds/news0001/articles").json().at("articles").as_array();
  EXPECT_EQ(listed.size(), 3u);
  EXPECT_EQ(h.post("/_sim/feeds/news0001/generate", R"({"count":0})").status, 400);
}

// Translations (issue 23): generated groups share a group_id and title, one lang_code each.
TEST(SimControl, GenerateMakesGroupsOfTranslations) {
  SimHarness h;
  ASSERT_EQ(h.post("/_sim/feeds", R"({"id":"news0001"})").status, 201);
  auto made = h.post("/_sim/feeds/news0001/generate", R"({"count":6,"seed":3,"languages":3})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto page = h.get("/v2/feed/news0001?format=json&pagesize=10").json();
  std::map<std::string, std::vector<std::string>> langs;  // group_id -> lang_codes
  std::map<std::string, std::set<std::string>> titles;
  const auto& entries = page.at("entries").as_array();
  for (const auto& e : entries) {
    const auto& c = e.at("content").as_object();
    const std::string group(c.at("group_id").as_string());
    langs[group].emplace_back(c.at("lang_code").as_string());
    titles[group].insert(std::string(c.at("title").as_string()));
  }
  ASSERT_EQ(langs.size(), 2u);
  for (auto& [group, codes] : langs) {
    std::sort(codes.begin(), codes.end());
    EXPECT_EQ(codes, (std::vector<std::string>{"de", "en", "fr"})) << group;
    EXPECT_EQ(titles[group].size(), 1u) << group;
  }
  // The same seed gives the same groups.
  ASSERT_EQ(h.post("/_sim/feeds", R"({"id":"news0002"})").status, 201);
  ASSERT_EQ(h.post("/_sim/feeds/news0002/generate", R"({"count":3,"seed":3,"languages":3,"start":100})").status, 201);
  EXPECT_EQ(h.post("/_sim/feeds/news0001/generate", R"({"count":3,"languages":9})").status, 400);
  EXPECT_EQ(h.post("/_sim/feeds/news0001/generate", R"({"count":3,"languages":0})").status, 400);
}

TEST(SimControl, ClockMovesForwardOnly) {
  SimHarness h;
  EXPECT_EQ(h.get("/_sim/clock").json().at("now").as_string(), "2026-11-22T12:00:00Z");
  auto moved = h.post("/_sim/clock", R"({"advance_s":90})").json();
  EXPECT_EQ(moved.at("now").as_string(), "2026-11-22T12:01:30Z");
  EXPECT_EQ(moved.at("offset_ms").as_int64(), 90'000);
  EXPECT_EQ(h.post("/_sim/clock", R"({"advance_ms":500})").json().at("offset_ms").as_int64(), 90'500);
  EXPECT_EQ(h.post("/_sim/clock", R"({"offset_ms":0})").json().at("now").as_string(), "2026-11-22T12:00:00Z");
  EXPECT_EQ(h.post("/_sim/clock", R"({"advance_s":-1})").status, 400);
  EXPECT_EQ(h.post("/_sim/clock", R"({"advance_s":1,"advance_ms":1})").status, 400);
  EXPECT_EQ(h.post("/_sim/clock", R"({})").status, 400);
}

TEST(SimControl, RequestLogRecordsTheSimulatedApisOnly) {
  SimHarness h;
  h.get(feed_url("format=json&pagesize=5"));
  h.get("/v2/feed/unknown?format=json");
  h.get("/customer_canonical_link?canonical_link=x");
  h.get("/_sim/info");  // control requests are not logged
  auto log = h.get("/_sim/requests").json();
  auto entries = log.at("entries").as_array();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].at("method").as_string(), "GET");
  EXPECT_EQ(entries[0].at("path").as_string(), "/v2/feed/" + kFeed);
  EXPECT_EQ(entries[0].at("query").as_string(), "format=json&pagesize=5");
  EXPECT_EQ(entries[0].at("route").as_string(), "/v2/feed/{id}");
  EXPECT_EQ(entries[0].at("api").as_string(), "feed");
  EXPECT_EQ(entries[0].at("status").as_int64(), 200);
  EXPECT_EQ(entries[0].at("time").as_string(), "2026-11-22T12:00:00Z");
  EXPECT_TRUE(entries[0].at("fault").is_null());
  EXPECT_EQ(entries[1].at("status").as_int64(), 404);
  EXPECT_EQ(entries[2].at("api").as_string(), "canonical");

  EXPECT_EQ(h.get("/_sim/requests?api=feed").json().at("entries").as_array().size(), 2u);
  EXPECT_EQ(h.get("/_sim/requests?status=404").json().at("entries").as_array().size(), 1u);
  EXPECT_EQ(h.get("/_sim/requests?path=/customer").json().at("entries").as_array().size(), 1u);
  EXPECT_EQ(h.get("/_sim/requests?since=2").json().at("entries").at(0).at("seq").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(h.get("/_sim/requests?limit=1").json().at("entries").at(0).at("seq").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(h.get("/_sim/requests?limit=0").status, 400);

  auto counters = h.get("/_sim/requests/counters").json();
  EXPECT_EQ(counters.at("total").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(counters.at("apis").at("feed").to_number<std::uint64_t>(), 2u);
  const auto& route = counters.at("routes").at("GET /v2/feed/{id}");
  EXPECT_EQ(route.at("count").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(route.at("statuses").at("200").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(route.at("statuses").at("404").to_number<std::uint64_t>(), 1u);

  EXPECT_EQ(h.del("/_sim/requests").status, 204);
  EXPECT_TRUE(h.get("/_sim/requests").json().at("entries").as_array().empty());
  EXPECT_EQ(h.get("/_sim/requests/counters").json().at("total").to_number<std::uint64_t>(), 0u);
}

TEST(SimControl, RequestLogIsBoundedButCountersAreNot) {
  SimulatorOptions options;
  options.request_log_capacity = 5;
  SimHarness h(options);
  for (int i = 0; i < 8; ++i) h.get(feed_url());
  auto log = h.get("/_sim/requests").json();
  EXPECT_EQ(log.at("entries").as_array().size(), 5u);
  EXPECT_EQ(log.at("entries").at(0).at("seq").to_number<std::uint64_t>(), 4u);
  EXPECT_EQ(log.at("dropped").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(h.get("/_sim/requests/counters").json().at("total").to_number<std::uint64_t>(), 8u);
}

TEST(SimControl, InfoAndMissingCms) {
  SimHarness h;
  auto info = h.get("/_sim/info").json();
  EXPECT_EQ(info.at("feed_id").as_string(), kFeed);
  EXPECT_EQ(info.at("deleted_feed_id").as_string(), kDeletedFeed);
  EXPECT_EQ(info.at("base_url").as_string(), "http://127.0.0.1:" + std::to_string(h.port()));
  EXPECT_FALSE(info.at("cms_attached").as_bool());
  EXPECT_EQ(h.get("/_sim/cms/items").status, 404);
  EXPECT_EQ(h.get("/_sim/nothing").status, 404);
  EXPECT_EQ(h.post("/_sim/clock", "{not json").status, 400);
}

}  // namespace
}  // namespace feedsync::sim::testing
