// Fault injection and rate limits as a client meets them on the wire.
#include <gtest/gtest.h>

#include <charconv>
#include <chrono>

#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;

void add_rule(SimHarness& h, std::string_view rule) {
  auto r = h.post("/_sim/faults", rule);
  ASSERT_EQ(r.status, 201) << r.body;
}

TEST(SimFaults, StatusWithRetryAfterForTheNextNMatches) {
  SimHarness h;
  add_rule(h, R"({"api":"feed","action":"status","status":503,"retry_after":7,"count":2})");
  for (int i = 0; i < 2; ++i) {
    auto r = h.get(feed_url());
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.headers.get("Retry-After").value_or(""), "7");
    EXPECT_EQ(r.json().at("error").at("code").as_string(), "503");
  }
  EXPECT_EQ(h.get(feed_url()).status, 200);
  EXPECT_TRUE(h.get("/_sim/faults").json().at("rules").as_array().empty());  // retired after its count
}

TEST(SimFaults, StatusWithCustomBodyAndHttpDateRetryAfter) {
  SimHarness h;
  add_rule(h, R"({"path":"^/v2/feed/","action":"status","status":429,"retry_after":"Wed, 21 Oct 2026 07:28:00 GMT",
                 "body":"slow down","content_type":"text/plain","count":1})");
  auto r = h.get(feed_url());
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, "slow down");
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "text/plain");
  EXPECT_EQ(r.headers.get("Retry-After").value_or(""), "Wed, 21 Oct 2026 07:28:00 GMT");
}

TEST(SimFaults, DelayHoldsTheResponseThenAnswersNormally) {
  SimHarness h;
  add_rule(h, R"({"action":"delay","delay_ms":300,"count":1})");
  const auto start = std::chrono::steady_clock::now();
  auto r = h.get(feed_url());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.json().is_object());
}

TEST(SimFaults, ResetAbortsTheConnectionWithoutAResponse) {
  SimHarness h;
  add_rule(h, R"({"method":"GET","path":"/v2/feed","action":"reset","count":1})");
  auto client = h.raw(feed_url());
  boost::system::error_code ec;
  EXPECT_FALSE(client->read_response(&ec).has_value());
  EXPECT_TRUE(ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) << ec.message();
  auto log = h.get("/_sim/requests?api=feed").json();
  EXPECT_EQ(log.at("entries").at(0).at("status").as_int64(), 0);
  EXPECT_EQ(log.at("entries").at(0).at("fault").as_string(), "reset");
}

TEST(SimFaults, TruncateSendsFewerBytesThanContentLength) {
  SimHarness h;
  h.post("/_sim/feeds/" + kFeed + "/generate", R"({"count":5})");
  add_rule(h, R"({"action":"truncate","truncate_at":100,"count":1})");
  auto client = h.raw(feed_url());
  client->read_until_closed();
  const std::string& wire = client->pending();
  const auto head_end = wire.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const auto cl = wire.find("Content-Length: ");
  ASSERT_NE(cl, std::string::npos);
  std::size_t length = 0;
  std::from_chars(wire.data() + cl + 16, wire.data() + head_end, length);
  EXPECT_GT(length, 100u);
  EXPECT_EQ(wire.size() - head_end - 4, 100u);
}

