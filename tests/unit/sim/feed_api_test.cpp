// Feed API v2 as the simulator serves it: parameters, limits, paging, sorting, fields, Atom,
// the documented 404, the Deleted Feed, the envelope's modified_at and broken-feed modes.
#include <gtest/gtest.h>

#include <set>

#include "core/time.hpp"
#include "feed/page_parser.hpp"
#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;

std::vector<std::string> generate(SimHarness& h, std::size_t count, std::uint64_t seed = 1, std::string feed = kFeed) {
  return h.on_loop([&](Simulator& s) {
    GenerateRequest request;
    request.count = count;
    request.seed = seed;
    auto made = s.store().generate(feed, request);
    if (!made) throw std::runtime_error(made.error().message);
    std::vector<std::string> guids;
    for (const Article* a : *made) guids.push_back(a->guid);
    return guids;
  });
}

std::vector<std::string> guids_of(const json::value& page) {
  std::vector<std::string> out;
  for (const auto& e : page.at("entries").as_array()) out.emplace_back(e.at("content").at("guid").as_string());
  return out;
}

TEST(SimFeedApi, DefaultFormatIsAtom) {
  SimHarness h;
  auto guids = generate(h, 3);
  auto r = h.get("/v2/feed/" + kFeed);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/atom+xml; charset=utf-8");
  EXPECT_EQ(r.body.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">", 0), 0u);
  for (const auto& g : guids) EXPECT_NE(r.body.find("<id>urn:guid:" + g + "</id>"), std::string::npos);
  std::size_t entries = 0;
  for (auto pos = r.body.find("<entry>"); pos != std::string::npos; pos = r.body.find("<entry>", pos + 1)) ++entries;
  EXPECT_EQ(entries, 3u);
  EXPECT_NE(r.body.find("<updated>"), std::string::npos);
  // The body HTML is escaped content, pixel included.
  EXPECT_NE(r.body.find("<content type=\"html\">&lt;p&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("class=&quot;nc_pixel&quot;"), std::string::npos);

  ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles",
                   R"({"title":"Fish & <Chips>","authors":[{"name":"Ada & Co"}],"link":"https://x.com/a?b=1&c=2"})")
                .status,
            201);
  auto top = h.get("/v2/feed/" + kFeed + "?pagesize=1").body;
  EXPECT_NE(top.find("<title>Fish &amp; &lt;Chips&gt;</title>"), std::string::npos) << top;
  EXPECT_NE(top.find("<author><name>Ada &amp; Co</name></author>"), std::string::npos);
  EXPECT_NE(top.find("<link rel=\"alternate\" href=\"https://x.com/a?b=1&amp;c=2\"/>"), std::string::npos);
}

TEST(SimFeedApi, UnknownFeedGivesTheDocumented404Exactly) {
  SimHarness h;
  auto r = h.get("/v2/feed/0569f69ed223720c699936eddbc5b123?format=json");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"error":{"code":"404","message":"Collection with guid 0569f69ed223720c699936eddbc5b123 not found"}})");
  EXPECT_EQ(feed::parse_feed_error(r.body).value_or(""), "Collection with guid 0569f69ed223720c699936eddbc5b123 not found");
}

TEST(SimFeedApi, RejectsBadParametersWith400) {
  SimHarness h;
  for (const char* query : {"pagesize=0", "pagesize=1000", "pagesize=-1", "pagesize=abc", "pagesize=", "pagesize=10x",
                            "pagesize=99999999999999999999999", "offset=-1", "offset=x", "sort_by=title"}) {
    auto r = h.get(feed_url(std::string("format=json&") + query));
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_TRUE(feed::parse_feed_error(r.body).has_value()) << r.body;
  }
  EXPECT_EQ(h.get(feed_url("format=xml")).status, 400);
  for (const char* query : {"pagesize=1", "pagesize=999", "offset=0", "offset=5000", "sort_by=position",
                            "sort_by=modified_at", "sort_by=", "format=atom", "format=JSON"}) {
    EXPECT_EQ(h.get(feed_url(std::string("format=json&") + query)).status, 200) << query;
  }
}

class SimFeedPaging : public ::testing::TestWithParam<std::size_t> {};

