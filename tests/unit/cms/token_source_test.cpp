#include "cms/token_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/cancellation_signal.hpp>
#include <sstream>

#include "log/log.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using feedsync::testing::FakeClock;
using feedsync::testing::FakeHttpClient;
using feedsync::testing::json_reply;
using feedsync::testing::kSecret;
using feedsync::testing::kTokenUrl;
using feedsync::testing::parse_object;
using feedsync::testing::run_to_completion;
using feedsync::testing::ScriptedCms;
using feedsync::testing::spawn_into;
using TokenResult = Expected<std::string, CmsError>;

class TokenSourceTest : public ::testing::Test {
 protected:
  TokenSourceTest() { log::configure({.level = log::Level::trace, .format = log::Format::text, .journal = false}, &log_); }
  ~TokenSourceTest() override { log::configure({}); }

  TokenResult get(TokenSource& tokens) { return run_to_completion(tokens.token()); }

  std::ostringstream log_;
  FakeClock clock_;
  FakeHttpClient http_{&clock_};
  ScriptedCms cms_{http_};
};

TEST_F(TokenSourceTest, AsksWithAJsonBodyAndCachesTheToken) {
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  auto first = get(tokens);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(*first, "token-1");
  EXPECT_EQ(*get(tokens), "token-1");
  ASSERT_EQ(http_.calls().size(), 1u);
  const net::Request& request = http_.calls()[0].request;
  EXPECT_EQ(request.method, net::Method::post);
  EXPECT_EQ(request.url, kTokenUrl);
  EXPECT_EQ(request.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(request.headers.get("Accept"), "application/json");
  EXPECT_TRUE(request.is_idempotent());
  EXPECT_EQ(parse_object(request.body), (boost::json::object{{"grant_type", "client_credentials"},
                                                            {"client_id", "feedsync-client"},
                                                            {"client_secret", kSecret}}));
  EXPECT_EQ(tokens.status().state, TokenSource::State::valid);
}

TEST_F(TokenSourceTest, SendsActAsWhenConfigured) {
  auto options = feedsync::testing::test_token_options();
  options.act_as = "editor@example.com";
  TokenSource tokens(http_, clock_, options);
  ASSERT_TRUE(get(tokens).has_value());
  EXPECT_EQ(parse_object(http_.calls()[0].request.body).at("act_as"), "editor@example.com");
}

TEST_F(TokenSourceTest, FormWithBasicAuthFormEncodesCredentialsFirst) {
  auto options = feedsync::testing::test_token_options();
  options.style = TokenRequestStyle::form_basic;
  options.client_id = "my client";
  options.client_secret = config::Secret("p+ss:w rd", "test");
  options.act_as = "a b";
  TokenSource tokens(http_, clock_, options);
  ASSERT_TRUE(get(tokens).has_value());
  const net::Request& request = http_.calls()[0].request;
  EXPECT_EQ(request.headers.get("Content-Type"), "application/x-www-form-urlencoded");
  // base64("my+client:p%2Bss%3Aw+rd") (RFC 6749 §2.3.1).
  EXPECT_EQ(request.headers.get("Authorization"), "Basic bXkrY2xpZW50OnAlMkJzcyUzQXcrcmQ=");
  EXPECT_EQ(request.body, "grant_type=client_credentials&act_as=a+b");
}

TEST_F(TokenSourceTest, RefreshesAheadOfExpiryByTheSkew) {
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());  // 300 s, skew 30 s
  ASSERT_EQ(*get(tokens), "token-1");
  clock_.advance(std::chrono::seconds(269));
  EXPECT_EQ(*get(tokens), "token-1");
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(*get(tokens), "token-2");
  EXPECT_EQ(cms_.token_requests, 2);
}

TEST_F(TokenSourceTest, SkewIsNeverMoreThanHalfTheLifetime) {
  cms_.token_replies.push_back(json_reply(200, {{"access_token", "short"}, {"expires_in", "40"}}));
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  ASSERT_EQ(*get(tokens), "short");
  clock_.advance(std::chrono::seconds(19));
  EXPECT_EQ(*get(tokens), "short");
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(*get(tokens), "token-2");
}

