// HttpServer fault behaviour: the simulator's injected faults (reset, truncation, close), slow
// handlers, and clients that are too slow.

#include <gtest/gtest.h>

#include "server_test_support.hpp"

namespace feedsync::net::testing {
namespace {

using Clock = std::chrono::steady_clock;

asio::awaitable<ServerResponse> ok(ServerRequest) { co_return ServerResponse::text(200, "ok\n"); }

asio::awaitable<ServerResponse> reset(ServerRequest) {
  ServerResponse response;
  response.reset = true;
  co_return response;
}

asio::awaitable<ServerResponse> truncated(ServerRequest) {
  ServerResponse response = ServerResponse::text(200, std::string(100, 'z'));
  response.truncate_body_at = 10;
  co_return response;
}

asio::awaitable<ServerResponse> closing(ServerRequest) {
  ServerResponse response = ServerResponse::text(200, "bye\n");
  response.close_connection = true;
  co_return response;
}

class ServerFaultsTest : public ::testing::Test {
 protected:
  static ServerOptions options() {
    ServerOptions o;
    o.header_timeout = 300ms;
    o.body_timeout = 300ms;
    o.idle_timeout = 300ms;
    return o;
  }

  Router router() {
    Router r;
    r.get("/ok", ok);
    r.get("/reset", reset);
    r.get("/truncated", truncated);
    r.get("/close", closing);
    // A plain lambda returning the member coroutine's awaitable (GCC 12: no coroutine lambdas).
    r.get("/slow", [this](ServerRequest request) { return slow(std::move(request)); });
    return r;
  }

  asio::awaitable<ServerResponse> slow(ServerRequest) {
    co_await gate.wait();
    co_return ServerResponse::text(200, "slow\n");
  }

  // Ends every handler before the gate it may wait on goes away.
  void TearDown() override { server.stop(1s); }

  TestServer server{options(), router()};
  Gate gate{server.loop().io()};
};

TEST_F(ServerFaultsTest, ResetAbortsWithoutAResponse) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/reset")));
  boost::system::error_code ec;
  EXPECT_FALSE(client->read_response(&ec));
  EXPECT_EQ(ec, asio::error::connection_reset);
  EXPECT_TRUE(client->pending().empty());
}

TEST_F(ServerFaultsTest, TruncatedBodyAnnouncesTheFullLengthThenCloses) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/truncated")));
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);
  const std::string& raw = client->pending();
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("Content-Length: 100\r\n"), std::string::npos) << raw;
  auto body_at = raw.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_EQ(raw.substr(body_at + 4), std::string(10, 'z'));
}

TEST_F(ServerFaultsTest, CloseConnectionSendsTheResponseThenCloses) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/close")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "bye\n");
  EXPECT_EQ(response->headers.get("Connection"), "close");
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);
}

TEST_F(ServerFaultsTest, ASuspendedHandlerDoesNotBlockOtherClients) {
  auto slow_client = connect_client(server.port());
  ASSERT_FALSE(slow_client->write(get_request("/slow")));
  gate.wait_entered();

  auto fast_client = connect_client(server.port());
  ASSERT_FALSE(fast_client->write(get_request("/ok")));
  auto fast = fast_client->read_response();
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->status, 200);

  server.loop().call([&] { gate.open(); });
  auto slow = slow_client->read_response();
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->body, "slow\n");
}

TEST_F(ServerFaultsTest, SlowlorisIsDroppedAfterHeaderTimeoutWhileOthersAreServed) {
  auto slowloris = connect_client(server.port());
  std::string request = get_request("/ok");
  auto started = Clock::now();
  ASSERT_FALSE(slowloris->write(request.substr(0, 1)));

  auto normal = connect_client(server.port());
  ASSERT_FALSE(normal->write(request));
  auto response = normal->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);

  // Keep trickling one byte per 100 ms: each byte is progress, but the header deadline holds.
  slowloris->set_timeout(100ms);
  boost::system::error_code ended;
  for (std::size_t i = 1; i < request.size() && Clock::now() - started < 5s; ++i) {
    (void)slowloris->write(request.substr(i, 1));
    auto ec = slowloris->read_more();
    if (ec && ec != asio::error::timed_out) {
      ended = ec;
      break;
    }
  }
  auto elapsed = Clock::now() - started;
  EXPECT_TRUE(ended == asio::error::eof || ended == asio::error::connection_reset) << ended.message();
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_TRUE(slowloris->pending().empty());  // dropped, not answered
}

TEST_F(ServerFaultsTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/ok")));
  ASSERT_TRUE(client->read_response());
  auto idle_from = Clock::now();
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);
  EXPECT_GE(Clock::now() - idle_from, 250ms);
}

TEST_F(ServerFaultsTest, StalledBodyIsDroppedAfterBodyTimeout) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("POST /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  auto ec = client->read_until_closed();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_TRUE(client->pending().empty());
}

}  // namespace
}  // namespace feedsync::net::testing