// A full index scan with the largest page: every guid exactly once, a short page ends it.
TEST_P(SimFeedPaging, IndexScanAt999SeesEveryArticleOnce) {
  SimHarness h;
  const std::size_t n = GetParam();
  auto guids = generate(h, n);
  std::set<std::string> seen;
  std::vector<std::size_t> sizes;
  for (std::size_t offset = 0;; offset += 999) {
    auto r = h.get(feed_url("format=json&sort_by=modified_at&fields=guid,modified_at&pagesize=999&offset=" + std::to_string(offset)));
    ASSERT_EQ(r.status, 200);
    auto page = feed::parse_feed_page(r.body, feed::ParseContent::no);
    ASSERT_TRUE(page) << page.error();
    EXPECT_TRUE(page->rejected.empty());
    sizes.push_back(page->raw_entry_count);
    for (const auto& e : page->entries) EXPECT_TRUE(seen.insert(e.guid).second) << "twice: " << e.guid;
    if (page->raw_entry_count < 999) break;
  }
  EXPECT_EQ(seen, std::set<std::string>(guids.begin(), guids.end()));
  const std::vector<std::size_t> expected =
      n == 999 ? std::vector<std::size_t>{999, 0} : n == 1000 ? std::vector<std::size_t>{999, 1} : std::vector<std::size_t>{999, 2};
  EXPECT_EQ(sizes, expected);
}

INSTANTIATE_TEST_SUITE_P(Boundaries, SimFeedPaging, ::testing::Values(999, 1000, 1001));

TEST(SimFeedApi, DefaultPageSizeIs200AndOffsetPastTheEndIsEmpty) {
  SimHarness h;
  generate(h, 250);
  auto first = h.get(feed_url()).json();
  EXPECT_EQ(first.at("entries").as_array().size(), 200u);
  EXPECT_EQ(h.get(feed_url("format=json&offset=200")).json().at("entries").as_array().size(), 50u);
  auto past = h.get(feed_url("format=json&offset=250"));
  EXPECT_EQ(past.status, 200);
  EXPECT_TRUE(past.json().at("entries").as_array().empty());
}

TEST(SimFeedApi, FieldsLimitTheContentButKeepGuidAndEntryTimestamps) {
  SimHarness h;
  generate(h, 2);
  auto page = h.get(feed_url("format=json&fields=guid,modified_at")).json();
  for (const auto& e : page.at("entries").as_array()) {
    const auto& content = e.at("content").as_object();
    EXPECT_EQ(content.size(), 2u);
    EXPECT_TRUE(content.contains("guid"));
    EXPECT_TRUE(content.contains("modified_at"));
    EXPECT_TRUE(e.as_object().contains("created_at"));
    EXPECT_TRUE(e.as_object().contains("modified_at"));
  }
  auto titles = h.get(feed_url("format=json&fields=title,nonexistent")).json();
  const auto& content = titles.at("entries").at(0).at("content").as_object();
  EXPECT_EQ(content.size(), 2u);  // guid is always kept; unknown names are ignored
  EXPECT_TRUE(content.contains("guid"));
  EXPECT_TRUE(content.contains("title"));
}

// Issue 17: the answers the document leaves open, each a switch (PUT /_sim/feed-api).
TEST(SimFeedApi, TheFeedApiSwitchesPlayEachOpenAnswer) {
  SimHarness h;
  generate(h, 5);
  const auto index = feed_url("format=json&fields=guid,modified_at&pagesize=999");
  auto entries = [&] { return h.get(index).json().at("entries").as_array(); };
  EXPECT_EQ(h.get("/_sim/feed-api").json(), boost::json::parse(R"({"page_cap":0,"fields":"honoured"})"));

  ASSERT_EQ(h.put("/_sim/feed-api", R"({"page_cap":2})").status, 200);
  EXPECT_EQ(entries().size(), 2u);  // silently: nothing in the page says it was cut
  EXPECT_EQ(h.get(feed_url("format=json&pagesize=999&offset=4")).json().at("entries").as_array().size(), 1u);

  ASSERT_EQ(h.put("/_sim/feed-api", R"({"page_cap":0,"fields":"ignored"})").status, 200);
  EXPECT_TRUE(entries().at(0).at("content").as_object().contains("title"));

  ASSERT_EQ(h.put("/_sim/feed-api", R"({"fields":"no-entry-timestamps"})").status, 200);
  auto dropped = entries().at(0).as_object();
  EXPECT_FALSE(dropped.contains("modified_at"));
  EXPECT_FALSE(dropped.contains("created_at"));
  EXPECT_EQ(dropped.at("content").as_object().size(), 2u);

  ASSERT_EQ(h.put("/_sim/feed-api", R"({"fields":"flat"})").status, 200);
  auto flat = entries().at(0).as_object();
  EXPECT_FALSE(flat.contains("content"));
  EXPECT_TRUE(flat.contains("guid"));
  EXPECT_TRUE(flat.contains("modified_at"));
  // Full pages (no fields=) are never touched by the fields switch.
  EXPECT_TRUE(h.get(feed_url("format=json")).json().at("entries").at(0).as_object().contains("content"));

  EXPECT_EQ(h.put("/_sim/feed-api", R"({"fields":"sometimes"})").status, 400);
  EXPECT_EQ(h.put("/_sim/feed-api", R"({"page_cap":-1})").status, 400);
  EXPECT_EQ(h.put("/_sim/feed-api", R"({"pagecap":1})").status, 400);
}