TEST_F(TokenSourceTest, MissingExpiresInUsesTheDefaultLifetime) {
  cms_.token_replies.push_back(json_reply(200, {{"access_token", "no-expiry"}, {"token_type", "bearer"}}));
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  ASSERT_EQ(*get(tokens), "no-expiry");
  ASSERT_TRUE(tokens.status().expires_at.has_value());
  EXPECT_EQ(*tokens.status().expires_at - clock_.steady_now(), std::chrono::seconds(300));
}

TEST_F(TokenSourceTest, ConcurrentCallersShareOneRequest) {
  http_.latency = std::chrono::milliseconds(20);
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  boost::asio::io_context io;
  std::vector<std::optional<TokenResult>> results(10);
  for (auto& result : results) spawn_into(io, tokens.token(), &result);
  io.run();
  EXPECT_EQ(cms_.token_requests, 1);
  for (const auto& result : results) {
    ASSERT_TRUE(result && result->has_value());
    EXPECT_EQ(**result, "token-1");
  }
}

TEST_F(TokenSourceTest, DuringAnEarlyRefreshOthersKeepTheValidToken) {
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  ASSERT_EQ(*get(tokens), "token-1");
  clock_.advance(std::chrono::seconds(280));  // in the skew window, still valid
  http_.latency = std::chrono::milliseconds(20);
  boost::asio::io_context io;
  std::optional<TokenResult> refresher, other;
  spawn_into(io, tokens.token(), &refresher);
  spawn_into(io, tokens.token(), &other);
  io.run();
  EXPECT_EQ(**refresher, "token-2");
  EXPECT_EQ(**other, "token-1");
  EXPECT_EQ(cms_.token_requests, 2);
}

TEST_F(TokenSourceTest, WaitersStartOverWhenTheRequestingCallerIsCancelled) {
  http_.push_error(net::ErrorKind::cancelled, "cancelled", std::chrono::milliseconds(20));
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  boost::asio::io_context io;
  std::optional<TokenResult> first, second;
  spawn_into(io, tokens.token(), &first);
  spawn_into(io, tokens.token(), &second);
  io.run();
  ASSERT_FALSE(first->has_value());
  EXPECT_EQ(first->error().kind, CmsErrorKind::cancelled);
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ(**second, "token-1");
  EXPECT_EQ(http_.calls().size(), 2u);
}

TEST_F(TokenSourceTest, ACancelledWaiterLeavesAndTheOthersStillGetTheToken) {
  http_.latency = std::chrono::milliseconds(30);
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  boost::asio::io_context io;
  boost::asio::cancellation_signal cancel;
  std::optional<TokenResult> first, waiter;
  spawn_into(io, tokens.token(), &first);
  spawn_into(io, tokens.token(), &waiter, cancel);
  boost::asio::steady_timer timer(io, std::chrono::milliseconds(5));
  timer.async_wait([&](auto) { cancel.emit(boost::asio::cancellation_type::terminal); });
  io.run();
  ASSERT_TRUE(waiter.has_value());
  EXPECT_EQ(waiter->error().kind, CmsErrorKind::cancelled);
  EXPECT_EQ(**first, "token-1");
  EXPECT_EQ(cms_.token_requests, 1);
}

TEST_F(TokenSourceTest, DestroyingTheSourceAndTheLoopMidRequestIsSafe) {
  http_.latency = std::chrono::seconds(10);
  auto tokens = std::make_unique<TokenSource>(http_, clock_, feedsync::testing::test_token_options());
  std::optional<TokenResult> first, second;
  {
    boost::asio::io_context io;
    spawn_into(io, tokens->token(), &first);
    spawn_into(io, tokens->token(), &second);
    io.run_for(std::chrono::milliseconds(10));
    tokens.reset();  // the source goes first; the suspended frames die with the loop
  }
  EXPECT_FALSE(first.has_value());
  EXPECT_FALSE(second.has_value());
}

TEST_F(TokenSourceTest, InvalidateDropsOnlyTheRejectedToken) {
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  ASSERT_EQ(*get(tokens), "token-1");
  tokens.invalidate("token-1");
  EXPECT_EQ(*get(tokens), "token-2");
  tokens.invalidate("token-1");  // stale: a second writer's 401 for the old token
  EXPECT_EQ(*get(tokens), "token-2");
  EXPECT_EQ(cms_.token_requests, 2);
}

