// HttpServer lifecycle: start-up failures, the connection limit, graceful and forced stops.

#include <gtest/gtest.h>

#include <atomic>
#include <system_error>
#include <vector>

#include "server_test_support.hpp"

namespace feedsync::net::testing {
namespace {

asio::awaitable<ServerResponse> ok(ServerRequest) { co_return ServerResponse::text(200, "ok\n"); }

asio::awaitable<ServerResponse> wait_at(Gate* gate, std::atomic<bool>* ended) {
  struct SetOnExit {
    std::atomic<bool>* flag;
    ~SetOnExit() { *flag = true; }
  } guard{ended};
  co_await gate->wait();
  co_return ServerResponse{};
}

class ServerStopTest : public ::testing::Test {
 protected:
  static ServerOptions options(std::size_t max_connections = 512) {
    ServerOptions o;
    o.max_connections = max_connections;
    return o;
  }

  Router router() {
    Router r;
    r.get("/ok", ok);
    r.get("/slow", [this](ServerRequest request) { return slow(std::move(request)); });
    return r;
  }

  asio::awaitable<ServerResponse> slow(ServerRequest) {
    try {
      co_await gate->wait();
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) cancelled = true;
      throw;
    }
    co_return ServerResponse::text(200, "finished\n");
  }

  // Ends every handler before the gate it may wait on goes away.
  void TearDown() override {
    if (server) server->stop(1s);
  }

  void start(ServerOptions o) {
    server = std::make_unique<TestServer>(o, router());
    gate = std::make_unique<Gate>(server->loop().io());
  }

  std::unique_ptr<TestServer> server;
  std::unique_ptr<Gate> gate;
  std::atomic<bool> cancelled{false};
};

TEST_F(ServerStopTest, GracefulStopFinishesInFlightClosesIdleAndRefusesNew) {
  start(options());
  auto busy = connect_client(server->port());
  ASSERT_FALSE(busy->write(get_request("/slow")));
  gate->wait_entered();

  auto kept_alive = connect_client(server->port());
  ASSERT_FALSE(kept_alive->write(get_request("/ok")));
  ASSERT_TRUE(kept_alive->read_response());
  auto silent = connect_client(server->port());
  server->wait_accepted(3);  // still in the backlog, `silent` would be reset, not closed

  auto stopped = server->stop_async(5s);
  EXPECT_EQ(kept_alive->read_until_closed(), asio::error::eof);
  EXPECT_EQ(silent->read_until_closed(), asio::error::eof);
  RawClient late(2s);
  EXPECT_EQ(late.connect(server->port()), asio::error::connection_refused);
  EXPECT_EQ(stopped.wait_for(0s), std::future_status::timeout);  // still waiting for /slow

  server->loop().call([&] { gate->open(); });
  auto response = busy->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "finished\n");
  EXPECT_EQ(response->headers.get("Connection"), "close");
  EXPECT_EQ(busy->read_until_closed(), asio::error::eof);
  busy.reset();
  get_bounded(stopped, "stop()");
  EXPECT_FALSE(cancelled);
}

TEST_F(ServerStopTest, StopAbortsWhatOutlivesTheGracePeriod) {
  start(options());
  auto busy = connect_client(server->port());
  ASSERT_FALSE(busy->write(get_request("/slow")));
  gate->wait_entered();

  auto began = std::chrono::steady_clock::now();
  server->stop(200ms);
  EXPECT_GE(std::chrono::steady_clock::now() - began, 150ms);
  EXPECT_TRUE(cancelled);
  auto ec = busy->read_until_closed();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_EQ(server->loop().call([&] { return server->server().active_connections(); }), 0u);
}

TEST_F(ServerStopTest, ConnectionsBeyondTheLimitWaitWhileEveryOneIsBeingAnswered) {
  start(options(/*max_connections=*/1));
  auto busy = connect_client(server->port());
  ASSERT_FALSE(busy->write(get_request("/slow")));
  gate->wait_entered();  // the only slot is answering a request: it cannot be dropped

  auto second = connect_client(server->port());  // completes in the kernel's backlog
  ASSERT_FALSE(second->write(get_request("/ok")));
  second->set_timeout(200ms);
  boost::system::error_code ec;
  EXPECT_FALSE(second->read_response(&ec));
  EXPECT_EQ(ec, asio::error::timed_out);  // not served while the first holds the only slot

  server->loop().call([&] { gate->open(); });
  ASSERT_TRUE(busy->read_response());
  busy.reset();  // frees the slot
  second->set_timeout(5s);
  auto response = second->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server->connections_accepted(), 2u);
}

// Issue 15: 80 trickling clients on a listener with 64 slots made half the /livez probes fail
// (a liveness probe would restart a healthy daemon). At the limit the oldest idle or
// still-reading connection makes room for the newcomer.
TEST_F(ServerStopTest, AtTheLimitTheOldestIdleOrSlowConnectionMakesRoom) {
  start(options(/*max_connections=*/3));
  std::vector<std::unique_ptr<RawClient>> trickling;
  for (int i = 0; i < 3; ++i) {
    trickling.push_back(connect_client(server->port()));
    ASSERT_FALSE(trickling.back()->write("GET /ok HTTP/1.1\r\nHo"));  // a header that never ends
  }
  server->wait_accepted(3);
  for (int probe = 0; probe < 5; ++probe) {
    auto client = connect_client(server->port());
    ASSERT_FALSE(client->write(get_request("/ok")));
    client->set_timeout(2s);
    auto response = client->read_response();
    ASSERT_TRUE(response) << "probe " << probe;
    EXPECT_EQ(response->status, 200);
  }
  // The oldest trickling one made room (each probe then freed its own slot when it closed).
  auto ec = trickling[0]->read_until_closed();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_GE(server->loop().call([&] { return server->server().connections_evicted(); }), 1u);
}

TEST_F(ServerStopTest, StartFailsWhenThePortIsTaken) {
  asio::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  ServerOptions o;
  o.port = taken.local_endpoint().port();
  HttpServer server(io, o, router());
  EXPECT_THROW(server.start(), std::system_error);
}

TEST_F(ServerStopTest, DestroyingARunningServerAbortsItsConnectionsSafely) {
  LoopThread loop;
  Gate local_gate(loop.io());
  std::atomic<bool> ended{false};
  std::unique_ptr<HttpServer> running;
  Router r;
  r.get("/slow", [&](ServerRequest) { return wait_at(&local_gate, &ended); });
  unsigned short port = loop.call([&] {
    running = std::make_unique<HttpServer>(loop.io(), ServerOptions{}, std::move(r));
    running->start();
    return running->port();
  });
  auto client = connect_client(port);
  ASSERT_FALSE(client->write(get_request("/slow")));
  local_gate.wait_entered();
  loop.call([&] { running.reset(); });
  auto ec = client->read_until_closed();
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  // The aborted handler unwinds on the loop; it must be gone before the gate it waits on is.
  for (int round = 0; round < 1000 && !ended; ++round) loop.call([] {});
  EXPECT_TRUE(ended);
}

}  // namespace
}  // namespace feedsync::net::testing
