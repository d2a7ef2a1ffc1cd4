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

}  // namespace
}  // namespace feedsync::sim::testing
