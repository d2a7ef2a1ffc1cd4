// The HTTP operating surface over real loopback sockets: an OpsServer on port 0 in front of a
// FakeOpsBackend, driven by the raw test client of tests/unit/net.

#include "ops/ops_api.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "core/canonical_json.hpp"
#include "fake_ops_backend.hpp"
#include "log/log.hpp"
#include "unit/net/server_test_support.hpp"

namespace feedsync::ops::testing {
namespace {

using namespace feedsync::net::testing;
using Call = FakeOpsBackend::Call;

constexpr const char* kToken = "s3cr3t-Admin-Token-0123456789";

config::HttpConfig http_config(std::optional<std::string> token) {
  config::HttpConfig http;
  http.listen = "127.0.0.1:0";
  http.listen_host = "127.0.0.1";
  http.listen_port = 0;
  if (token) http.admin_token = config::Secret(*token, "test");
  return http;
}

std::string bearer(std::string_view token) { return "Authorization: Bearer " + std::string(token) + "\r\n"; }
const std::string kAuth = bearer(kToken);

// Member order matters: the loop stops after the server is gone; the backend outlives both.
class OpsApiTest : public ::testing::Test {
 protected:
  void start(std::optional<std::string> token = kToken) {
    loop_.call([&] {
      server_ = std::make_unique<OpsServer>(loop_.io(), http_config(token), backend_);
      server_->start();
      port_ = server_->port();
    });
  }
  void TearDown() override {
    if (!server_) return;
    loop_.await(server_->stop(1s));
    loop_.call([&] { server_.reset(); });
  }

  // One request on a fresh connection; every response is kept for the no-secret check.
  RawResponse send(std::string_view method, std::string_view target, std::string_view headers = "",
                   std::string_view body = "") {
    auto client = connect_client(port_);
    std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" +
                          std::string(headers) + "Content-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + std::string(body);
    if (auto ec = client->write(request)) throw std::runtime_error("write failed: " + ec.message());
    auto response = client->read_response(nullptr, method == "HEAD");
    if (!response) throw std::runtime_error("no response to " + std::string(target));
    seen_.push_back(*response);
    return *response;
  }
  RawResponse get(std::string_view target) { return send("GET", target); }
  RawResponse post(std::string_view target, std::string_view headers = kAuth, std::string_view body = "") {
    return send("POST", target, headers, body);
  }

  FakeOpsBackend backend_;
  LoopThread loop_;
  std::unique_ptr<OpsServer> server_;
  unsigned short port_ = 0;
  std::vector<RawResponse> seen_;
};

const std::vector<ReadinessCheck> kAllFailing = {{"config", false, "not loaded"},
                                                 {"store", false, "database is locked"},
                                                 {"cms_token", false, "invalid_client"}};

TEST_F(OpsApiTest, LivezAnswersWithoutAskingTheBackend) {
  backend_.set_checks(kAllFailing);
  start();
  auto r = get("/livez");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_EQ(send("HEAD", "/livez").status, 200);
  EXPECT_EQ(backend_.backend_calls(), 0);
}

TEST_F(OpsApiTest, LivezFailsWhileTheEventLoopIsStalled) {
  backend_.set_checks(kAllFailing);  // dependencies stay out of it either way
  start();
  backend_.set_liveness_problem("event loop stalled for 12034 ms");
  auto r = get("/livez");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "event loop stalled for 12034 ms\n");
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");
  backend_.set_liveness_problem(std::nullopt);
  r = get("/livez");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_EQ(backend_.backend_calls(), 0);
}

TEST_F(OpsApiTest, ReadyzFlipsWithTheChecksAndListsTheFailingOnes) {
  backend_.set_checks({{"config", true, ""}, {"store", true, ""}});
  start();
  auto r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  EXPECT_EQ(r.headers.get("Cache-Control"), "no-store");

  backend_.set_checks({{"config", true, ""},
                       {"store", false, "database is locked"},
                       {"feed:blog", false, "last success 12m ago, interval 1m"},
                       {"deletes_held:blog", false, ""}});
  r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "store: database is locked\n"
            "feed:blog: last success 12m ago, interval 1m\n"
            "deletes_held:blog: failed\n");

