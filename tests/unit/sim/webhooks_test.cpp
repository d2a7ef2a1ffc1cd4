// The simulator's webhooks (issue 19): the CMP sender (secret, duplicates, reordering), the CMS's
// /v1/experimental/webhooks with each endpoint verification, and CMS publish events on an
// editor's publish. The receiving endpoint is a second server on the simulator's loop that
// records what it gets and answers as a test tells it to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "net/server.hpp"
#include "sim/attach_cms.hpp"
#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;

struct Received {
  std::string body;
  std::string secret;
  std::string authorization;
};

// Answers CMP deliveries 202, CMS events 202, and CMS verifications by echoing the challenge
// (or, with `echo` off, with an empty object).
class Endpoint {
 public:
  bool echo = true;
  std::vector<Received> received;  // on the loop thread

  void start(boost::asio::io_context& io) {
    net::Router router;
    router.post("/hook", [this](net::ServerRequest r) { return answer(this, std::move(r)); });
    server_ = std::make_unique<net::HttpServer>(io, net::ServerOptions{}, std::move(router));
    server_->start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"; }
  std::unique_ptr<net::HttpServer> server_;

 private:
  static boost::asio::awaitable<net::ServerResponse> answer(Endpoint* self, net::ServerRequest r) {
    self->received.push_back({r.body, std::string(r.headers.get("Callback-Secret").value_or("")),
                              std::string(r.headers.get("Authorization").value_or(""))});
    const auto value = json::parse(r.body);
    std::optional<std::string> challenge;
    std::string field = "challenge";
    if (value.is_object() && value.as_object().contains("challenge")) challenge = str(value.at("challenge"));
    if (value.is_array()) {
      challenge = str(value.at(0).at("data").at("validationCode"));
      field = "validationResponse";
    }
    if (!challenge) co_return net::ServerResponse::json(202, "{}");
    if (!self->echo) co_return net::ServerResponse::json(200, "{}");
    co_return net::ServerResponse::json(200, json::serialize(json::object{{field, *challenge}}));
  }
  static std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : ""; }
};

class SimWebhooks : public ::testing::Test {
 protected:
  SimWebhooks() {
    h.on_loop([this](Simulator& sim) {
      endpoint_.start(sim.io());
      return 0;
    });
  }
  ~SimWebhooks() override {
    h.on_loop([this](Simulator&) {
      endpoint_.server_.reset();
      return 0;
    });
  }
  std::vector<Received> received() {
    return h.on_loop([this](Simulator&) { return endpoint_.received; });
  }
  std::string bearer() {
    auto r = h.post("/oauth/token",
                    R"({"grant_type":"client_credentials","client_id":"sim-client","client_secret":"sim-secret"})");
    return "Authorization: Bearer " + std::string(r.json().at("access_token").as_string()) + "\r\n";
  }
  Reply subscribe(const std::string& auth, const std::string& token = "hook-token") {
    json::object body{{"name", "t"}, {"endpointUrl", endpoint_.url()}, {"eventTypes", json::array{"content.published"}},
                      {"authenticationToken", token}};
    return h.request("POST", "/v1/experimental/webhooks", json::serialize(body), "application/json", auth);
  }

  SimHarness h{{}, [](Simulator& sim) { attach_cms_sim(sim); }};
  Endpoint endpoint_;
};

TEST_F(SimWebhooks, TheCmpSenderSendsDuplicatesWithTheSecret) {
  json::object body{{"url", endpoint_.url()}, {"secret", "s3cret"}, {"events", json::array{"asset_added", "asset_removed"}},
                    {"count", 3}, {"concurrency", 1}};
  const auto reply = h.post("/_sim/cmp/webhooks:deliver", json::serialize(body));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto summary = reply.json();
  EXPECT_EQ(summary.at("deliveries").to_number<int>(), 6);
  EXPECT_EQ(summary.at("statuses").at("202").to_number<int>(), 6);
  const auto got = received();
  ASSERT_EQ(got.size(), 6u);
  for (const auto& r : got) EXPECT_EQ(r.secret, "s3cret");
  EXPECT_EQ(got[0].body, got[1].body) << "copies are duplicates";
  EXPECT_NE(got[0].body, got[3].body);
  EXPECT_THAT(json::parse(got[0].body).at("event_name").as_string(), "asset_added");
  const auto log = h.get("/_sim/webhooks/deliveries?source=cmp").json().at("deliveries").as_array();
  EXPECT_EQ(log.size(), 6u);
}

