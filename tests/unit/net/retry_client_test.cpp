#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fake_http_client.hpp"
#include "log/log.hpp"
#include "net/retrying_client.hpp"
#include "retry_test_support.hpp"

namespace feedsync::net {
namespace {

namespace asio = boost::asio;
using feedsync::testing::FakeHttpClient;
using feedsync::testing::spawn_into;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// Short delays keep the suite fast; assertions on time are lower bounds (timers never fire
// early) or generous upper bounds that only a hang would break.
RetryingClientOptions fast_options(int max_attempts = 4) {
  RetryingClientOptions options;
  options.policy = RetryPolicy{
      .max_attempts = max_attempts, .base_delay = milliseconds(2), .max_delay = milliseconds(5)};
  options.seed = 42;
  return options;
}

Request get(std::string url = "https://api.example.com/v2/feed/abc?format=json") {
  Request request;
  request.url = std::move(url);
  return request;
}

struct Harness {
  explicit Harness(RetryingClientOptions options = fast_options()) {
    options.on_report = [this](const SendReport& r) {
      reports.push_back(r);
      report_origins.emplace_back(r.origin);
      report_times.push_back(steady_clock::now());
    };
    client.emplace(fake, clock, std::move(options));
  }
  Result send(Request request) {
    std::optional<Result> out;
    spawn_into(io, client->send(std::move(request)), &out);
    io.run();
    io.restart();
    return std::move(*out);
  }

