// The circuit breaker's state machine on fake time, and the decorator that puts one in front of
// each origin: failures in a row open it, an open circuit refuses without touching the wire and
// says which origin and why, one probe at a time after a jittered period that grows, and what
// says nothing about the origin's health (TLS, 429, cancellation) neither opens nor closes it.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "fake_http_client.hpp"
#include "net/circuit_breaker.hpp"
#include "net/circuit_breaking_client.hpp"
#include "net/retry_policy.hpp"
#include "net/retrying_client.hpp"
#include "retry_test_support.hpp"
#include "support/fake_clock.hpp"

namespace feedsync::net {
namespace {

using feedsync::testing::FakeClock;
using feedsync::testing::FakeHttpClient;
using std::chrono::milliseconds;
using std::chrono::seconds;
using State = CircuitBreaker::State;

constexpr CircuitBreakerOptions kOptions{
    .failure_threshold = 3, .first_open = milliseconds(1000), .max_open = milliseconds(8000)};

Result reset() { return unexpected(Error{ErrorKind::truncated, "GET localhost: connection reset"}); }
Result status(int code) { return Response{code, {}, {}}; }

// Fails `n` admitted requests in a row.
void fail(CircuitBreaker& breaker, const FakeClock& clock, int n) {
  for (int i = 0; i < n; ++i) {
    const auto admission = breaker.admit(clock.steady_now());
    ASSERT_TRUE(admission.allowed);
    breaker.record(Verdict::failure, admission.probe, clock.steady_now(), "truncated: reset");
  }
}

TEST(CircuitBreakerVerdict, TransportFailuresAnd5xxCountTheRestDoesNot) {
  EXPECT_EQ(verdict_of(reset()), Verdict::failure);
  EXPECT_EQ(verdict_of(unexpected(Error{ErrorKind::connect, "refused"})), Verdict::failure);
  EXPECT_EQ(verdict_of(unexpected(Error{ErrorKind::timeout, "read"})), Verdict::failure);
  EXPECT_EQ(verdict_of(status(503)), Verdict::failure);
  EXPECT_EQ(verdict_of(status(500)), Verdict::failure);
  EXPECT_EQ(verdict_of(status(200)), Verdict::healthy);
  EXPECT_EQ(verdict_of(status(404)), Verdict::healthy);
  EXPECT_EQ(verdict_of(status(429)), Verdict::healthy);
  EXPECT_EQ(verdict_of(unexpected(Error{ErrorKind::tls, "certificate verify failed"})), Verdict::no_verdict);
  EXPECT_EQ(verdict_of(unexpected(Error{ErrorKind::cancelled, ""})), Verdict::no_verdict);
  EXPECT_EQ(verdict_of(unexpected(Error{ErrorKind::rate_limited, ""})), Verdict::no_verdict);
}

TEST(CircuitBreaker, OpensAfterTheThresholdOfFailuresInARow) {
  FakeClock clock;
  CircuitBreaker breaker(kOptions, 1);
  fail(breaker, clock, 2);
  EXPECT_EQ(breaker.state(), State::closed);
  // A healthy answer starts the count again.
  breaker.record(Verdict::healthy, false, clock.steady_now());
  fail(breaker, clock, 2);
  EXPECT_EQ(breaker.state(), State::closed);
  fail(breaker, clock, 1);
  EXPECT_EQ(breaker.state(), State::open);
  const auto refused = breaker.admit(clock.steady_now());
  EXPECT_FALSE(refused.allowed);
  // The first open period is jittered in [first_open/2, first_open].
  EXPECT_GE(refused.retry_in, milliseconds(500));
  EXPECT_LE(refused.retry_in, milliseconds(1000));
  EXPECT_EQ(breaker.last_failure(), "truncated: reset");
}

TEST(CircuitBreaker, LetsOneProbeThroughAfterTheOpenPeriod) {
  FakeClock clock;
  CircuitBreaker breaker(kOptions, 2);
  fail(breaker, clock, 3);
  clock.advance(breaker.open_until() - clock.steady_now());
  const auto probe = breaker.admit(clock.steady_now());
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_EQ(breaker.state(), State::half_open);
  const auto second = breaker.admit(clock.steady_now());
  EXPECT_FALSE(second.allowed) << "only one probe at a time";
  EXPECT_EQ(second.retry_in, milliseconds(0));
  EXPECT_EQ(breaker.record(Verdict::healthy, true, clock.steady_now()), State::closed);
  EXPECT_TRUE(breaker.admit(clock.steady_now()).allowed);
  EXPECT_EQ(breaker.failures_in_a_row(), 0);
}

TEST(CircuitBreaker, EachFailedProbeOpensItForLongerUpToTheCap) {
  FakeClock clock;
  CircuitBreaker breaker(kOptions, 3);
  fail(breaker, clock, 3);
  // Ceilings 1, 2, 4, 8, 8 s; each period at least half its ceiling.
  const milliseconds ceilings[] = {milliseconds(1000), milliseconds(2000), milliseconds(4000),
                                   milliseconds(8000), milliseconds(8000)};
  for (const auto ceiling : ceilings) {
    ASSERT_EQ(breaker.state(), State::open);
    const auto period = breaker.open_until() - clock.steady_now();
    EXPECT_GE(period, ceiling / 2);
    EXPECT_LE(period, ceiling);
    clock.advance(period - milliseconds(1));
    EXPECT_FALSE(breaker.admit(clock.steady_now()).allowed);
    clock.advance(milliseconds(1));
    fail(breaker, clock, 1);  // the probe fails
  }
}

TEST(CircuitBreaker, AProbeWithoutAVerdictLeavesItHalfOpenForTheNextOne) {
  FakeClock clock;
  CircuitBreaker breaker(kOptions, 4);
  fail(breaker, clock, 3);
  clock.advance(seconds(1));
  ASSERT_TRUE(breaker.admit(clock.steady_now()).probe);
  EXPECT_EQ(breaker.record(Verdict::no_verdict, true, clock.steady_now()), std::nullopt);
  EXPECT_EQ(breaker.state(), State::half_open);
  EXPECT_TRUE(breaker.admit(clock.steady_now()).probe);
}

TEST(CircuitBreaker, LateAnswersOfRequestsSentBeforeItOpenedChangeNothing) {
  FakeClock clock;
  CircuitBreaker breaker(kOptions, 5);
  fail(breaker, clock, 3);
  EXPECT_EQ(breaker.record(Verdict::healthy, false, clock.steady_now()), std::nullopt);
  EXPECT_EQ(breaker.record(Verdict::failure, false, clock.steady_now()), std::nullopt);
  EXPECT_EQ(breaker.state(), State::open);
  EXPECT_EQ(breaker.openings_in_a_row(), 1);
}

TEST(CircuitBreaker, ProbesWithinAWindowFollowTheShortestPeriods) {
  // Shortest periods 0.5, 1, 2, 4, 4 s: probes at 0.5, 1.5, 3.5, 7.5, 11.5 s.
  EXPECT_EQ(max_probes_within(kOptions, milliseconds(400)), 0);
  EXPECT_EQ(max_probes_within(kOptions, milliseconds(500)), 1);
  EXPECT_EQ(max_probes_within(kOptions, milliseconds(3600)), 3);
  EXPECT_EQ(max_probes_within(kOptions, milliseconds(11'500)), 5);
  // The defaults over the 30 s window: a handful, not hundreds.
  EXPECT_LE(max_probes_within(CircuitBreakerOptions{}, seconds(30)), 7);
}

// The decorator on fake time: the wire sees only what the breaker admits.
struct Harness {
  Result send(std::string url = "http://localhost:8080/customer_canonical_link?x=1") {
    Request request;
    request.url = std::move(url);
    return feedsync::testing::run_to_completion(client.send(std::move(request)));
  }
  FakeClock clock;
  FakeHttpClient wire{&clock};
  CircuitBreakingClient client{wire, clock, kOptions, 7};
};

TEST(CircuitBreakingClient, FailsFastNamingTheOriginOnceOpen) {
  Harness h;
  h.wire.fallback = [](const Request& request) {
    return request.url.starts_with("http://localhost:8080/") ? reset() : status(200);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.send().error().kind, ErrorKind::truncated);
  for (int i = 0; i < 10; ++i) {
    const Result refused = h.send();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::circuit_open);
    EXPECT_NE(refused.error().message.find("circuit open for http://localhost:8080"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("connection reset"), std::string::npos) << refused.error().message;
  }
  EXPECT_EQ(h.wire.calls().size(), 3u);
  EXPECT_EQ(h.client.state_of("http://localhost:8080"), State::open);
  // Another origin (here the same server, reached under another name) is not affected.
  EXPECT_TRUE(h.send("http://127.0.0.1:8080/v2/feed/x").has_value());
  EXPECT_EQ(h.client.state_of("http://127.0.0.1:8080"), State::closed);
}

TEST(CircuitBreakingClient, ASuccessfulProbeClosesIt) {
  Harness h;
  h.wire.fallback = [](const Request&) { return reset(); };
  for (int i = 0; i < 3; ++i) h.send();
  h.clock.advance(seconds(1));
  h.wire.fallback = nullptr;  // 200 from now on
  EXPECT_TRUE(h.send().has_value());
  EXPECT_EQ(h.client.state_of("http://localhost:8080"), State::closed);
  EXPECT_TRUE(h.send().has_value());
  EXPECT_EQ(h.wire.calls().size(), 5u);
}

TEST(CircuitBreakingClient, TlsFailuresDoNotOpenIt) {
  Harness h;
  h.wire.fallback = [](const Request&) { return unexpected(Error{ErrorKind::tls, "certificate verify failed"}); };
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.send().error().kind, ErrorKind::tls);
  EXPECT_EQ(h.client.state_of("http://localhost:8080"), State::closed);
}

TEST(CircuitBreakingClient, AnOpenCircuitIsNotRetriedByTheRetryPolicy) {
  const RetryPolicy policy;
  const Result refused = unexpected(Error{ErrorKind::circuit_open, "circuit open for http://x:80"});
  EXPECT_EQ(classify(refused), Disposition::retryable);  // the caller retries later...
  EXPECT_FALSE(policy.should_retry(1, refused, true));    // ...on its own schedule
  EXPECT_FALSE(may_have_reached_server(refused));
}

// Under the retrying decorator, each retry asks the breaker: one request's retries can open it,
// and the attempts after that never reach the wire.
TEST(CircuitBreakingClient, RetriesPassThroughTheBreaker) {
  SystemClock clock;
  FakeHttpClient wire;
  wire.fallback = [](const Request&) { return reset(); };
  CircuitBreakingClient breakers(wire, clock, kOptions, 9);
  RetryingClientOptions options;
  options.policy = RetryPolicy{.max_attempts = 6, .base_delay = milliseconds(1), .max_delay = milliseconds(2)};
  options.seed = 1;
  RetryingHttpClient client(breakers, clock, options);
  Request request;
  request.url = "http://localhost:8080/customer_canonical_link";
  const Result result = feedsync::testing::run_to_completion(client.send(std::move(request)));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::circuit_open);
  EXPECT_EQ(wire.calls().size(), 3u);
}

}  // namespace
}  // namespace feedsync::net