TEST_F(SimWebhooks, ReorderingShufflesTheDeliveriesReproducibly) {
  auto order_of = [&](int seed) {
    json::object body{{"url", endpoint_.url()}, {"events", json::array{"a1", "a2", "a3", "a4", "a5", "a6"}},
                      {"reorder", true}, {"seed", seed}, {"concurrency", 1}};
    std::vector<std::string> order;
    const auto summary = h.post("/_sim/cmp/webhooks:deliver", json::serialize(body)).json();
    for (const auto& e : summary.at("order").as_array()) order.emplace_back(e.as_string());
    return order;
  };
  const auto first = order_of(7);
  EXPECT_EQ(first, order_of(7));
  auto sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_THAT(sorted, ElementsAre("a1", "a2", "a3", "a4", "a5", "a6"));
  EXPECT_NE(first, sorted) << "seed 7 shuffles";
}

TEST_F(SimWebhooks, TheSenderRefusesWhatItCannotSend) {
  EXPECT_EQ(h.post("/_sim/cmp/webhooks:deliver", R"({})").status, 400);
  EXPECT_EQ(h.post("/_sim/cmp/webhooks:deliver", R"({"url":"ftp://x/"})").status, 400);
  EXPECT_EQ(h.post("/_sim/cmp/webhooks:deliver", R"({"url":"http://127.0.0.1:1/","count":0})").status, 400);
}

TEST_F(SimWebhooks, EachVerificationModeIsPassedByAnEchoAndFailedWithout) {
  const auto auth = bearer();
  EXPECT_EQ(h.request("POST", "/v1/experimental/webhooks", "{}", "application/json").status, 401);
  for (const char* mode : {"challenge", "event-grid", "none"}) {
    ASSERT_EQ(h.put("/_sim/cms/webhook-verification", std::string(R"({"mode":")") + mode + "\"}").status, 200);
    for (bool echo : {true, false}) {
      h.on_loop([&](Simulator&) {
        endpoint_.echo = echo;
        return 0;
      });
      const auto created = subscribe(auth);
      ASSERT_EQ(created.status, 201) << created.body;
      const bool passes = echo || std::string(mode) == "none";
      EXPECT_EQ(created.json().at("status").as_string(), passes ? "active" : "verificationFailed") << mode << echo;
      EXPECT_EQ(created.body.find("hook-token"), std::string::npos) << "the token is never shown";
    }
  }
  const auto definitions = h.request("GET", "/v1/experimental/webhookdefinitions", "", "application/json", auth);
  EXPECT_EQ(definitions.status, 200);
  EXPECT_NE(definitions.body.find("content.published"), std::string::npos);
}

TEST_F(SimWebhooks, AnEditorsPublishIsSentToActiveSubscriptions) {
  const auto auth = bearer();
  ASSERT_EQ(subscribe(auth, "tok-1").json().at("status").as_string(), "active");
  const std::string key = "0123456789abcdef0123456789abcd01";
  json::object item{{"key", key},           {"contentType", "ArticlePage"}, {"locale", "en"},
                    {"container", kCmsRootContainer}, {"displayName", "A"}, {"status", "draft"},
                    {"properties", json::object{{"Heading", "h"}}}};
  ASSERT_EQ(h.request("POST", "/_cms/version2/content", json::serialize(item), "application/json", auth).status, 201);
  ASSERT_EQ(h.post("/_sim/cms/items/" + key + ":publish").status, 200);
  std::vector<Received> got;
  for (int i = 0; i < 500 && got.size() < 2; ++i) {  // the event goes out after the answer
    got = received();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(got.size(), 2u) << "the verification, then the event";
  const auto event = json::parse(got[1].body);
  EXPECT_EQ(event.at("type").as_string(), "content.published");
  EXPECT_EQ(event.at("data").at("key").as_string(), key);
  EXPECT_EQ(got[1].authorization, "Bearer tok-1");
}

}  // namespace
}  // namespace feedsync::sim::testing
