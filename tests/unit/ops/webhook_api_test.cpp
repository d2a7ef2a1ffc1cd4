// The webhook routes (issue 19) over real loopback sockets: on the ops listener (OpsServer) and
// on their own (WebhookServer), in front of a FakeEngineControl.

#include "ops/webhook_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "config/config.hpp"
#include "fake_engine_control.hpp"
#include "fake_ops_backend.hpp"
#include "log/log.hpp"
#include "ops/ops_api.hpp"
#include "unit/net/server_test_support.hpp"

namespace feedsync::ops::testing {
namespace {

using namespace feedsync::net::testing;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kSecret = "cmp-Callback-Secret-0123456789ab";  // 32 characters, CMP's most
constexpr const char* kCmsToken = "cms-webhook-token-abcdef0123456789";
constexpr const char* kPublished = R"({"type":"content.published","data":{"key":"0f2a9b3c4d5e6f708192a3b4c5d6e7f8"}})";
constexpr const char* kAsset = R"({"event_name":"asset_added","data":{"asset":{"id":"019a","type":"article"}}})";

config::Config hooks_config(bool with_secret, bool own_listener = false) {
  config::Config config;
  config.http.listen = "127.0.0.1:0";
  config.http.listen_host = "127.0.0.1";
  config.http.listen_port = 0;
  if (own_listener) {
    config.http.webhook_listen = "127.0.0.1:0";
    config.http.webhook_listen_host = "127.0.0.1";
  }
  config.http.admin_token = config::Secret("admin-token-xyz", "test");
  if (with_secret) config.webhooks.cmp.secret = config::Secret(kSecret, "test");
  if (with_secret) config.webhooks.cms.token = config::Secret(kCmsToken, "test");
  for (const char* name : {"blog", "news"}) {
    config::FeedConfig feed;
    feed.name = name;
    config.feeds.push_back(feed);
  }
  return config;
}

std::string secret_header(std::string_view secret) { return "Callback-Secret: " + std::string(secret) + "\r\n"; }

class WebhookApiTest : public ::testing::Test {
 protected:
  void start(bool with_secret = true, bool own_listener = false) {
    config_ = hooks_config(with_secret, own_listener);
    loop_.call([&] {
      hooks_ = std::make_unique<WebhookApi>(engine_, config_, [this](std::string_view source, std::string_view result) {
        ++counted_[std::string(source) + "/" + std::string(result)];
      });
      ops_ = std::make_unique<OpsServer>(loop_.io(), config_.http, backend_, hooks_.get());
      ops_->start();
      ops_port_ = ops_->port();
      if (own_listener) {
        hooks_server_ = std::make_unique<WebhookServer>(loop_.io(), config_.http, *hooks_);
        hooks_server_->start();
        hooks_port_ = hooks_server_->port();
      } else {
        hooks_port_ = ops_port_;
      }
    });
  }
  void TearDown() override {
    if (hooks_server_) loop_.await(hooks_server_->stop(1s));
    if (ops_) loop_.await(ops_->stop(1s));
    loop_.call([&] {
      hooks_server_.reset();
      ops_.reset();
      hooks_.reset();
    });
  }

  RawResponse send(unsigned short port, std::string_view method, std::string_view target, std::string_view headers,
                   std::string_view body) {
    auto client = connect_client(port);
    std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" +
                          std::string(headers) + "Content-Length: " + std::to_string(body.size()) +
                          "\r\nConnection: close\r\n\r\n" + std::string(body);
    if (auto ec = client->write(request)) throw std::runtime_error("write failed: " + ec.message());
    auto response = client->read_response(nullptr, false);
    if (!response) throw std::runtime_error("no response to " + std::string(target));
    seen_.push_back(*response);
    return *response;
  }
  RawResponse deliver(std::string_view target, std::string_view headers = secret_header(kSecret),
                      std::string_view body = kAsset) {
    return send(hooks_port_, "POST", target, headers, body);
  }
  std::vector<std::string> checks() {
    std::vector<std::string> out;
    loop_.call([&] { out = engine_.published_checks; });
    return out;
  }
  std::vector<std::string> requests() {
    std::vector<std::string> out;
    loop_.call([&] { out = engine_.poll_requests; });
    return out;
  }
  int counted(const std::string& key) {
    int n = 0;
    loop_.call([&] { n = counted_[key]; });
    return n;
  }