  backend_.set_checks({{"config", true, ""}});
  r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST_F(OpsApiTest, HealthzGivesTheSameVerdict) {
  backend_.set_checks({{"store", false, "locked"}});
  start();
  auto r = get("/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "store: locked\n");
  backend_.set_checks({});  // no checks at all: nothing is failing
  r = get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST_F(OpsApiTest, VerboseListsEveryCheck) {
  backend_.set_checks({{"config", true, ""}, {"store", false, "locked"}, {"feed:blog", false, ""}});
  start();
  auto r = get("/readyz?verbose");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "[+]config ok\n[-]store failed: locked\n[-]feed:blog failed\nreadyz check failed\n");

  backend_.set_checks({{"config", true, ""}, {"store", true, "wal"}});
  r = get("/healthz?verbose=true");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[+]config ok\n[+]store ok\nhealthz check passed\n");
}

TEST_F(OpsApiTest, ACheckDetailCannotAddLines) {
  backend_.set_checks({{"store", false, "locked\n[+]fake ok\r"}});
  start();
  EXPECT_EQ(get("/readyz").body, "store: locked [+]fake ok \n");
}

TEST_F(OpsApiTest, MetricsUsesThePrometheusContentType) {
  backend_.set_metrics("# TYPE feedsync_x gauge\nfeedsync_x 1\n");
  start();
  auto r = get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, "# TYPE feedsync_x gauge\nfeedsync_x 1\n");
}

TEST_F(OpsApiTest, StatusServesTheBackendsJson) {
  backend_.set_status_json(R"({"feeds":[{"name":"blog","state":"ok"}]})");
  start();
  auto r = get("/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"feeds":[{"name":"blog","state":"ok"}]})");
}

TEST_F(OpsApiTest, AdminWithoutATokenIs401) {
  start();
  for (const char* target : {"/feeds/blog/sync", "/retry", "/feeds/blog/articles/g1/resync"}) {
    auto r = post(target, "");
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Bearer realm=\"feedsync\"") << target;
  }
  EXPECT_EQ(post("/feeds/blog/sync", "Authorization: Basic Zm9vOmJhcg==\r\n").status, 401);
  EXPECT_EQ(post("/feeds/blog/sync", "Authorization: Bearer \r\n").status, 401);
  EXPECT_TRUE(backend_.calls().empty());
}

TEST_F(OpsApiTest, AdminWithAWrongTokenIs401) {
  start();
  const std::string almost(kToken, std::string_view(kToken).size() - 1);
  for (const std::string& wrong : {std::string("wrong"), almost, std::string(kToken) + "x"}) {
    auto r = post("/feeds/blog/pause", bearer(wrong));
    EXPECT_EQ(r.status, 401) << wrong;
    EXPECT_EQ(r.headers.get("WWW-Authenticate"), "Bearer realm=\"feedsync\", error=\"invalid_token\"");
  }
  EXPECT_TRUE(backend_.calls().empty());
  // The scheme is case-insensitive (RFC 7235).
  EXPECT_EQ(post("/feeds/blog/pause", "Authorization: bearer " + std::string(kToken) + "\r\n").status, 202);
}

TEST_F(OpsApiTest, AdminIsDisabledWithoutAConfiguredToken) {
  start(std::nullopt);
  const auto unknown = get("/no/such/path");
  for (const char* target : {"/feeds/blog/sync", "/feeds/blog/pause", "/retry"}) {
    auto r = post(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, unknown.body) << target;  // indistinguishable from no API
  }
  EXPECT_TRUE(backend_.calls().empty());
}

TEST_F(OpsApiTest, AnEmptyConfiguredTokenDisablesTheAdminApi) {
  start(std::string());
  EXPECT_EQ(post("/feeds/blog/sync", "Authorization: Bearer \r\n").status, 404);
  EXPECT_TRUE(backend_.calls().empty());
}

TEST_F(OpsApiTest, AdminActionsReachTheBackend) {
  backend_.set_guids({"g 1"});
  start();
  for (const char* target : {"/feeds/blog/sync", "/feeds/blog/pause", "/feeds/blog/resume",
                             "/feeds/blog/approve-deletes", "/feeds/blog/resync",
                             "/feeds/blog/articles/g%201/resync"}) {
    auto r = post(target);
    EXPECT_EQ(r.status, 202) << target;
    EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  }
  EXPECT_EQ(post("/feeds/blog/sync").body, R"({"message":"sync of blog requested"})");
  EXPECT_EQ(backend_.calls(), (std::vector<Call>{{"sync", "blog", {}},
                                                 {"pause", "blog", {}},
                                                 {"resume", "blog", {}},
                                                 {"approve-deletes", "blog", {}},
                                                 {"resync", "blog", {}},
                                                 {"resync", "blog", "g 1"},
                                                 {"sync", "blog", {}}}));
}

TEST_F(OpsApiTest, UnknownFeedOrGuidIs404FromTheBackend) {
  start();
  auto r = post("/feeds/nope/sync");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"message":"unknown feed nope"})");
  r = post("/feeds/blog/articles/missing/resync");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"message":"unknown guid missing"})");
}

TEST_F(OpsApiTest, RetryTakesItsScopeFromTheQueryOrABody) {
  start();
  EXPECT_EQ(post("/retry").status, 202);
  EXPECT_EQ(post("/retry?feed=blog").status, 202);
  EXPECT_EQ(post("/retry?guid=g1").status, 202);
  EXPECT_EQ(post("/retry", kAuth + "Content-Type: application/json\r\n", R"({"feed":"blog","guid":"g1"})").status, 202);
  EXPECT_EQ(post("/retry?feed=blog", kAuth, R"({"feed":"blog","guid":null})").status, 202);
  EXPECT_EQ(post("/retry?feed=nope").status, 404);
  EXPECT_EQ(backend_.calls(), (std::vector<Call>{{"retry", {}, {}},
                                                 {"retry", "blog", {}},
                                                 {"retry", {}, "g1"},
                                                 {"retry", "blog", "g1"},
                                                 {"retry", "blog", {}},
                                                 {"retry", "nope", {}}}));
}

