// The simulator with the real CMS part attached: CMS and token routes go through the same
// middleware (log, faults, rate limits), the simulated clock ages tokens, and /_sim/check reads
// what a client really wrote.
#include <gtest/gtest.h>

#include "sim/attach_cms.hpp"
#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;

constexpr const char* kFlat = "/_cms/version2";

class SimWithCms : public ::testing::Test {
 protected:
  SimHarness h{{}, [](Simulator& sim) { attach_cms_sim(sim); }};

  Reply token() {
    return h.post(std::string(kFlat) + "/oauth/token",
                  R"({"grant_type":"client_credentials","client_id":"sim-client","client_secret":"sim-secret"})");
  }
  std::string bearer() {
    auto r = token();
    if (r.status != 200) throw std::runtime_error("token: " + r.body);
    return "Authorization: Bearer " + std::string(r.json().at("access_token").as_string()) + "\r\n";
  }
  Reply create(const std::string& auth, const std::string& key, const std::string& guid,
               const std::string& status = "published") {
    json::object body{{"key", key},
                      {"contentType", "ArticlePage"},
                      {"locale", "en"},
                      {"container", kCmsRootContainer},
                      {"displayName", "Article " + guid},
                      {"status", status},
                      {"properties", json::object{{"Heading", "h"}, {"CmpGuid", guid}}}};
    return h.request("POST", std::string(kFlat) + "/content", json::serialize(body), "application/json", auth);
  }
};

TEST_F(SimWithCms, CheckSeesWhatAClientWrote) {
  for (const char* g : {"g1", "g2"})
    ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", std::string(R"({"guid":")") + g + "\"}").status, 201);
  const auto auth = bearer();
  ASSERT_EQ(create(auth, "0123456789abcdef0123456789abcd01", "g1").status, 201);
  auto report = h.get("/_sim/check").json();
  EXPECT_FALSE(report.at("ok").as_bool());
  ASSERT_EQ(report.at("missing_in_cms").as_array().size(), 1u);
  EXPECT_EQ(report.at("missing_in_cms").at(0).at("guid").as_string(), "g2");

  ASSERT_EQ(create(auth, "0123456789abcdef0123456789abcd02", "g2").status, 201);
  EXPECT_TRUE(h.get("/_sim/check").json().at("ok").as_bool());
  EXPECT_TRUE(h.get("/_sim/info").json().at("cms_attached").as_bool());

  ASSERT_EQ(create(auth, "0123456789abcdef0123456789abcd03", "g2").status, 201);
  report = h.get("/_sim/check").json();
  ASSERT_EQ(report.at("duplicates").as_array().size(), 1u);
  EXPECT_EQ(report.at("duplicates").at(0).at("guid").as_string(), "g2");
  EXPECT_EQ(h.get("/_sim/cms/items").status, 200);
}

TEST_F(SimWithCms, CmsRoutesGoThroughTheMiddleware) {
  const auto auth = bearer();
  ASSERT_EQ(h.post("/_sim/faults", R"({"api":"cms","action":"status","status":503,"retry_after":2,"count":1})").status, 201);
  auto faulted = create(auth, "0123456789abcdef0123456789abcd01", "g1");
  EXPECT_EQ(faulted.status, 503);
  EXPECT_EQ(faulted.headers.get("Content-Type").value_or(""), "application/problem+json");
  EXPECT_EQ(faulted.headers.get("Retry-After").value_or(""), "2");
  EXPECT_EQ(create(auth, "0123456789abcdef0123456789abcd01", "g1").status, 201);

  ASSERT_EQ(h.put("/_sim/rate-limits/token", R"({"rate":1,"burst":1})").status, 200);
  EXPECT_EQ(token().status, 200);  // a new bucket starts full
  auto limited = token();
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(limited.json().at("status").as_int64(), 429);
  auto counters = h.get("/_sim/requests/counters").json();
  EXPECT_EQ(counters.at("apis").at("token").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(counters.at("apis").at("cms").to_number<std::uint64_t>(), 2u);
}

TEST_F(SimWithCms, TokensExpireOnTheSimulatedClockAndOnDemand) {
  auto auth = bearer();
  const std::string items = std::string(kFlat) + "/content/" + kCmsRootContainer + "/items";
  EXPECT_EQ(h.request("GET", items, {}, {}, auth).status, 200);
  h.advance_s(301);
  EXPECT_EQ(h.request("GET", items, {}, {}, auth).status, 401);
  auth = bearer();
  EXPECT_EQ(h.request("GET", items, {}, {}, auth).status, 200);
  EXPECT_EQ(h.post("/_sim/cms/tokens:expire").status, 204);
  EXPECT_EQ(h.request("GET", items, {}, {}, auth).status, 401);
}

// Issue 19: an editor publishes a draft in the CMS, as tests of the pending canonical check play it.
TEST_F(SimWithCms, AnEditorPublishesTheNewestVersionOfALocale) {
  const auto auth = bearer();
  const std::string key = "0123456789abcdef0123456789abcd01";
  ASSERT_EQ(create(auth, key, "g1", "draft").status, 201);
  const std::string published = std::string(kFlat) + "/content/" + key + "/versions?locales=en&statuses=published";
  EXPECT_TRUE(h.request("GET", published, {}, {}, auth).json().at("items").as_array().empty());

  auto reply = h.post("/_sim/cms/items/" + key + ":publish", R"({"locale":"en"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto listing = h.request("GET", published, {}, {}, auth).json();
  ASSERT_EQ(listing.at("items").as_array().size(), 1u);
  EXPECT_EQ(listing.at("items").at(0).at("status").as_string(), "published");
  EXPECT_EQ(reply.json().at("version"), listing.at("items").at(0).at("version"));

  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":publish", R"({"locale":"de"})").status, 404);
  EXPECT_EQ(h.post("/_sim/cms/items/0123456789abcdef0123456789abcd99:publish").status, 404);
}