TEST(SimFaults, MalformedCorruptsTheJson) {
  SimHarness h;
  h.post("/_sim/feeds/" + kFeed + "/generate", R"({"count":2})");
  add_rule(h, R"({"api":"feed","action":"malformed","count":1})");
  auto r = h.get(feed_url());
  EXPECT_EQ(r.status, 200);
  boost::system::error_code ec;
  boost::json::parse(r.body, ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(h.get(feed_url()).status, 200);
  boost::json::parse(h.get(feed_url()).body, ec);
  EXPECT_FALSE(ec);
}

std::string statuses_with_seed(int seed) {
  SimHarness h;
  add_rule(h, R"({"action":"status","status":500,"probability":0.5,"seed":)" + std::to_string(seed) + "}");
  std::string out;
  for (int i = 0; i < 40; ++i) out += h.get(feed_url()).status == 500 ? 'x' : '.';
  return out;
}

TEST(SimFaults, ProbabilityIsReproducibleFromTheSeed) {
  const auto a = statuses_with_seed(7);
  EXPECT_EQ(a, statuses_with_seed(7));
  EXPECT_NE(a, statuses_with_seed(8));
  const auto fired = std::count(a.begin(), a.end(), 'x');
  EXPECT_GT(fired, 5);
  EXPECT_LT(fired, 35);
}

TEST(SimFaults, RulesMatchOnlyTheirApiMethodAndPath) {
  SimHarness h;
  add_rule(h, R"({"api":"canonical","action":"status","status":502})");
  add_rule(h, R"({"method":"POST","action":"status","status":502})");
  add_rule(h, R"({"path":"^/v2/feed/other$","action":"status","status":502})");
  EXPECT_EQ(h.get(feed_url()).status, 200);
  EXPECT_EQ(h.get("/v2/feed/other").status, 502);
  EXPECT_EQ(h.get("/customer_canonical_link?canonical_link=x&tracking_pixel_key=y").status, 502);
  // The control API is never faulted, whatever the rule says.
  add_rule(h, R"({"action":"reset"})");
  EXPECT_EQ(h.get("/_sim/info").status, 200);
  auto rules = h.get("/_sim/faults").json().at("rules").as_array();
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(h.del("/_sim/faults/" + std::to_string(rules[3].at("id").to_number<std::uint64_t>())).status, 204);
  EXPECT_EQ(h.del("/_sim/faults/999").status, 404);
  EXPECT_EQ(h.del("/_sim/faults").status, 204);
  EXPECT_EQ(h.get("/v2/feed/other").status, 404);
}

TEST(SimFaults, InvalidRulesAreRefused) {
  SimHarness h;
  for (const char* rule : {R"({})", R"({"action":"explode"})", R"({"action":"status","status":99})",
                           R"({"action":"delay"})", R"({"action":"reset","count":0})",
                           R"({"action":"reset","probability":1.5})", R"({"action":"reset","path":"("})",
                           R"({"action":"reset","api":"nosuchapi"})", R"({"action":"reset","method":"FETCH"})",
                           R"({"action":"reset","colour":"red"})", R"([1,2])", "not json"}) {
    EXPECT_EQ(h.post("/_sim/faults", rule).status, 400) << rule;
  }
}

TEST(SimRateLimit, RefusesWith429AndRetryAfterUntilTheBucketRefills) {
  SimHarness h;
  auto set = h.put("/_sim/rate-limits/feed", R"({"rate":1,"burst":2})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(h.get(feed_url()).status, 200);
  EXPECT_EQ(h.get(feed_url()).status, 200);
  auto refused = h.get(feed_url());
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.get("Retry-After").value_or(""), "1");
  EXPECT_EQ(refused.json().at("error").at("code").as_string(), "429");
  // Other APIs are not limited by the feed's bucket.
  EXPECT_EQ(h.get("/customer_canonical_link").status, 400);

  h.advance_s(1);  // simulated time refills the bucket
  EXPECT_EQ(h.get(feed_url()).status, 200);
  EXPECT_EQ(h.get(feed_url()).status, 429);

  auto limits = h.get("/_sim/rate-limits").json();
  EXPECT_EQ(limits.at("feed").at("rejected").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(h.get("/_sim/requests?api=feed&status=429").json().at("entries").at(0).at("fault").as_string(),
            "rate_limit");
  EXPECT_EQ(h.del("/_sim/rate-limits/feed").status, 204);
  EXPECT_EQ(h.get(feed_url()).status, 200);
}

TEST(SimRateLimit, FixedRetryAfterAndValidation) {
  SimHarness h;
  ASSERT_EQ(h.put("/_sim/rate-limits/canonical", R"({"rate":0.1,"burst":1,"retry_after":30})").status, 200);
  h.get("/customer_canonical_link");
  auto r = h.get("/customer_canonical_link");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.get("Retry-After").value_or(""), "30");
  EXPECT_EQ(h.put("/_sim/rate-limits/feed", R"({"rate":0})").status, 400);
  EXPECT_EQ(h.put("/_sim/rate-limits/feed", R"({"burst":3})").status, 400);
  EXPECT_EQ(h.put("/_sim/rate-limits/feed", R"({"rate":5,"burst":0.5})").status, 400);
  EXPECT_EQ(h.put("/_sim/rate-limits/nosuchapi", R"({"rate":5})").status, 404);
  EXPECT_EQ(h.del("/_sim/rate-limits/feed").status, 404);
}

}  // namespace
}  // namespace feedsync::sim::testing
