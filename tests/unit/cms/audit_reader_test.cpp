// The drift audit's CMS reads (issue 22): which requests each dialect sends, how pages end, what a
// node and a listing mean, 404 as an answer and everything else as an error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/audit_reader.hpp"
#include "cms/dialect.hpp"
#include "cms/sink_factory.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using feedsync::testing::kContainer;
using feedsync::testing::kFlatBase;
using feedsync::testing::kKey;
using feedsync::testing::kV1Base;
using feedsync::testing::problem_reply;
using feedsync::testing::run_to_completion;
namespace json = boost::json;

json::object node(const std::string& key, const std::string& container = kContainer, json::value deleted = nullptr) {
  return {{"key", key}, {"container", container}, {"contentType", "ArticlePage"}, {"deleted", deleted}};
}

json::object published(const std::string& key, const std::string& version, const std::string& guid) {
  return {{"key", key},
          {"locale", "en"},
          {"version", version},
          {"status", "published"},
          {"routeSegment", "story-" + version},
          {"properties", {{"CmpGuid", {{"value", guid}}}}}};
}

class AuditReaderTest : public ::testing::Test {
 protected:
  AuditReader& reader(bool v1, std::size_t page_size = 2) {
    dialect_ = v1 ? make_v1_dialect(kV1Base) : make_flat_dialect(kFlatBase);
    reader_.emplace(*dialect_, transport_, page_size);
    return *reader_;
  }
  const net::Request& call(std::size_t i) const { return cms_.calls.at(i); }

  feedsync::testing::FakeClock clock_;
  feedsync::testing::FakeHttpClient http_{&clock_};
  feedsync::testing::ScriptedCms cms_{http_};
  TokenSource tokens_{http_, clock_, feedsync::testing::test_token_options()};
  CmsTransport transport_{http_, tokens_, TransportOptions{}};
  std::unique_ptr<CmsDialect> dialect_;
  std::optional<AuditReader> reader_;
};

TEST_F(AuditReaderTest, ContainerItemsArePagedUntilAShortPage) {
  auto& r = reader(true);
  cms_.reply_json(200, {{"items", json::array{node("k1"), node("k2")}}, {"totalCount", 3}});
  cms_.reply_json(200, {{"items", json::array{node("k3")}}});
  auto items = run_to_completion(r.container_items(kContainer));
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ((*items)[2].key, "k3");
  EXPECT_EQ((*items)[0].container, kContainer);
  ASSERT_EQ(cms_.calls.size(), 2u);
  EXPECT_EQ(call(0).url, std::string(kV1Base) + "/content/" + kContainer + "/items?pageIndex=0&pageSize=2");
  EXPECT_EQ(call(1).url, std::string(kV1Base) + "/content/" + kContainer + "/items?pageIndex=1&pageSize=2");
  EXPECT_EQ(r.requests(), 2);
}

TEST_F(AuditReaderTest, AMissingContainerIsAnErrorNamingIt) {
  auto& r = reader(false);
  cms_.reply(404);
  auto items = run_to_completion(r.container_items(kContainer));
  ASSERT_FALSE(items);
  EXPECT_THAT(items.error().message, HasSubstr(kContainer));
}

TEST_F(AuditReaderTest, AnItemIsReadWithDeletedOnesAllowedInEachDialect) {
  auto& v1 = reader(true);
  cms_.reply_json(200, node(kKey, kContainer, "2026-12-02T10:00:00Z"));
  auto item = run_to_completion(v1.item(kKey));
  ASSERT_TRUE(item && *item);
  EXPECT_TRUE((*item)->deleted);
  EXPECT_EQ(call(0).url, std::string(kV1Base) + "/content/" + kKey);
  EXPECT_EQ(call(0).headers.get("cms-accept-resource").value_or(""), "deleted");

  auto& flat = reader(false);
  cms_.reply_json(200, node(kKey, "elsewhere"));
  cms_.reply(404);
  cms_.reply(problem_reply(403, {{"title", "Forbidden"}}));
  item = run_to_completion(flat.item(kKey));
  ASSERT_TRUE(item && *item);
  EXPECT_FALSE((*item)->deleted);
  EXPECT_EQ((*item)->container, "elsewhere");
  EXPECT_EQ(call(1).url, std::string(kFlatBase) + "/content/" + kKey + "?allowDeleted=true");
  auto gone = run_to_completion(flat.item(kKey));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value()) << "404: no such item";
  auto refused = run_to_completion(flat.item(kKey));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 403);
  EXPECT_THAT(refused.error().message, HasSubstr(kKey));
}