  SystemClock clock;
  FakeHttpClient fake;
  asio::io_context io;
  std::vector<SendReport> reports;
  std::vector<std::string> report_origins;
  std::vector<steady_clock::time_point> report_times;
  std::optional<RetryingHttpClient> client;
};

int status_of(const Result& r) { return r ? r->status : -1; }

TEST(OriginOf, NormalisesSchemeHostAndPort) {
  EXPECT_EQ(origin_of("HTTPS://Api.Example.COM/a/b?c=d"), "https://api.example.com:443");
  EXPECT_EQ(origin_of("https://api.example.com:443/x"), "https://api.example.com:443");
  EXPECT_EQ(origin_of("http://api.example.com/"), "http://api.example.com:80");
  EXPECT_EQ(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(origin_of("http://[::1]:9464/metrics"), "http://[::1]:9464");
  EXPECT_EQ(origin_of("ftp://example.com/"), std::nullopt);
  EXPECT_EQ(origin_of("/relative"), std::nullopt);
  EXPECT_EQ(origin_of("not a url"), std::nullopt);
}

TEST(OriginOf, LimitsTableFallsBackForUnknownOrigins) {
  const auto limits = limits_table({{"https://cms.example.com:443", OriginLimits{10.0, 2, 4}}},
                                   OriginLimits{5.0, 1, 0});
  EXPECT_EQ(limits("https://cms.example.com:443").max_in_flight, 4u);
  EXPECT_EQ(limits("https://other.example.com:443").rate_per_second, 5.0);
}

TEST(RetryingClient, RetriesRetryableFailuresUntilSuccess) {
  Harness h;
  h.fake.push_status(503);
  h.fake.push_error(ErrorKind::connect);
  h.fake.push_status(200, {}, "ok");
  const Result r = h.send(get());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(h.fake.calls().size(), 3u);
  ASSERT_EQ(h.reports.size(), 1u);
  EXPECT_EQ(h.reports[0].attempts, 3);
  EXPECT_EQ(h.reports[0].outcome, Disposition::success);
  EXPECT_EQ(h.report_origins[0], "https://api.example.com:443");
}

TEST(RetryingClient, ReturnsTheLastResultWhenAttemptsRunOut) {
  Harness h(fast_options(3));
  h.fake.fallback = [](const Request&) -> Result { return Response{502, {}, {}}; };
  const Result r = h.send(get());
  EXPECT_EQ(status_of(r), 502);
  EXPECT_EQ(h.fake.calls().size(), 3u);
  EXPECT_EQ(h.reports.at(0).outcome, Disposition::retryable);
}

TEST(RetryingClient, PermanentFailuresAndAuthGoBackAtOnce) {
  for (int code : {400, 401, 403, 404, 409, 412, 415, 422}) {
    Harness h;
    h.fake.push_status(code);
    EXPECT_EQ(status_of(h.send(get())), code);
    EXPECT_EQ(h.fake.calls().size(), 1u) << code;
    EXPECT_EQ(h.reports.at(0).outcome, code == 401 ? Disposition::auth : Disposition::permanent);
  }
  Harness tls;
  tls.fake.push_error(ErrorKind::tls);
  EXPECT_FALSE(tls.send(get()).has_value());
  EXPECT_EQ(tls.fake.calls().size(), 1u);
}

TEST(RetryingClient, NonIdempotentRequestsAreNotRepeatedAfterTheServerMayHaveActed) {
  Request post = get("https://cms.example.com/content");
  post.method = Method::post;
  {
    Harness h;
    h.fake.push_error(ErrorKind::timeout);
    EXPECT_EQ(h.send(post).error().kind, ErrorKind::timeout);
    EXPECT_EQ(h.fake.calls().size(), 1u);
  }
  {
    Harness h;
    h.fake.push_status(500);
    EXPECT_EQ(status_of(h.send(post)), 500);
    EXPECT_EQ(h.fake.calls().size(), 1u);
  }
  {
    Harness h;  // never reached the server: safe to send again
    h.fake.push_error(ErrorKind::connect);
    h.fake.push_status(503);
    h.fake.push_status(201);
    EXPECT_EQ(status_of(h.send(post)), 201);
    EXPECT_EQ(h.fake.calls().size(), 3u);
  }
  {
    Harness h;  // a create with a deterministic key is idempotent: 409 settles a duplicate
    post.idempotent = true;
    h.fake.push_error(ErrorKind::timeout);
    h.fake.push_status(201);
    EXPECT_EQ(status_of(h.send(post)), 201);
    EXPECT_EQ(h.fake.calls().size(), 2u);
  }
}

TEST(RetryingClient, HonoursRetryAfterAndCountsThrottling) {
  Harness h;
  h.fake.push_status(429, {{"Retry-After", "1"}});
  h.fake.push_status(200);
  EXPECT_EQ(status_of(h.send(get())), 200);
  ASSERT_EQ(h.fake.calls().size(), 2u);
  EXPECT_GE(h.fake.calls()[1].at - h.fake.calls()[0].at, seconds(1));
  const SendReport& report = h.reports.at(0);
  EXPECT_EQ(report.attempts, 2);
  EXPECT_EQ(report.throttled, 1);
  EXPECT_GE(report.backoff_wait, seconds(1));
}

TEST(RetryingClient, NeverSleepsPastTheRequestDeadline) {
  Harness h;
  h.fake.push_status(503, {{"Retry-After", "30"}});
  Request request = get();
  request.timeout = milliseconds(500);
  const auto start = steady_clock::now();
  EXPECT_EQ(status_of(h.send(request)), 503);
  EXPECT_LT(steady_clock::now() - start, seconds(10));
  EXPECT_EQ(h.fake.calls().size(), 1u);
}

TEST(RetryingClient, HandsTheRemainingDeadlineToTheWrappedClient) {
  Harness h;
  h.fake.push_status(503, {}, {}, milliseconds(20));
  h.fake.push_status(200);
  Request request = get();
  request.timeout = seconds(5);
  EXPECT_EQ(status_of(h.send(request)), 200);
  ASSERT_EQ(h.fake.calls().size(), 2u);
  const milliseconds first = h.fake.calls()[0].request.timeout;
  const milliseconds second = h.fake.calls()[1].request.timeout;
  EXPECT_GT(first, milliseconds(0));
  EXPECT_LE(first, seconds(5));
  EXPECT_LE(second, seconds(5) - milliseconds(20));  // the first attempt took at least 20 ms
  EXPECT_GT(second, milliseconds(0));

  Harness defaults;  // no overall deadline: the wrapped client keeps its own defaults
  defaults.fake.push_status(200);
  defaults.send(get());
  EXPECT_EQ(defaults.fake.calls().at(0).request.timeout, milliseconds(0));
}

asio::awaitable<void> send_and_count(RetryingHttpClient* client, std::string url, int* ok) {
  Result r = co_await client->send(get(std::move(url)));
  if (r && r->status == 200) ++*ok;
}

TEST(RetryingClient, KeepsMaxInFlightPerOriginUnderConcurrentSenders) {
  RetryingClientOptions options = fast_options();
  options.limits = [](std::string_view) { return OriginLimits{.max_in_flight = 2}; };
  Harness h(std::move(options));
  h.fake.latency = milliseconds(5);
  int ok = 0;
  for (int i = 0; i < 12; ++i) {
    asio::co_spawn(
        h.io, send_and_count(&*h.client, "https://api.example.com/item/" + std::to_string(i), &ok),
        feedsync::testing::rethrow);
  }
  h.io.run();
  EXPECT_EQ(ok, 12);
  EXPECT_EQ(h.fake.max_in_flight(), 2u);
  ASSERT_EQ(h.fake.calls().size(), 12u);
  for (int i = 0; i < 12; ++i)  // FIFO: sent in the order they were asked for
    EXPECT_EQ(h.fake.calls()[i].request.url, "https://api.example.com/item/" + std::to_string(i));
  const auto stats = h.client->limiter_stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats.begin()->second.waited, 10u);
  EXPECT_EQ(stats.begin()->second.in_flight, 0u);
}

TEST(RetryingClient, ABackingOffRequestDoesNotHoldItsSlot) {
  RetryingClientOptions options = fast_options();
  options.policy.base_delay = options.policy.max_delay = milliseconds(30);
  options.limits = [](std::string_view) { return OriginLimits{.max_in_flight = 1}; };
  Harness h(std::move(options));
  h.fake.push_status(503, {{"Retry-After", "0"}});
  int ok = 0;
  asio::co_spawn(h.io, send_and_count(&*h.client, "https://api.example.com/a", &ok),
                 feedsync::testing::rethrow);
  asio::co_spawn(h.io, send_and_count(&*h.client, "https://api.example.com/b", &ok),
                 feedsync::testing::rethrow);
  h.io.run();
  EXPECT_EQ(ok, 2);
  ASSERT_EQ(h.fake.calls().size(), 3u);
  EXPECT_EQ(h.fake.calls()[0].request.url, "https://api.example.com/a");
  EXPECT_EQ(h.fake.calls()[1].request.url, "https://api.example.com/b");
  EXPECT_EQ(h.fake.calls()[2].request.url, "https://api.example.com/a");
}

TEST(RetryingClient, SpacesRequestsToTheConfiguredRate) {
  RetryingClientOptions options = fast_options();
  options.limits = [](std::string_view) {
    return OriginLimits{.rate_per_second = 100.0, .burst = 1};
  };
  Harness h(std::move(options));
  int ok = 0;
  const auto start = steady_clock::now();
  for (int i = 0; i < 6; ++i)
    asio::co_spawn(h.io,
                   send_and_count(&*h.client, "https://api.example.com/" + std::to_string(i), &ok),
                   feedsync::testing::rethrow);
  h.io.run();
  EXPECT_EQ(ok, 6);
  ASSERT_EQ(h.fake.calls().size(), 6u);
  for (std::size_t k = 0; k < 6; ++k)
    EXPECT_GE(h.fake.calls()[k].at - start, milliseconds(10) * k) << k;
  steady_clock::duration waited{0};
  for (const auto& report : h.reports) waited += report.limiter_wait;
  EXPECT_GT(waited, steady_clock::duration::zero());
}

TEST(RetryingClient, OriginsAreLimitedSeparately) {
  RetryingClientOptions options = fast_options();
  options.limits = [](std::string_view) { return OriginLimits{.max_in_flight = 1}; };
  Harness h(std::move(options));
  h.fake.latency = milliseconds(10);
  int ok = 0;
  asio::co_spawn(h.io, send_and_count(&*h.client, "https://a.example.com/x", &ok),
                 feedsync::testing::rethrow);
  asio::co_spawn(h.io, send_and_count(&*h.client, "https://B.example.com:443/y", &ok),
                 feedsync::testing::rethrow);
  asio::co_spawn(h.io, send_and_count(&*h.client, "https://b.example.com/z", &ok),
                 feedsync::testing::rethrow);
  h.io.run();
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(h.fake.max_in_flight(), 2u);
  const auto stats = h.client->limiter_stats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats.at("https://b.example.com:443").acquired, 2u);
}

TEST(RetryingClient, ALimiterThatCannotAdmitBeforeTheDeadlineSaysSo) {
  RetryingClientOptions options = fast_options();
  options.limits = [](std::string_view) { return OriginLimits{.max_in_flight = 1}; };
  Harness h(std::move(options));
  h.fake.latency = milliseconds(300);
  int ok = 0;
  asio::co_spawn(h.io, send_and_count(&*h.client, "https://api.example.com/slow", &ok),
                 feedsync::testing::rethrow);
  Request hurried = get("https://api.example.com/hurried");
  hurried.timeout = milliseconds(30);
  const auto before = steady_clock::now();
  std::optional<Result> out;
  spawn_into(h.io, h.client->send(hurried), &out);
  h.io.run();
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->has_value());
  EXPECT_EQ(out->error().kind, ErrorKind::rate_limited);
  EXPECT_EQ(h.fake.calls().size(), 1u);
  ASSERT_EQ(h.reports.size(), 2u);
  EXPECT_EQ(h.reports[0].attempts, 0);  // the hurried one finished first, without sending
  EXPECT_GT(h.reports[0].limiter_wait, steady_clock::duration::zero());
  EXPECT_GE(h.report_times[0] - before, milliseconds(30));  // waited out its whole deadline
}