  config::Config config_;
  FakeOpsBackend backend_;
  FakeEngineControl engine_;
  std::map<std::string, int> counted_;
  LoopThread loop_;
  std::unique_ptr<WebhookApi> hooks_;
  std::unique_ptr<OpsServer> ops_;
  std::unique_ptr<WebhookServer> hooks_server_;
  unsigned short ops_port_ = 0, hooks_port_ = 0;
  std::vector<RawResponse> seen_;
};

TEST_F(WebhookApiTest, AnAssetEventWithTheSecretRequestsAPollAndIs202) {
  start();
  EXPECT_EQ(deliver("/hooks/cmp").status, 202);
  EXPECT_EQ(deliver("/hooks/cmp/blog").status, 202);
  EXPECT_THAT(requests(), ElementsAre("*", "blog"));
  EXPECT_EQ(counted("cmp/accepted"), 2);
}

TEST_F(WebhookApiTest, AMissingOrWrongSecretIs401AndRequestsNothing) {
  start();
  EXPECT_EQ(deliver("/hooks/cmp", "").status, 401);
  EXPECT_EQ(deliver("/hooks/cmp/blog", secret_header("cmp-Callback-Secret-0123456789aX")).status, 401);
  EXPECT_EQ(deliver("/hooks/cmp", secret_header(std::string(kSecret) + "x")).status, 401);
  EXPECT_EQ(deliver("/hooks/cmp", secret_header("")).status, 401);
  // The admin token is not a webhook secret.
  EXPECT_EQ(deliver("/hooks/cmp", "Authorization: Bearer admin-token-xyz\r\n").status, 401);
  EXPECT_THAT(requests(), IsEmpty());
  EXPECT_EQ(counted("cmp/unauthorized"), 5);
}

TEST_F(WebhookApiTest, WithoutAConfiguredSecretTheRoutesDoNotExist) {
  start(/*with_secret=*/false);
  EXPECT_EQ(deliver("/hooks/cmp").status, 404);
  EXPECT_EQ(deliver("/hooks/cmp/blog").status, 404);
  EXPECT_THAT(requests(), IsEmpty());
}

TEST_F(WebhookApiTest, AnUnknownFeedIs404) {
  start();
  const auto r = deliver("/hooks/cmp/nosuch");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("nosuch"), std::string::npos);
  EXPECT_THAT(requests(), IsEmpty());
  EXPECT_EQ(counted("cmp/unknown_feed"), 1);
}

TEST_F(WebhookApiTest, OtherEventsAndUnreadableBodiesAreAcknowledgedWithoutAPoll) {
  start();
  EXPECT_EQ(deliver("/hooks/cmp", secret_header(kSecret), R"({"event_name":"task_step_completed"})").status, 202);
  EXPECT_EQ(deliver("/hooks/cmp/blog", secret_header(kSecret), "{not json").status, 202);
  EXPECT_EQ(deliver("/hooks/cmp", secret_header(kSecret), "").status, 202);
  EXPECT_THAT(requests(), IsEmpty());
  EXPECT_EQ(counted("cmp/ignored"), 1);
  EXPECT_EQ(counted("cmp/malformed"), 2);
}

TEST_F(WebhookApiTest, BodiesAreCappedPerRoute) {
  start();
  // Over the hook cap: 413 before any handler, counted as too_large.
  const std::string huge(10 * 1024 * 1024, 'x');
  EXPECT_EQ(deliver("/hooks/cmp", secret_header(kSecret), huge).status, 413);
  EXPECT_EQ(counted("cmp/too_large"), 1);
  // Under it, far over the admin routes' 16 KiB: read (and not understood).
  const std::string large = R"({"event_name":"asset_published","data":")" + std::string(1024 * 1024, 'a') + "\"}";
  EXPECT_EQ(deliver("/hooks/cmp", secret_header(kSecret), large).status, 202);
  EXPECT_THAT(requests(), ElementsAre("*"));
  // The admin routes keep their own small cap.
  EXPECT_EQ(send(ops_port_, "POST", "/retry", "Authorization: Bearer admin-token-xyz\r\n", std::string(64 * 1024, ' '))
                .status,
            413);
}