TEST_F(AuditReaderTest, V1ListsThePublishedVersionsOfEveryItemByKey) {
  auto& r = reader(true);
  auto draft = published("k9", "8", "g9");
  draft["status"] = "draft";  // a service that ignores the statuses filter
  cms_.reply_json(200, {{"items", json::array{published("k1", "4", "g1"), draft}}});
  cms_.reply_json(200, {{"items", json::array{}}});
  auto listed = run_to_completion(r.all_published("en", 100));
  ASSERT_TRUE(listed && *listed) << (listed ? "" : listed.error().message);
  ASSERT_EQ((*listed)->size(), 1u);
  const auto& record = (*listed)->at("k1");
  EXPECT_EQ(record.version, "4");
  EXPECT_EQ(record.route_segment, "story-4");
  EXPECT_EQ(record.properties->at("CmpGuid"), "g1") << "v1 values unwrapped";
  EXPECT_EQ(call(0).url,
            std::string(kV1Base) + "/content/versions?locales=en&statuses=published&pageIndex=0&pageSize=2");
}

// The listing covers every item of the instance: when it would take more pages than reading the
// feed's articles one by one, the reader stops after the first page and says so.
TEST_F(AuditReaderTest, AListingLongerThanPerItemReadsIsGivenUp) {
  auto& r = reader(true);
  cms_.reply_json(200, {{"items", json::array{published("k1", "4", "g1"), published("k2", "5", "g2")}},
                        {"totalCount", 7}});  // 4 pages of 2
  auto listed = run_to_completion(r.all_published("en", 3));
  ASSERT_TRUE(listed);
  EXPECT_FALSE(listed->has_value());
  EXPECT_EQ(cms_.calls.size(), 1u);
  cms_.reply_json(200, {{"items", json::array{published("k1", "4", "g1"), published("k2", "5", "g2")}},
                        {"totalCount", 3}});  // 2 pages
  cms_.reply_json(200, {{"items", json::array{published("k3", "6", "g3")}}});
  listed = run_to_completion(r.all_published("en", 3));
  ASSERT_TRUE(listed && *listed);
  EXPECT_EQ((*listed)->size(), 3u);
}

TEST_F(AuditReaderTest, TheFlatDialectHasNoListingAcrossItemsSoItReadsPerItem) {
  auto& r = reader(false);
  auto listed = run_to_completion(r.all_published("en", 100));
  ASSERT_TRUE(listed);
  EXPECT_FALSE(listed->has_value());
  EXPECT_TRUE(cms_.calls.empty()) << "nothing sent";

  cms_.reply_json(200, {{"items", json::array{feedsync::testing::flat_record("5", "published")}}});
  cms_.reply_json(200, {{"items", json::array{}}});
  auto one = run_to_completion(r.published(kKey, "en"));
  ASSERT_TRUE(one && *one);
  EXPECT_EQ((*one)->version, "5");
  EXPECT_EQ(call(0).url, std::string(kFlatBase) + "/content/" + kKey + "/versions?locales=en&statuses=published");
  auto none = run_to_completion(r.published(kKey, "en"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(AuditReaderTest, MoveIsAMergePatchOfTheContainer) {
  auto& r = reader(true);
  cms_.reply_json(200, node(kKey));
  cms_.reply(404);
  auto moved = run_to_completion(r.move(kKey, kContainer));
  ASSERT_TRUE(moved);
  EXPECT_TRUE(*moved);
  EXPECT_EQ(call(0).method, net::Method::patch);
  EXPECT_EQ(call(0).headers.get("Content-Type").value_or(""), "application/merge-patch+json");
  EXPECT_EQ(boost::json::parse(call(0).body), (json::value(json::object{{"container", kContainer}})));
  auto gone = run_to_completion(r.move(kKey, kContainer));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

TEST(AuditNodes, ReadsNodesAndTheirDeletion) {
  EXPECT_FALSE(read_item_node("[1]").has_value());
  EXPECT_FALSE(read_item_node(R"({"container":"c"})").has_value()) << "no key";
  auto live = read_item_node(R"({"key":"k","container":"c","deleted":null})");
  ASSERT_TRUE(live);
  EXPECT_FALSE(live->deleted);
  EXPECT_TRUE(read_item_node(R"({"key":"k","deleted":"2026-12-02T10:00:00Z"})")->deleted);
  EXPECT_EQ(listed_item_nodes(R"([{"key":"a"},{"nokey":1},{"key":"b"}])").size(), 2u) << "a bare array";
}

}  // namespace
}  // namespace feedsync::cms
