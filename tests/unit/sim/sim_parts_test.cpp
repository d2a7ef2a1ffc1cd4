// The simulator's pure parts, without sockets: encoding, parameter parsing, domain matching,
// paging over the pre-sorted indexes, token buckets and fault rule bookkeeping.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sim/faults.hpp"
#include "sim/feed_api.hpp"
#include "sim/feed_render.hpp"
#include "sim/feed_store.hpp"
#include "support/fake_clock.hpp"

namespace feedsync::sim {
namespace {

using namespace std::chrono_literals;

TEST(SimParts, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(SimParts, FeedPrecisionTruncatesToWholeSeconds) {
  EXPECT_EQ(to_feed_precision(1'795'348'800'999), 1'795'348'800'000);
  EXPECT_EQ(to_feed_precision(1'795'348'800'000), 1'795'348'800'000);
  EXPECT_EQ(to_feed_precision(-1), -1000);
}

TEST(SimParts, DomainAllowedMeansEqualOrSubdomain) {
  const std::vector<std::string> allowed{"example.com", "Shop.Example.ORG"};
  EXPECT_TRUE(domain_allowed("example.com", allowed));
  EXPECT_TRUE(domain_allowed("WWW.Example.com", allowed));
  EXPECT_TRUE(domain_allowed("a.b.shop.example.org", allowed));
  EXPECT_FALSE(domain_allowed("badexample.com", allowed));
  EXPECT_FALSE(domain_allowed("example.org", allowed));
  EXPECT_FALSE(domain_allowed("example.com.evil.net", allowed));
  EXPECT_TRUE(domain_allowed("anything.at.all", {}));
}

TEST(SimParts, PageQueryDefaultsAndFields) {
  net::QueryParams none;
  auto q = parse_page_query(none);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->format, FeedFormat::atom);
  EXPECT_EQ(q->sort, SortBy::position);
  EXPECT_EQ(q->pagesize, 200u);
  EXPECT_EQ(q->offset, 0u);
  EXPECT_FALSE(q->fields);

  net::QueryParams some;
  some.add("fields", " guid , modified_at,,");
  some.add("sort_by", "Modified_At");
  auto f = parse_page_query(some);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f->fields, (std::vector<std::string>{"guid", "modified_at"}));
  EXPECT_EQ(f->sort, SortBy::modified_at);
}

class SimStoreTest : public ::testing::Test {
 protected:
  testing::FakeClock base;
  SimClock clock{base};
  FeedStore store{clock, UrlBases{}};
  void SetUp() override { ASSERT_TRUE(store.add_feed("live1", "dead1", "Live")); }
};

TEST_F(SimStoreTest, PagesAreSlicesOfTheSortedIndex) {
  GenerateRequest request;
  request.count = 10;
  ASSERT_TRUE(store.generate("live1", request));
  const Feed& feed = *store.feed("live1");
  auto all = store.page(feed, SortBy::position, 0, 999);
  ASSERT_EQ(all.size(), 10u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i - 1]->position, all[i]->position);
  auto middle = store.page(feed, SortBy::position, 3, 4);
  ASSERT_EQ(middle.size(), 4u);
  EXPECT_EQ(middle[0], all[3]);
  EXPECT_EQ(store.page(feed, SortBy::position, 8, 4).size(), 2u);
  EXPECT_TRUE(store.page(feed, SortBy::position, 10, 4).empty());
}

TEST_F(SimStoreTest, BackdatedGenerationDiffersBetweenSortOrders) {
  GenerateRequest request;
  request.count = 30;
  request.backdate = true;
  ASSERT_TRUE(store.generate("live1", request));
  const Feed& feed = *store.feed("live1");
  auto by_position = store.page(feed, SortBy::position, 0, 999);
  auto by_modified = store.page(feed, SortBy::modified_at, 0, 999);
  EXPECT_FALSE(std::equal(by_position.begin(), by_position.end(), by_modified.begin()));
  for (std::size_t i = 1; i < by_modified.size(); ++i)
    EXPECT_GE(by_modified[i - 1]->content_modified_ms, by_modified[i]->content_modified_ms);
  for (const Article* a : by_modified) EXPECT_LE(a->content_modified_ms, clock.now_ms());
}

TEST_F(SimStoreTest, FeedIdsAndPairsAreValidated) {
  EXPECT_EQ(store.add_feed("live1", "other", "x").error().status, 409);
  EXPECT_EQ(store.add_feed("bad id", "other", "x").error().status, 400);
  EXPECT_EQ(store.add_feed("same", "same", "x").error().status, 400);
  EXPECT_TRUE(store.feed("dead1")->deleted_feed);
  EXPECT_EQ(store.feed("dead1")->partner, "live1");
}

TEST_F(SimStoreTest, PixelKeysFollowTheArticle) {
  auto a = store.add("live1", boost::json::object{{"guid", "g1"}});
  ASSERT_TRUE(a);
  EXPECT_EQ(store.find_by_pixel_key(pixel_key_for("g1")), *a);
  // A feed that carries the whole pixel URL still resolves by the bare key.
  ASSERT_TRUE(store.update("g1", boost::json::object{{"pixel_key", "https://pixel.optimizely.com/px.gif?key=abc"}},
                           Bump::none));
  EXPECT_EQ(store.find_by_pixel_key("abc"), *a);
  EXPECT_EQ(store.find_by_pixel_key(pixel_key_for("g1")), nullptr);
  ASSERT_FALSE(store.remove("g1"));
  EXPECT_EQ(store.find_by_pixel_key("abc"), nullptr);
}

TEST(SimParts, TokenBucketRefillsAtItsRate) {
  RateLimits limits;
  const auto t0 = std::chrono::steady_clock::time_point(1h);
  ASSERT_FALSE(limits.set("feed", 2.0, 1.0, std::nullopt, t0));
  EXPECT_FALSE(limits.admit("feed", t0));
  EXPECT_EQ(limits.admit("feed", t0), 1);  // 0.5 s to the next token, rounded up
  EXPECT_EQ(limits.admit("feed", t0 + 400ms), 1);
  EXPECT_FALSE(limits.admit("feed", t0 + 500ms));
  EXPECT_FALSE(limits.admit("cms", t0));  // no limit set: always admitted

  ASSERT_FALSE(limits.set("slow", 0.25, std::nullopt, std::nullopt, t0));
  EXPECT_FALSE(limits.admit("slow", t0));
  EXPECT_EQ(limits.admit("slow", t0), 4);
}

TEST(SimParts, FaultRulesFireInOrderAndRetire) {
  FaultRules rules;
  ASSERT_TRUE(rules.add(boost::json::parse(R"({"api":"feed","action":"status","status":500,"count":1})")));
  ASSERT_TRUE(rules.add(boost::json::parse(R"({"action":"reset"})")));
  auto first = rules.take(net::Method::get, "/v2/feed/x", "feed");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->action, FaultAction::status);
  auto second = rules.take(net::Method::get, "/v2/feed/x", "feed");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->action, FaultAction::reset);
  EXPECT_EQ(rules.to_json().size(), 1u);
  EXPECT_TRUE(rules.remove(second->id));
  EXPECT_FALSE(rules.take(net::Method::get, "/v2/feed/x", "feed"));
}

}  // namespace
}  // namespace feedsync::sim