TEST_F(WebhookApiTest, WrongMethodsAre405) {
  start();
  EXPECT_EQ(send(hooks_port_, "GET", "/hooks/cmp", "", "").status, 405);
  EXPECT_THAT(requests(), IsEmpty());
}

TEST_F(WebhookApiTest, TheirOwnListenerServesOnlyTheHooks) {
  start(true, /*own_listener=*/true);
  ASSERT_NE(hooks_port_, ops_port_);
  EXPECT_EQ(deliver("/hooks/cmp/news").status, 202);
  EXPECT_THAT(requests(), ElementsAre("news"));
  for (const char* path : {"/status", "/metrics", "/readyz"})
    EXPECT_EQ(send(hooks_port_, "GET", path, "", "").status, 404) << path;
  EXPECT_EQ(send(hooks_port_, "POST", "/feeds/blog/sync", "Authorization: Bearer admin-token-xyz\r\n", "").status, 404);
  // And the ops listener no longer has them.
  EXPECT_EQ(send(ops_port_, "POST", "/hooks/cmp", secret_header(kSecret), kAsset).status, 404);
  EXPECT_EQ(send(ops_port_, "GET", "/livez", "", "").status, 200);
}

TEST_F(WebhookApiTest, AReloadedSecretAppliesToTheNextDelivery) {
  start();
  auto next = hooks_config(false);
  next.webhooks.cmp.secret = config::Secret("rotated", "reload");
  loop_.call([&] { hooks_->configure(next); });
  EXPECT_EQ(deliver("/hooks/cmp").status, 401);
  EXPECT_EQ(deliver("/hooks/cmp", secret_header("rotated")).status, 202);
}

TEST_F(WebhookApiTest, NoResponseOrLogLineCarriesTheSecret) {
  std::ostringstream log_lines;
  log::configure({.level = log::Level::trace, .format = log::Format::text}, &log_lines);
  start();
  deliver("/hooks/cmp");
  deliver("/hooks/cmp/nosuch");
  deliver("/hooks/cmp", secret_header(std::string(kSecret) + "-wrong"));
  deliver("/hooks/cmp", "");
  deliver("/hooks/cmp", secret_header(kSecret), kSecret);
  deliver("/hooks/cms", "Authorization: Bearer " + std::string(kCmsToken) + "\r\n", kPublished);
  deliver("/hooks/cms", "Authorization: Bearer " + std::string(kCmsToken) + "x\r\n", kPublished);
  deliver("/hooks/cms?token=" + std::string(kCmsToken) + "x", "", kPublished);
  TearDown();
  log::configure({});
  for (const auto& r : seen_) {
    for (const char* secret : {kSecret, kCmsToken}) {
      EXPECT_EQ(r.body.find(secret), std::string::npos) << r.body;
      for (const auto& h : r.headers) EXPECT_EQ(h.value.find(secret), std::string::npos) << h.name;
    }
  }
  EXPECT_NE(log_lines.str().find("cmp webhook delivery refused"), std::string::npos);
  EXPECT_EQ(log_lines.str().find(kSecret), std::string::npos) << log_lines.str();
  EXPECT_EQ(log_lines.str().find(kCmsToken), std::string::npos) << log_lines.str();
}