TEST_F(OpsApiTest, RetryRefusesWhatItDoesNotUnderstand) {
  start();
  auto r = post("/retry?fed=blog");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"j({"message":"unknown parameter \"fed\" (expected feed, guid)"})j");
  EXPECT_EQ(post("/retry", kAuth, "feed=blog").status, 400);
  EXPECT_EQ(post("/retry", kAuth, "[]").status, 400);
  EXPECT_EQ(post("/retry", kAuth, R"({"feed":"blog","all":true})").status, 400);
  EXPECT_EQ(post("/retry", kAuth, R"({"feed":1})").status, 400);
  EXPECT_EQ(post("/retry?feed=").status, 400);
  EXPECT_EQ(post("/retry?feed=news", kAuth, R"({"feed":"blog"})").status, 400);
  EXPECT_TRUE(backend_.calls().empty());
}

TEST_F(OpsApiTest, UnknownPathsAre404AndWrongMethods405) {
  start();
  EXPECT_EQ(get("/nowhere").status, 404);
  EXPECT_EQ(get("/feeds/blog").status, 404);
  auto r = get("/feeds/blog/sync");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("Allow"), "POST");
  r = post("/livez");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("Allow"), "GET, HEAD");
  EXPECT_EQ(send("DELETE", "/metrics").status, 405);
}

TEST_F(OpsApiTest, AReloadedTokenAppliesToTheNextRequest) {
  start(std::nullopt);
  EXPECT_EQ(post("/feeds/blog/sync").status, 404);
  loop_.call([&] { server_->set_admin_token(config::Secret(kToken, "reload")); });
  EXPECT_EQ(post("/feeds/blog/sync").status, 202);
  loop_.call([&] { server_->set_admin_token(config::Secret("rotated", "reload")); });
  EXPECT_EQ(post("/feeds/blog/sync").status, 401);
  EXPECT_EQ(post("/feeds/blog/sync", bearer("rotated")).status, 202);
}

TEST_F(OpsApiTest, NoResponseOrLogLineCarriesTheToken) {
  std::ostringstream log_lines;
  log::configure({.level = log::Level::trace, .format = log::Format::text}, &log_lines);
  backend_.set_checks({{"store", false, "locked"}});
  backend_.set_metrics("feedsync_x 1\n");
  start();
  for (const char* target : {"/livez", "/readyz", "/readyz?verbose", "/healthz", "/metrics", "/status", "/x"})
    get(target);
  for (const char* target : {"/feeds/blog/sync", "/feeds/nope/pause", "/retry?fed=1", "/feeds/blog/articles/g/resync"}) {
    post(target);
    post(target, "");
    post(target, bearer(std::string(kToken) + "-wrong"));
    send("GET", target, kAuth);
  }
  TearDown();
  log::configure({});
  ASSERT_GT(seen_.size(), 20u);
  for (const auto& r : seen_) {
    EXPECT_EQ(r.body.find(kToken), std::string::npos) << r.body;
    for (const auto& h : r.headers) EXPECT_EQ(h.value.find(kToken), std::string::npos) << h.name;
  }
  EXPECT_NE(log_lines.str().find("admin request refused"), std::string::npos);
  EXPECT_EQ(log_lines.str().find(kToken), std::string::npos) << log_lines.str();
}

TEST(TokenMatches, ComparesDigestsOfEqualLength) {
  const std::string digest = sha256_hex("token-1");
  EXPECT_TRUE(token_matches("token-1", digest));
  EXPECT_FALSE(token_matches("token-2", digest));
  EXPECT_FALSE(token_matches("token-", digest));
  EXPECT_FALSE(token_matches("token-11", digest));
  EXPECT_FALSE(token_matches("", digest));
  EXPECT_FALSE(token_matches("token-1", digest.substr(1)));
}

TEST(ListenWarning, OnlyForANonLoopbackAddressWithoutAdminToken) {
  auto http = [](std::string host, bool token) {
    config::HttpConfig h;
    h.listen_host = host;
    h.listen = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":9464";
    if (token) h.admin_token = config::Secret("t0ken", "test");
    return h;
  };
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST", "::ffff:127.0.0.1"})
    EXPECT_EQ(listen_warning(http(host, false)), std::nullopt) << host;
  for (const char* host : {"0.0.0.0", "::", "10.0.0.5", "example.com", "::ffff:10.0.0.1"}) {
    auto warning = listen_warning(http(host, false));
    ASSERT_TRUE(warning) << host;
    EXPECT_NE(warning->find(http(host, false).listen), std::string::npos) << *warning;
    EXPECT_EQ(listen_warning(http(host, true)), std::nullopt) << host;
  }
  EXPECT_EQ(*listen_warning(http("0.0.0.0", false)),
            "http.listen 0.0.0.0:9464 is not a loopback address and no admin token is configured: "
            "/status and /metrics are open to anyone who can reach it (the admin API stays "
            "disabled); listen on 127.0.0.1 or firewall the port");
}

}  // namespace
}  // namespace feedsync::ops::testing
