// Keep-alive pooling: reuse, the per-origin limit, stale connections, idle expiry, shutdown.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/beast_client.hpp"
#include "unit/net/test_server.hpp"
#include "unit/net/test_server_run.hpp"

namespace feedsync::net {
namespace {

using namespace std::chrono_literals;
using testing::http_response;
using testing::ServerConnection;
using testing::TestServer;

// Serves one request, then reads the next one and closes without answering: the server's
// keep-alive timeout firing just as the client reuses the connection. Later connections behave.
void close_on_second_request(ServerConnection& c) {
  if (c.index() == 0) {
    if (!c.read_request()) return;
    c.write(http_response(200, "first"));
    c.read_request();
    c.close();
    return;
  }
  while (c.read_request()) c.write(http_response(200, "fresh"));
}

TEST(ClientPool, SequentialRequestsShareOneConnection) {
  TestServer server(testing::keep_alive_handler("hello"));
  boost::asio::io_context ioc;
  std::vector<RequestMetrics> metrics;
  ClientOptions options;
  options.on_complete = [&](const RequestMetrics& m) { metrics.push_back(m); };
  BeastHttpClient client(ioc.get_executor(), options);

  std::vector<Request> requests(10, testing::get(server.url("/items?page=1")));
  auto results = testing::run_sequentially(ioc, client, requests);

  ASSERT_EQ(results.size(), 10u);
  for (const auto& r : results) {
    ASSERT_TRUE(r && *r) << (r ? r->error().message : "did not finish");
    EXPECT_EQ((*r)->status, 200);
    EXPECT_EQ((*r)->body, "hello");
  }
  EXPECT_EQ(server.accepts(), 1u);
  ASSERT_EQ(metrics.size(), 10u);
  EXPECT_FALSE(metrics[0].reused);
  EXPECT_TRUE(metrics[9].reused);
  EXPECT_EQ(metrics[9].request_id, metrics[0].request_id + 9);
  EXPECT_EQ(metrics[0].host, "127.0.0.1");
  EXPECT_EQ(metrics[0].status, 200);
  EXPECT_EQ(metrics[0].bytes_received, 5u);
  EXPECT_EQ(client.pool_stats().idle, 1u);
}

TEST(ClientPool, ConcurrentRequestsRespectPerOriginLimit) {
  // Each response is held until two connections are open, so the limit is really reached; a
  // third connection would show in accepts() and max_concurrent().
  TestServer* self = nullptr;
  TestServer server([&self](ServerConnection& c) {
    while (c.read_request()) {
      self->wait_for_accepts(2, 5s);
      c.write(http_response(200, "ok"));
    }
  });
  self = &server;
  boost::asio::io_context ioc;
  ClientOptions options;
  options.max_connections_per_origin = 2;
  BeastHttpClient client(ioc.get_executor(), options);

  auto results =
      testing::run_concurrently(ioc, client, std::vector<Request>(8, testing::get(server.url())));
  for (const auto& r : results) {
    ASSERT_TRUE(r && *r) << (r ? r->error().message : "did not finish");
    EXPECT_EQ((*r)->status, 200);
  }
  EXPECT_EQ(server.accepts(), 2u);
  EXPECT_LE(server.max_concurrent(), 2u);
  EXPECT_EQ(server.requests().size(), 8u);
  EXPECT_EQ(client.pool_stats().open, 2u);
}

TEST(ClientPool, WaitingForAFreeConnectionIsBoundedByTheDeadline) {
  TestServer server([](ServerConnection& c) {
    if (c.read_request()) c.wait_closed();  // holds the only connection
  });
  boost::asio::io_context ioc;
  ClientOptions options;
  options.max_connections_per_origin = 1;
  BeastHttpClient client(ioc.get_executor(), options);

  Request hog = testing::get(server.url("/hog"));
  hog.timeout = 2s;
  Request waiter = testing::get(server.url("/waiter"));
  waiter.timeout = 200ms;
  auto results = testing::run_concurrently(ioc, client, {hog, waiter});
  ASSERT_TRUE(results[1] && !*results[1]);
  EXPECT_EQ(results[1]->error().kind, ErrorKind::timeout);
  EXPECT_NE(results[1]->error().message.find("waiting for a free connection"), std::string::npos)
      << results[1]->error().message;
  ASSERT_TRUE(results[0] && !*results[0]);
  EXPECT_EQ(results[0]->error().kind, ErrorKind::timeout);
  EXPECT_EQ(server.accepts(), 1u);
  EXPECT_EQ(client.pool_stats().open, 0u);  // both slots given back after the failures
}

TEST(ClientPool, StaleConnectionIsRetriedForIdempotentRequest) {
  TestServer server(close_on_second_request);
  boost::asio::io_context ioc;
  std::vector<RequestMetrics> metrics;
  ClientOptions options;
  options.on_complete = [&](const RequestMetrics& m) { metrics.push_back(m); };
  BeastHttpClient client(ioc.get_executor(), options);

  auto results = testing::run_sequentially(
      ioc, client, {testing::get(server.url("/a")), testing::get(server.url("/b"))});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[1] && *results[1]) << results[1]->error().message;
  EXPECT_EQ((*results[1])->body, "fresh");
  EXPECT_EQ(server.accepts(), 2u);
  EXPECT_EQ(server.requests().size(), 3u);  // /a, /b on the stale connection, /b again
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_FALSE(metrics[1].reused);  // the attempt that answered ran on a fresh connection
}

TEST(ClientPool, StaleConnectionIsNotRetriedForPost) {
  TestServer server(close_on_second_request);
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});

  Request post = testing::get(server.url("/content"));
  post.method = Method::post;
  post.body = R"({"key":"k"})";
  auto results = testing::run_sequentially(ioc, client, {testing::get(server.url("/a")), post});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[1] && !*results[1]);
  EXPECT_EQ(results[1]->error().kind, ErrorKind::truncated) << results[1]->error().message;
  EXPECT_EQ(server.accepts(), 1u);
  EXPECT_EQ(server.requests().size(), 2u);  // the POST reached the server exactly once

  // A POST the caller declares idempotent (deterministic key) may be retried.
  TestServer second(close_on_second_request);
  post.url = second.url("/content");
  post.idempotent = true;
  results = testing::run_sequentially(ioc, client, {testing::get(second.url("/a")), post});
  ASSERT_TRUE(results[1] && *results[1]) << results[1]->error().message;
  EXPECT_EQ(second.accepts(), 2u);
}