TEST_F(WebhookApiTest, ACmsPublishEventWithTheTokenChecksTheItem) {
  start();
  const std::string bearer = "Authorization: Bearer " + std::string(kCmsToken) + "\r\n";
  EXPECT_EQ(deliver("/hooks/cms", bearer, kPublished).status, 202);
  EXPECT_EQ(deliver("/hooks/cms", "Authorization: " + std::string(kCmsToken) + "\r\n", kPublished).status, 202);
  EXPECT_EQ(deliver("/hooks/cms?token=" + std::string(kCmsToken), "", R"({"type":"content.published"})").status, 202);
  EXPECT_THAT(checks(), ElementsAre("0f2a9b3c4d5e6f708192a3b4c5d6e7f8", "0f2a9b3c4d5e6f708192a3b4c5d6e7f8", "*"));
  EXPECT_EQ(deliver("/hooks/cms", bearer, R"({"type":"content.created"})").status, 202);
  EXPECT_EQ(counted("cms/accepted"), 3);
  EXPECT_EQ(counted("cms/ignored"), 1);
}

TEST_F(WebhookApiTest, ACmsEventWithoutOrWithAWrongTokenIs401) {
  start();
  EXPECT_EQ(deliver("/hooks/cms", "", kPublished).status, 401);
  EXPECT_EQ(deliver("/hooks/cms", "Authorization: Bearer nope\r\n", kPublished).status, 401);
  EXPECT_EQ(deliver("/hooks/cms?token=nope", "", kPublished).status, 401);
  // The CMP secret is not the CMS token.
  EXPECT_EQ(deliver("/hooks/cms", "Authorization: Bearer " + std::string(kSecret) + "\r\n", kPublished).status, 401);
  EXPECT_THAT(checks(), IsEmpty());
  EXPECT_EQ(counted("cms/unauthorized"), 4);
}

TEST_F(WebhookApiTest, TheCmsVerificationIsAnsweredWithItsChallenge) {
  start();
  const auto post = deliver("/hooks/cms", "", R"({"type":"webhook.verification","challenge":"c-123"})");
  EXPECT_EQ(post.status, 200);
  EXPECT_THAT(post.body, ::testing::HasSubstr(R"("challenge":"c-123")"));
  const auto get = send(hooks_port_, "GET", "/hooks/cms?validationToken=v-456", "", "");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "v-456");
  EXPECT_EQ(send(hooks_port_, "GET", "/hooks/cms", "", "").status, 400);
  // A wrong token is refused even here.
  EXPECT_EQ(deliver("/hooks/cms", "Authorization: Bearer nope\r\n", R"({"challenge":"c"})").status, 401);
  EXPECT_EQ(counted("cms/verification"), 2);
  EXPECT_THAT(checks(), IsEmpty());
}

TEST_F(WebhookApiTest, WithoutACmsTokenHooksCmsDoesNotExist) {
  start(/*with_secret=*/false);
  EXPECT_EQ(deliver("/hooks/cms", "", R"({"challenge":"c"})").status, 404);
  EXPECT_EQ(send(hooks_port_, "GET", "/hooks/cms?challenge=c", "", "").status, 404);
}

TEST(WebhookListenWarning, OnlyWhenTheListenerWouldServeNothing) {
  auto config = hooks_config(/*with_secret=*/false, /*own_listener=*/false);
  EXPECT_FALSE(webhook_listen_warning(config));
  config.http.webhook_listen = "0.0.0.0:9465";
  ASSERT_TRUE(webhook_listen_warning(config));
  EXPECT_THAT(*webhook_listen_warning(config), ::testing::HasSubstr("http.webhook_listen 0.0.0.0:9465"));
  config.webhooks.cms.token = config::Secret("t", "test");
  EXPECT_FALSE(webhook_listen_warning(config));
  config.webhooks.cms.token.reset();
  config.webhooks.cmp.secret = config::Secret(kSecret, "test");
  EXPECT_FALSE(webhook_listen_warning(config));
}

TEST(WebhookSource, NamesTheSourceOfAHookRoute) {
  EXPECT_EQ(webhook_source("/hooks/cmp"), "cmp");
  EXPECT_EQ(webhook_source("/hooks/cmp/{feed}"), "cmp");
  EXPECT_EQ(webhook_source("/hooks/cms"), "cms");
  EXPECT_EQ(webhook_source("/retry"), "");
  EXPECT_EQ(webhook_source(""), "");
}

}  // namespace
}  // namespace feedsync::ops::testing
