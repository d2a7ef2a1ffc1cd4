#include "net/retry_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace feedsync::net {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

const system_clock::time_point kNow{seconds(1795348800)};  // Sun, 22 Nov 2026 12:00:00 GMT

Result status(int code, Headers headers = {}) { return Response{code, std::move(headers), {}}; }
Result failure(ErrorKind kind) { return unexpected(Error{kind, "x"}); }

TEST(Classify, Statuses) {
  for (int code : {200, 201, 204, 299, 301, 304, 399})
    EXPECT_EQ(classify(status(code)), Disposition::success) << code;
  for (int code : {408, 429, 500, 502, 503, 504, 599})
    EXPECT_EQ(classify(status(code)), Disposition::retryable) << code;
  EXPECT_EQ(classify(status(401)), Disposition::auth);
  for (int code : {400, 402, 403, 404, 405, 409, 410, 412, 415, 422, 451, 499})
    EXPECT_EQ(classify(status(code)), Disposition::permanent) << code;
  for (int code : {0, 100, 101, 199, 600, 999})
    EXPECT_EQ(classify(status(code)), Disposition::permanent) << code;
}

TEST(Classify, TransportErrors) {
  for (auto kind : {ErrorKind::resolve, ErrorKind::connect, ErrorKind::timeout,
                    ErrorKind::truncated, ErrorKind::proxy, ErrorKind::rate_limited})
    EXPECT_EQ(classify(failure(kind)), Disposition::retryable) << to_string(kind);
  for (auto kind :
       {ErrorKind::tls, ErrorKind::invalid_url, ErrorKind::body_too_large, ErrorKind::protocol})
    EXPECT_EQ(classify(failure(kind)), Disposition::permanent) << to_string(kind);
  EXPECT_EQ(classify(failure(ErrorKind::cancelled)), Disposition::cancelled);
}

TEST(Classify, MayHaveReachedServer) {
  for (auto kind : {ErrorKind::resolve, ErrorKind::connect, ErrorKind::proxy, ErrorKind::tls,
                    ErrorKind::invalid_url, ErrorKind::rate_limited})
    EXPECT_FALSE(may_have_reached_server(failure(kind))) << to_string(kind);
  for (auto kind :
       {ErrorKind::timeout, ErrorKind::truncated, ErrorKind::protocol, ErrorKind::cancelled})
    EXPECT_TRUE(may_have_reached_server(failure(kind))) << to_string(kind);
  for (int code : {408, 429, 503}) EXPECT_FALSE(may_have_reached_server(status(code))) << code;
  for (int code : {200, 500, 502, 504}) EXPECT_TRUE(may_have_reached_server(status(code))) << code;
}

TEST(Classify, DescribeNamesTheFailureOnly) {
  EXPECT_EQ(describe(status(503)), "HTTP 503");
  EXPECT_EQ(describe(unexpected(Error{ErrorKind::timeout, "GET a.example: read timed out"})),
            "timeout: GET a.example: read timed out");
  EXPECT_EQ(describe(unexpected(Error{ErrorKind::connect, ""})), "connect");
}

TEST(RetryPolicy, BackoffCeilingDoublesUpToTheCap) {
  RetryPolicy p{.max_attempts = 100, .base_delay = milliseconds(100), .max_delay = seconds(5)};
  EXPECT_EQ(p.backoff_ceiling(1), milliseconds(100));
  EXPECT_EQ(p.backoff_ceiling(2), milliseconds(200));
  EXPECT_EQ(p.backoff_ceiling(3), milliseconds(400));
  EXPECT_EQ(p.backoff_ceiling(6), milliseconds(3200));
  EXPECT_EQ(p.backoff_ceiling(7), seconds(5));
  EXPECT_EQ(p.backoff_ceiling(70), seconds(5));
  EXPECT_EQ(p.backoff_ceiling(2147483647), seconds(5));  // no overflow, no long loop
  p.max_delay = milliseconds::max();
  EXPECT_GT(p.backoff_ceiling(2147483647), hours(24 * 365));
  p.base_delay = milliseconds(0);
  EXPECT_EQ(p.backoff_ceiling(2147483647), milliseconds(0));
}

TEST(RetryPolicy, FullJitterStaysWithinBoundsAndSpansThem) {
  const RetryPolicy p{
      .max_attempts = 10, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};
  std::mt19937_64 rng(12345);
  for (int attempt = 1; attempt < 10; ++attempt) {
    const milliseconds ceiling = p.backoff_ceiling(attempt);
    milliseconds low = milliseconds::max(), high = milliseconds::min();
    for (int i = 0; i < 2000; ++i) {
      const auto d = p.next_delay(attempt, status(503), true, kNow, rng);
      ASSERT_TRUE(d.has_value());
      ASSERT_GE(*d, milliseconds(0));
      ASSERT_LE(*d, ceiling);
      low = std::min(low, *d);
      high = std::max(high, *d);
    }
    // Full jitter: the draws cover the whole range, not just its upper half.
    EXPECT_LE(low, ceiling / 10) << attempt;
    EXPECT_GE(high, ceiling * 9 / 10) << attempt;
  }
}