// Issue 17: CMP can publish one article to several feeds.
TEST(SimFeedApi, AnArticleSharedIntoASecondFeedIsListedThereUntilItLeavesItsHome) {
  SimHarness h;
  const auto guids = generate(h, 3);
  ASSERT_EQ(h.post("/_sim/feeds", R"({"id":"second0000000000000000000000001"})").status, 201);
  const std::string second = "/v2/feed/second0000000000000000000000001?format=json";
  EXPECT_TRUE(guids_of(h.get(second).json()).empty());
  ASSERT_EQ(h.post("/_sim/articles/" + guids[0] + ":share", R"({"feed":"second0000000000000000000000001"})").status, 200);
  EXPECT_EQ(guids_of(h.get(second).json()), std::vector<std::string>{guids[0]});
  EXPECT_EQ(guids_of(h.get(feed_url("format=json")).json()).size(), 3u);  // still in its home feed

  // An edit shows in both; leaving the home feed takes it out of the second.
  const auto before = h.get(second).json().at("modified_at");
  h.advance_s(2);
  ASSERT_EQ(h.patch("/_sim/articles/" + guids[0], R"({"title":"Edited once, seen twice"})").status, 200);
  const auto page = h.get(second).json();
  EXPECT_NE(page.at("modified_at"), before);
  EXPECT_EQ(page.at("entries").at(0).at("content").at("title"), "Edited once, seen twice");
  ASSERT_EQ(h.post("/_sim/articles/" + guids[0] + ":unpublish").status, 200);
  EXPECT_TRUE(guids_of(h.get(second).json()).empty());

  EXPECT_EQ(h.post("/_sim/articles/" + guids[0] + ":share", R"({"feed":"second0000000000000000000000001"})").status, 409);
  EXPECT_EQ(h.post("/_sim/articles/" + guids[1] + ":share", R"({"feed":"nosuchfeed"})").status, 404);
  EXPECT_EQ(h.post("/_sim/articles/" + guids[1] + ":share", "{\"feed\":\"" + kFeed + "\"}").status, 409);
  EXPECT_EQ(h.post("/_sim/articles/" + guids[1] + ":share", R"({"feed":"second0000000000000000000000001deleted"})").status, 400);
  EXPECT_EQ(h.post("/_sim/articles/" + guids[1] + ":share", R"({})").status, 400);
}