// Issue 22: editors change items behind the integration's back; both dialects see it.
class SimEditor : public SimWithCms {
 protected:
  const std::string key = "0123456789abcdef0123456789abcd01";
  std::string auth;
  void SetUp() override {
    auth = bearer();
    ASSERT_EQ(create(auth, key, "g1").status, 201);
  }
  Reply read(const std::string& path, const std::string& extra = {}) {
    return h.request("GET", path, {}, {}, auth + extra);
  }
  json::array published(const std::string& base) {
    auto listing = read(base + "/content/" + key + "/versions?locales=en&statuses=published").json();
    return listing.at("items").as_array();
  }
};

TEST_F(SimEditor, DeleteIsSoftAndSeenByBothDialects) {
  ASSERT_EQ(h.post("/_sim/cms/items/" + key + ":delete").status, 200);
  EXPECT_EQ(read(std::string(kFlat) + "/content/" + key).status, 404);
  EXPECT_EQ(read("/v1/content/" + key).status, 404);
  auto flat = read(std::string(kFlat) + "/content/" + key + "?allowDeleted=true");
  ASSERT_EQ(flat.status, 200);
  EXPECT_TRUE(flat.json().at("deleted").is_string());
  auto v1 = read("/v1/content/" + key, "cms-accept-resource: inherited, deleted\r\n");
  ASSERT_EQ(v1.status, 200);
  EXPECT_TRUE(v1.json().at("deleted").is_string());
  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":delete").status, 404);  // already deleted
  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":delete", R"({"permanent":true})").status, 200);
  EXPECT_EQ(read(std::string(kFlat) + "/content/" + key + "?allowDeleted=true").status, 404);
}

TEST_F(SimEditor, EditPublishesANewVersionWithOtherContent) {
  const auto before = published(kFlat);
  ASSERT_EQ(before.size(), 1u);
  auto reply = h.post("/_sim/cms/items/" + key + ":edit", R"({"properties":{"Heading":"by hand"}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto after = published(kFlat);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.at(0).at("version"), reply.json().at("version"));
  EXPECT_NE(after.at(0).at("version"), before.at(0).at("version"));
  EXPECT_EQ(after.at(0).at("properties").at("Heading").as_string(), "by hand");
  EXPECT_EQ(after.at(0).at("properties").at("CmpGuid").as_string(), "g1");  // the rest kept
  EXPECT_EQ(after.at(0).at("displayName").as_string(), "Article g1 (edited)");
  EXPECT_EQ(published("/v1").at(0).at("properties").at("Heading").at("value").as_string(), "by hand");
  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":edit", R"({"properties":[1]})").status, 400);
}

TEST_F(SimEditor, UnpublishLeavesNoPublishedVersion) {
  ASSERT_EQ(h.post("/_sim/cms/items/" + key + ":unpublish", R"({"locale":"en"})").status, 200);
  EXPECT_TRUE(published(kFlat).empty());
  EXPECT_TRUE(published("/v1").empty());
  EXPECT_EQ(read(std::string(kFlat) + "/content/" + key).status, 200);  // the item stays
  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":unpublish").status, 404);  // nothing published now
}

TEST_F(SimEditor, MoveChangesTheContainer) {
  const std::string other = "98eb33cfa7df48d1b987442c522984c8";
  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":move", R"({"container":")" + other + "\"}").status, 404);
  ASSERT_EQ(h.post("/_sim/cms/containers", R"({"key":")" + other + "\"}").status, 201);
  ASSERT_EQ(h.post("/_sim/cms/items/" + key + ":move", R"({"container":")" + other + "\"}").status, 200);
  EXPECT_EQ(read("/v1/content/" + key).json().at("container").as_string(), other);
  const auto root = read(std::string(kFlat) + "/content/" + kCmsRootContainer + "/items").json();
  EXPECT_TRUE(root.at("items").as_array().empty());
  EXPECT_EQ(h.post("/_sim/cms/items/" + key + ":move", "{}").status, 400);
  EXPECT_EQ(h.post("/_sim/cms/items/0123456789abcdef0123456789abcd99:move", R"({"container":")" + other + "\"}").status,
            404);
}

TEST_F(SimEditor, V1ListsPublishedVersionsOfEveryItemInOneRequest) {
  ASSERT_EQ(create(auth, "0123456789abcdef0123456789abcd02", "g2").status, 201);
  ASSERT_EQ(create(auth, "0123456789abcdef0123456789abcd03", "g3", "draft").status, 201);
  auto page = read("/v1/content/versions?locales=en&statuses=published&pageSize=1").json();
  EXPECT_EQ(page.at("totalCount").to_number<std::uint64_t>(), 2u);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_EQ(page.at("items").at(0).at("key").as_string(), key);
  ASSERT_EQ(h.post("/_sim/cms/items/" + key + ":delete").status, 200);
  page = read("/v1/content/versions?locales=en&statuses=published").json();
  ASSERT_EQ(page.at("items").as_array().size(), 1u);  // deleted items are not listed
  EXPECT_EQ(page.at("items").at(0).at("key").as_string(), "0123456789abcdef0123456789abcd02");
}

}  // namespace
}  // namespace feedsync::sim::testing