TEST(RetryPolicy, RetryAfterSecondsIsNeverUndercut) {
  const RetryPolicy p{.max_attempts = 5, .base_delay = milliseconds(100), .max_delay = seconds(1)};
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    const auto d = p.next_delay(1, status(429, {{"Retry-After", "2"}}), true, kNow, rng);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, seconds(2));  // above max_delay: honoured as asked
  }
  // Shorter than the backoff: the backoff wins, so a server saying 0 cannot cause a hot loop.
  const auto d = p.next_delay(4, status(503, {{"Retry-After", "0"}}), true, kNow, rng);
  ASSERT_TRUE(d.has_value());
  EXPECT_LE(*d, seconds(1));
}

TEST(RetryPolicy, RetryAfterHttpDateAndCap) {
  const RetryPolicy p{.max_attempts = 5,
                      .base_delay = milliseconds(1),
                      .max_delay = milliseconds(1),
                      .max_retry_after = seconds(600)};
  std::mt19937_64 rng(7);
  auto d = p.next_delay(1, status(503, {{"Retry-After", "Sun, 22 Nov 2026 12:00:30 GMT"}}), true,
                        kNow, rng);
  EXPECT_EQ(d, seconds(30));
  d = p.next_delay(1, status(503, {{"Retry-After", "Sun, 22 Nov 2026 11:00:00 GMT"}}), true, kNow,
                   rng);
  ASSERT_TRUE(d.has_value());
  EXPECT_LE(*d, milliseconds(1));  // a past date: the backoff alone
  d = p.next_delay(1, status(429, {{"Retry-After", "86400"}}), true, kNow, rng);
  EXPECT_EQ(d, seconds(600));
  d = p.next_delay(1, status(429, {{"Retry-After", "soon"}}), true, kNow, rng);
  ASSERT_TRUE(d.has_value());
  EXPECT_LE(*d, milliseconds(1));  // garbage: the backoff alone
}

TEST(RetryPolicy, StopsWhenAttemptsAreExhausted) {
  const RetryPolicy p{
      .max_attempts = 3, .base_delay = milliseconds(10), .max_delay = milliseconds(100)};
  std::mt19937_64 rng(1);
  EXPECT_TRUE(p.next_delay(1, status(503), true, kNow, rng));
  EXPECT_TRUE(p.next_delay(2, status(503), true, kNow, rng));
  EXPECT_FALSE(p.next_delay(3, status(503), true, kNow, rng));
  EXPECT_FALSE(p.next_delay(4, status(503), true, kNow, rng));
  const RetryPolicy once{.max_attempts = 1};
  EXPECT_FALSE(once.next_delay(1, status(503), true, kNow, rng));
}

TEST(RetryPolicy, OnlyRetryableFailuresAreRetried) {
  const RetryPolicy p;
  std::mt19937_64 rng(1);
  for (int code : {200, 304, 400, 401, 403, 404, 409, 412, 415, 422})
    EXPECT_FALSE(p.next_delay(1, status(code), true, kNow, rng)) << code;
  for (auto kind :
       {ErrorKind::tls, ErrorKind::invalid_url, ErrorKind::protocol, ErrorKind::cancelled})
    EXPECT_FALSE(p.next_delay(1, failure(kind), true, kNow, rng)) << to_string(kind);
  // Retry-After on a response that is not retryable changes nothing.
  EXPECT_FALSE(p.next_delay(1, status(404, {{"Retry-After", "1"}}), true, kNow, rng));
}

TEST(RetryPolicy, NonIdempotentRequestsAreRetriedOnlyWhenTheServerDidNotAct) {
  const RetryPolicy p;
  std::mt19937_64 rng(1);
  for (auto kind : {ErrorKind::timeout, ErrorKind::truncated})
    EXPECT_FALSE(p.next_delay(1, failure(kind), false, kNow, rng)) << to_string(kind);
  for (int code : {500, 502, 504})
    EXPECT_FALSE(p.next_delay(1, status(code), false, kNow, rng)) << code;
  for (auto kind : {ErrorKind::resolve, ErrorKind::connect, ErrorKind::proxy})
    EXPECT_TRUE(p.next_delay(1, failure(kind), false, kNow, rng)) << to_string(kind);
  for (int code : {408, 429, 503})
    EXPECT_TRUE(p.next_delay(1, status(code), false, kNow, rng)) << code;
  // The same failures are retried when the request is idempotent.
  EXPECT_TRUE(p.next_delay(1, failure(ErrorKind::timeout), true, kNow, rng));
  EXPECT_TRUE(p.next_delay(1, status(500), true, kNow, rng));
}

TEST(RetryPolicy, RequestIdempotencyDefaultsByMethod) {
  Request r;
  for (Method m : {Method::get, Method::head, Method::put, Method::delete_}) {
    r.method = m;
    EXPECT_TRUE(r.is_idempotent()) << to_string(m);
  }
  for (Method m : {Method::post, Method::patch}) {
    r.method = m;
    EXPECT_FALSE(r.is_idempotent()) << to_string(m);
  }
  r.method = Method::post;
  r.idempotent = true;  // create with a deterministic key
  EXPECT_TRUE(r.is_idempotent());
}

}  // namespace
}  // namespace feedsync::net