TEST(SimFeedApi, FullEntriesCarryEveryDocumentedField) {
  SimHarness h;
  generate(h, 20);
  auto r = h.get(feed_url("format=json&pagesize=20"));
  auto page = feed::parse_feed_page(r.body, feed::ParseContent::yes);
  ASSERT_TRUE(page) << page.error();
  ASSERT_EQ(page->full_entries.size(), 20u);
  bool saw_image = false;
  for (const auto& entry : page->full_entries) {
    const auto& c = entry.content;
    for (const char* key : {"guid", "group_id", "title", "description", "meta_title", "meta_description", "meta_url",
                            "meta_keywords", "images", "videos", "authors", "topics", "created_at", "modified_at",
                            "published_at", "link", "pixel_key", "customer_canonical_link", "source", "lang_code",
                            "custom_fields", "content_pillar", "content_format", "custom_label_set",
                            "target_audience", "journey_stage"})
      EXPECT_TRUE(c.contains(key)) << key;
    const std::string guid(c.at("guid").as_string());
    EXPECT_EQ(guid.size(), 32u);
    EXPECT_EQ(guid.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(c.at("pixel_key").as_string(), pixel_key_for(guid));
    const std::string description(c.at("description").as_string());
    const std::string pixel = "<img src=\"https://pixel.optimizely.com/px.gif?key=" + pixel_key_for(guid) +
                              "\" alt=\"\" height=\"1\" width=\"1\" class=\"nc_pixel\"/>";
    EXPECT_EQ(description.substr(description.size() - pixel.size()), pixel);
    EXPECT_TRUE(c.at("customer_canonical_link").is_null());
    EXPECT_TRUE(c.at("authors").is_null() || c.at("authors").is_array());
    for (const auto& image : c.at("images").as_array()) {
      saw_image = true;
      EXPECT_TRUE(image.at("width").is_string());
      EXPECT_TRUE(image.at("height").is_string());
      EXPECT_EQ(image.at("thumbnail").as_string(), std::string(image.at("url").as_string()) + "?width=75&height=75");
    }
    EXPECT_TRUE(parse_rfc3339_ms(c.at("modified_at").as_string()).has_value());
  }
  EXPECT_TRUE(saw_image);
  // "article=<guid>" in base64, as clients have seen it.
  EXPECT_EQ(pixel_key_for("151a3f3ccda511eab6db0ad4f9be72d9"), "YXJ0aWNsZT0xNTFhM2YzY2NkYTUxMWVhYjZkYjBhZDRmOWJlNzJkOQ==");
}

TEST(SimFeedApi, GenerationIsDeterministicPerSeed) {
  SimHarness a, b, c;
  const auto first = generate(a, 5, 42);
  EXPECT_EQ(first, generate(b, 5, 42));
  EXPECT_EQ(a.get(feed_url("format=json&fields=title,description")).body,
            b.get(feed_url("format=json&fields=title,description")).body);
  EXPECT_NE(generate(c, 5, 43), first);
  // The same seed again would publish the same guids: refused as a whole.
  EXPECT_EQ(a.post("/_sim/feeds/" + kFeed + "/generate", R"({"count":5,"seed":42})").status, 409);
  EXPECT_EQ(a.post("/_sim/feeds/" + kFeed + "/generate", R"({"count":5,"seed":42,"start":5})").status, 201);
}

TEST(SimFeedApi, SortOrdersAreNewestFirst) {
  SimHarness h;
  auto guids = generate(h, 4);  // published in this order: guids[3] is on top
  auto by_position = guids_of(h.get(feed_url("format=json")).json());
  EXPECT_EQ(by_position, (std::vector<std::string>{guids[3], guids[2], guids[1], guids[0]}));

  h.advance_s(60);
  ASSERT_EQ(h.patch("/_sim/articles/" + guids[1], R"({"title":"edited"})").status, 200);
  // An edit moves the article up by modified_at, not by position.
  EXPECT_EQ(guids_of(h.get(feed_url("format=json")).json()), by_position);
  auto by_modified = guids_of(h.get(feed_url("format=json&sort_by=modified_at")).json());
  EXPECT_EQ(by_modified, (std::vector<std::string>{guids[1], guids[3], guids[2], guids[0]}));

  // Re-publishing puts it on top of the position order.
  h.advance_s(60);
  ASSERT_EQ(h.post("/_sim/articles/" + guids[0] + ":republish").status, 200);
  EXPECT_EQ(guids_of(h.get(feed_url("format=json")).json()).front(), guids[0]);
  EXPECT_EQ(guids_of(h.get(feed_url("format=json&sort_by=modified_at")).json()).front(), guids[0]);
}

TEST(SimFeedApi, UnpublishMovesToTheDeletedFeedAndRepublishBringsItBack) {
  SimHarness h;
  auto guids = generate(h, 3);
  const auto before = h.get(feed_url("format=json")).json();
  const std::string first_modified(before.at("entries").at(2).at("content").at("modified_at").as_string());

  h.advance_s(30);
  auto moved = h.post("/_sim/articles/" + guids[0] + ":unpublish");
  ASSERT_EQ(moved.status, 200);
  EXPECT_EQ(moved.json().at("state").as_string(), "deleted");
  EXPECT_EQ(guids_of(h.get(feed_url()).json()), (std::vector<std::string>{guids[2], guids[1]}));
  auto deleted = h.get("/v2/feed/" + kDeletedFeed + "?format=json").json();
  ASSERT_EQ(guids_of(deleted), std::vector<std::string>{guids[0]});
  const auto& entry = deleted.at("entries").at(0);
  const std::string moved_at(entry.at("content").at("modified_at").as_string());
  EXPECT_GT(*parse_rfc3339_ms(moved_at), *parse_rfc3339_ms(first_modified));
  EXPECT_EQ(entry.at("modified_at").as_string(), moved_at);
  EXPECT_EQ(h.post("/_sim/articles/" + guids[0] + ":unpublish").status, 409);

  h.advance_s(30);
  ASSERT_EQ(h.post("/_sim/articles/" + guids[0] + ":republish").status, 200);
  auto live = h.get(feed_url()).json();
  EXPECT_EQ(guids_of(live), (std::vector<std::string>{guids[0], guids[2], guids[1]}));
  EXPECT_GT(*parse_rfc3339_ms(live.at("entries").at(0).at("content").at("modified_at").as_string()),
            *parse_rfc3339_ms(moved_at));
  EXPECT_TRUE(h.get("/v2/feed/" + kDeletedFeed + "?format=json").json().at("entries").as_array().empty());
}

TEST(SimFeedApi, EnvelopeModifiedAtFollowsEveryChange) {
  SimHarness h;
  auto guids = generate(h, 3);
  auto envelope = [&](const std::string& id) {
    return std::string(h.get("/v2/feed/" + id + "?format=json&pagesize=1").json().at("modified_at").as_string());
  };
  std::string last = envelope(kFeed);
  auto expect_moved = [&](const char* what) {
    auto now = envelope(kFeed);
    EXPECT_GT(*parse_rfc3339_ms(now), *parse_rfc3339_ms(last)) << what;
    last = now;
  };
  h.advance_s(1);
  ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", "{}").status, 201);
  expect_moved("add");
  h.advance_s(1);
  ASSERT_EQ(h.patch("/_sim/articles/" + guids[0], R"({"title":"t"})").status, 200);
  expect_moved("update");
  h.advance_s(1);
  ASSERT_EQ(h.post("/_sim/articles/" + guids[1] + ":unpublish").status, 200);
  expect_moved("unpublish");
  EXPECT_EQ(envelope(kDeletedFeed), last);
  h.advance_s(1);
  ASSERT_EQ(h.del("/_sim/articles/" + guids[2]).status, 204);
  expect_moved("delete");
  h.advance_s(1);
  ASSERT_EQ(h.post("/_sim/articles/" + guids[1] + ":republish").status, 200);
  expect_moved("republish");
  // Reads change nothing.
  h.advance_s(1);
  EXPECT_EQ(envelope(kFeed), last);
}

TEST(SimFeedApi, FeedModesBreakTheFeedAndComeBack) {
  SimHarness h;
  generate(h, 3);
  const std::string mode = "/_sim/feeds/" + kFeed + "/mode";
  ASSERT_EQ(h.put(mode, R"({"mode":"not_found"})").status, 200);
  auto gone = h.get(feed_url());
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.body, R"({"error":{"code":"404","message":"Collection with guid )" + kFeed + R"( not found"}})");

  ASSERT_EQ(h.put(mode, R"({"mode":"empty"})").status, 200);
  auto empty = h.get(feed_url());
  EXPECT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.json().at("entries").as_array().empty());

  ASSERT_EQ(h.put(mode, R"({"mode":"malformed"})").status, 200);
  auto broken = h.get(feed_url());
  EXPECT_EQ(broken.status, 200);
  EXPECT_FALSE(feed::parse_feed_page(broken.body, feed::ParseContent::no).has_value());

  ASSERT_EQ(h.put(mode, R"({"mode":"normal"})").status, 200);
  EXPECT_EQ(h.get(feed_url()).json().at("entries").as_array().size(), 3u);
  EXPECT_EQ(h.put(mode, R"({"mode":"sideways"})").status, 400);
  EXPECT_EQ(h.put("/_sim/feeds/nope/mode", R"({"mode":"empty"})").status, 404);
}

TEST(SimFeedApi, TimestampsHaveWholeSecondsLikeTheRealFeed) {
  SimHarness h;
  h.on_loop([](Simulator& s) { s.clock().advance_ms(1234); return 0; });
  generate(h, 1);
  auto page = h.get(feed_url()).json();
  const auto& e = page.at("entries").at(0);
  EXPECT_EQ(e.at("modified_at").as_string(), "2026-11-22T12:00:01Z");
  EXPECT_EQ(e.at("content").at("modified_at").as_string(), "2026-11-22T12:00:01Z");
  EXPECT_EQ(page.at("modified_at").as_string(), "2026-11-22T12:00:01Z");
}

}  // namespace
}  // namespace feedsync::sim::testing