TEST(ClientPool, ServerClosingAfterEveryResponseIsTransparentForGets) {
  // No "Connection: close": the server just hangs up after each response.
  TestServer server([](ServerConnection& c) {
    if (c.read_request()) c.write(http_response(200, "once"));
    c.close();
  });
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});
  auto results =
      testing::run_sequentially(ioc, client, std::vector<Request>(5, testing::get(server.url())));
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) ASSERT_TRUE(r && *r) << r->error().message;
  EXPECT_EQ(server.accepts(), 5u);
}

TEST(ClientPool, ConnectionCloseResponseIsNotPooled) {
  TestServer server([](ServerConnection& c) {
    while (c.read_request()) c.write(http_response(200, "bye", {{"Connection", "close"}}));
  });
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});
  auto results =
      testing::run_sequentially(ioc, client, std::vector<Request>(3, testing::get(server.url())));
  for (const auto& r : results) ASSERT_TRUE(r && *r) << r->error().message;
  EXPECT_EQ(server.accepts(), 3u);
  EXPECT_EQ(client.pool_stats().open, 0u);
}

boost::asio::awaitable<void> request_pause_request(HttpClient* client, std::string url,
                                                   std::chrono::milliseconds pause,
                                                   std::vector<testing::OptionalResult>* out) {
  out->push_back(co_await client->send(testing::get(url)));
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, pause);
  co_await timer.async_wait(boost::asio::use_awaitable);
  out->push_back(co_await client->send(testing::get(url)));
}

TEST(ClientPool, IdleConnectionsExpire) {
  TestServer server(testing::keep_alive_handler());
  boost::asio::io_context ioc;
  ClientOptions options;
  options.idle_timeout = 50ms;
  BeastHttpClient client(ioc.get_executor(), options);
  std::vector<testing::OptionalResult> results;
  // The pause is what is being tested (idle longer than idle_timeout), not a wait for an event.
  boost::asio::co_spawn(ioc, request_pause_request(&client, server.url(), 150ms, &results),
                        boost::asio::detached);
  ioc.run_for(10s);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) ASSERT_TRUE(r && *r) << r->error().message;
  EXPECT_EQ(server.accepts(), 2u);

  client.close_idle();
  EXPECT_EQ(client.pool_stats().open, 0u);
}

TEST(ClientPool, CancellationEndsARequestCleanly) {
  TestServer server([](ServerConnection& c) {
    if (c.read_request()) c.wait_closed();
  });
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});
  testing::OptionalResult result;
  boost::asio::cancellation_signal signal;
  boost::asio::co_spawn(ioc, testing::send_into(&client, testing::get(server.url()), &result),
                        boost::asio::bind_cancellation_slot(signal.slot(), boost::asio::detached));
  // Run until the server holds the request, then cancel it.
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (server.requests().empty() && std::chrono::steady_clock::now() < limit)
    ioc.run_one_for(10ms);
  ASSERT_EQ(server.requests().size(), 1u);
  signal.emit(boost::asio::cancellation_type::terminal);
  ioc.run_for(10s);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::cancelled) << result->error().message;
  EXPECT_EQ(client.pool_stats().open, 0u);
}

TEST(ClientPool, StoppingTheIoContextMidRequestIsClean) {
  // Under ASan this checks that frames destroyed with the io_context free everything and touch
  // nothing freed: the client goes first, then the io_context with one request in flight and one
  // waiting in the pool for its connection.
  TestServer server([](ServerConnection& c) {
    if (c.read_request()) c.wait_closed();
  });
  testing::OptionalResult first;
  testing::OptionalResult second;
  {
    boost::asio::io_context ioc;
    ClientOptions options;
    options.max_connections_per_origin = 1;
    auto client = std::make_unique<BeastHttpClient>(ioc.get_executor(), options);
    boost::asio::co_spawn(ioc, testing::send_into(client.get(), testing::get(server.url()), &first),
                          boost::asio::detached);
    boost::asio::co_spawn(ioc,
                          testing::send_into(client.get(), testing::get(server.url()), &second),
                          boost::asio::detached);
    const auto limit = std::chrono::steady_clock::now() + 10s;
    while (server.requests().empty() && std::chrono::steady_clock::now() < limit)
      ioc.run_one_for(10ms);
    ASSERT_EQ(server.requests().size(), 1u);
    ioc.stop();
    client.reset();
  }
  EXPECT_FALSE(first.has_value());
  EXPECT_FALSE(second.has_value());
}

}  // namespace
}  // namespace feedsync::net