TEST_F(TokenSourceTest, RejectedCredentialsFailFastAndRetrySlowly) {
  for (int i = 0; i < 2; ++i)
    cms_.token_replies.push_back(json_reply(
        400, {{"error", "invalid_client"}, {"error_description", "Client authentication failed"}}));
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  auto failed = get(tokens);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::auth);
  EXPECT_EQ(failed.error().code, "invalid_client");
  EXPECT_THAT(failed.error().message, HasSubstr("invalid_client (Client authentication failed)"));
  EXPECT_THAT(failed.error().message, HasSubstr("check cms.client_id"));
  EXPECT_EQ(tokens.status().state, TokenSource::State::auth_failed);
  EXPECT_THAT(tokens.status().reason, HasSubstr("invalid_client"));

  for (int i = 0; i < 5; ++i) {  // no hammering: answered from the state
    auto again = get(tokens);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().kind, CmsErrorKind::auth);
  }
  clock_.advance(std::chrono::seconds(59));
  EXPECT_FALSE(get(tokens).has_value());
  EXPECT_EQ(cms_.token_requests, 1);

  clock_.advance(std::chrono::seconds(2));  // the slow cadence allows one attempt: still rejected
  EXPECT_FALSE(get(tokens).has_value());
  EXPECT_EQ(cms_.token_requests, 2);

  tokens.reset();  // SIGHUP brought the fixed secret
  auto fixed = get(tokens);
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(*fixed, "token-3");
  EXPECT_EQ(tokens.status().state, TokenSource::State::valid);
  EXPECT_THAT(log_.str(), HasSubstr("CMS credentials rejected"));
  EXPECT_THAT(log_.str(), HasSubstr("CMS token obtained again"));
}

TEST_F(TokenSourceTest, InvalidGrantInACodeFieldIsPermanentToo) {
  cms_.token_replies.push_back(json_reply(400, {{"code", "invalid_grant"}, {"detail", "act_as not allowed"}}));
  auto options = feedsync::testing::test_token_options();
  options.act_as = "someone";
  TokenSource tokens(http_, clock_, options);
  auto failed = get(tokens);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::auth);
  EXPECT_THAT(failed.error().message, HasSubstr("act as the configured act_as user"));
  EXPECT_EQ(tokens.status().state, TokenSource::State::auth_failed);
}

TEST_F(TokenSourceTest, ServerTroubleIsRetryableAndAskedAgainNextTime) {
  cms_.token_replies.push_back(net::Response{503, {}, {}});
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  auto failed = get(tokens);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::retryable);
  EXPECT_EQ(tokens.status().state, TokenSource::State::empty);
  EXPECT_THAT(tokens.status().reason, HasSubstr("HTTP 503"));
  // Within the backoff (at most 1 s after a first failure) the failure is answered at once.
  auto again = get(tokens);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, CmsErrorKind::retryable);
  EXPECT_THAT(again.error().message, HasSubstr("next token attempt in"));
  EXPECT_EQ(cms_.token_requests, 1);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(*get(tokens), "token-2");
  EXPECT_EQ(tokens.status().reason, "");
}

// Issue 15: a token endpoint answering 503 for a minute got about 3 requests a second (one per
// CMS call). Transient failures back off exponentially (1 s .. 60 s, jittered).
TEST_F(TokenSourceTest, AnOutageOfTheTokenEndpointIsAskedWithGrowingPauses) {
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  for (int i = 0; i < 100; ++i) cms_.token_replies.push_back(net::Response{503, {}, {}});
  for (int tick = 0; tick < 600; ++tick) {  // every CMS call for a minute, ten a second
    EXPECT_FALSE(get(tokens).has_value());
    clock_.advance(std::chrono::milliseconds(100));
  }
  // 1 + ~1 + ~2 + ~4 + ~8 + ~16 + ~32 s: 6 to 9 requests, not 600.
  EXPECT_GE(cms_.token_requests, 5);
  EXPECT_LE(cms_.token_requests, 10);
}