TEST(RetryingClient, CancellationDuringBackoffEndsTheSend) {
  Harness h;
  h.fake.push_status(503, {{"Retry-After", "20"}});
  std::optional<Result> out;
  asio::cancellation_signal cancel;
  spawn_into(h.io, h.client->send(get()), &out, cancel);
  asio::steady_timer later(h.io, milliseconds(20));
  later.async_wait(
      [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  const auto start = steady_clock::now();
  h.io.run();
  EXPECT_LT(steady_clock::now() - start, seconds(10));
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->has_value());
  EXPECT_EQ(out->error().kind, ErrorKind::cancelled);
  EXPECT_EQ(h.reports.at(0).outcome, Disposition::cancelled);
}

TEST(RetryingClient, CancellationDuringAnAttemptIsNotRetried) {
  Harness h;
  h.fake.push_status(503, {}, {}, seconds(20));  // the fake ends early when cancelled
  std::optional<Result> out;
  asio::cancellation_signal cancel;
  spawn_into(h.io, h.client->send(get()), &out, cancel);
  asio::steady_timer later(h.io, milliseconds(20));
  later.async_wait(
      [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  h.io.run();
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->has_value());
  EXPECT_EQ(out->error().kind, ErrorKind::cancelled);
  EXPECT_EQ(h.fake.calls().size(), 1u);
}

TEST(RetryingClient, LogsRetriesWithoutSecretsOrBodies) {
  std::ostringstream lines;
  log::configure(log::Options{.level = log::Level::info}, &lines);
  Harness h;
  h.fake.push_status(503);
  h.fake.push_status(429);
  h.fake.push_status(200);
  Request request = get("https://api.example.com/v2/feed/abc?key=query-secret");
  request.headers.add("Authorization", "Bearer header-secret");
  request.body = "body-secret";
  EXPECT_EQ(status_of(h.send(request)), 200);
  log::configure(log::Options{}, nullptr);

  const std::string text = lines.str();
  EXPECT_NE(text.find("warn"), std::string::npos) << text;  // the 503
  EXPECT_NE(text.find("info"), std::string::npos) << text;  // the 429: throttling is normal
  for (const char* expected :
       {"HTTP request failed, retrying", "method=GET", "host=api.example.com", "path=/v2/feed/abc",
        "attempt=1", "attempt=2", "max_attempts=4", "delay_ms=", "reason=\"HTTP 503\"",
        "reason=\"HTTP 429\""})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  for (const char* secret : {"query-secret", "header-secret", "body-secret"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << "\n" << text;
}

}  // namespace
}  // namespace feedsync::net