TEST_F(TokenSourceTest, TheTokenEndpointsRetryAfterIsHonoured) {
  net::Response busy{503, {}, {}};
  busy.headers.set("Retry-After", "30");
  cms_.token_replies.push_back(busy);
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  EXPECT_FALSE(get(tokens).has_value());
  clock_.advance(std::chrono::seconds(29));
  EXPECT_FALSE(get(tokens).has_value());
  EXPECT_EQ(cms_.token_requests, 1);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(*get(tokens), "token-2");
}

// Issue 15: a TLS failure (an untrusted certificate, a wrong host) at the token endpoint was
// handled as rejected credentials. It is reported as what it is and retried like a 5xx.
TEST_F(TokenSourceTest, ATlsFailureIsNotRejectedCredentials) {
  cms_.token_replies.push_back(unexpected(net::Error{net::ErrorKind::tls, "certificate verify failed"}));
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  auto failed = get(tokens);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::retryable);
  EXPECT_THAT(failed.error().message, HasSubstr("tls"));
  EXPECT_THAT(failed.error().message, HasSubstr("certificate verify failed"));
  EXPECT_NE(tokens.status().state, TokenSource::State::auth_failed);
  EXPECT_THAT(log_.str(), Not(HasSubstr("CMS credentials rejected")));
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(*get(tokens), "token-2");
}

TEST_F(TokenSourceTest, FailedEarlyRefreshServesTheOldTokenWithBackoff) {
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  ASSERT_EQ(*get(tokens), "token-1");
  clock_.advance(std::chrono::seconds(275));
  cms_.token_replies.push_back(net::Response{502, {}, {}});
  EXPECT_EQ(*get(tokens), "token-1");  // refresh failed, the old one is still valid
  EXPECT_EQ(*get(tokens), "token-1");  // within the backoff: not asked again
  EXPECT_EQ(cms_.token_requests, 2);
  clock_.advance(std::chrono::seconds(6));
  EXPECT_EQ(*get(tokens), "token-3");
}

TEST_F(TokenSourceTest, TwoHundredWithoutATokenMeansTheWrongUrl) {
  cms_.token_replies.push_back(net::Response{200, {}, "<html>login</html>"});
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  auto failed = get(tokens);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::auth);
  EXPECT_THAT(failed.error().message, HasSubstr("check cms.token_url"));
}

// Issue 21: a JSON answer cut short or garbled on the way is the endpoint's trouble, retried
// with backoff, not a reason to doubt the configuration.
TEST_F(TokenSourceTest, AGarbledJsonAnswerIsRetriedNotTakenForTheWrongUrl) {
  net::Response garbled{200, {}, R"({"access_token":"abc","expi)"};
  garbled.headers.set("Content-Type", "application/json; charset=utf-8");
  cms_.token_replies.push_back(garbled);
  TokenSource tokens(http_, clock_, feedsync::testing::test_token_options());
  auto failed = get(tokens);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::retryable);
  EXPECT_THAT(failed.error().message, HasSubstr("HTTP 200 with a JSON body that does not parse"));
  EXPECT_NE(tokens.status().state, TokenSource::State::auth_failed);
}

TEST_F(TokenSourceTest, TheSecretAppearsInNoMessageOrLogLine) {
  // An endpoint that echoes what it was sent, on every failure path.
  const std::string echo = std::string("bad secret '") + kSecret + "'";
  cms_.token_replies.push_back(json_reply(400, {{"error", "invalid_client"}, {"error_description", echo}}));
  cms_.token_replies.push_back(json_reply(401, {{"title", echo}}));
  cms_.token_replies.push_back(json_reply(200, {{"access_token", "x"}, {"token_type", echo}}));
  cms_.token_replies.push_back(unexpected(net::Error{net::ErrorKind::tls, echo}));
  auto options = feedsync::testing::test_token_options();
  options.auth_retry_interval = std::chrono::seconds(0);
  TokenSource tokens(http_, clock_, options);
  std::string seen;
  for (int i = 0; i < 4; ++i) {
    auto failed = get(tokens);
    ASSERT_FALSE(failed.has_value()) << i;
    seen += failed.error().message + "\n" + tokens.status().reason + "\n";
  }
  seen += log_.str();
  EXPECT_THAT(seen, Not(HasSubstr(kSecret)));
  EXPECT_THAT(seen, HasSubstr("[redacted]"));
  EXPECT_EQ(cms_.token_requests, 4);
}

}  // namespace
}  // namespace feedsync::cms
