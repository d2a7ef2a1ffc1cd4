// net::replay_connection: the server's request handling without a socket (what the fuzz target
// fuzz/http_request_fuzz.cpp drives). It must answer exactly as a connection does: the same
// limits, error answers, pipelining and closing rules.
#include "net/server_replay.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace feedsync::net {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

boost::asio::awaitable<ServerResponse> echo(ServerRequest request) {
  const std::string name(request.params.get("name").value_or("-"));
  co_return ServerResponse::text(200, request.route + " " + name + " " + std::to_string(request.body.size()));
}

boost::asio::awaitable<ServerResponse> throws(ServerRequest) {
  throw std::runtime_error("handler bug");
  co_return ServerResponse{};
}

class ServerReplayTest : public ::testing::Test {
 protected:
  ServerReplayTest() {
    router_.get("/feeds/{name}", echo);
    router_.post("/feeds/{name}", echo);
    router_.get("/boom", throws);
  }
  std::vector<ReplayedResponse> replay(std::string_view bytes, std::size_t max_body = 64) {
    return replay_connection(io_, router_, bytes, max_body);
  }

  boost::asio::io_context io_;
  Router router_;
};

TEST_F(ServerReplayTest, PipelinedRequestsAreAnsweredInOrderUntilOneCloses) {
  auto responses = replay(
      "GET /feeds/blog HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /feeds/a%2Fb HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /feeds/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      "GET /feeds/never HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_THAT(responses[0].wire, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(responses[0].wire, HasSubstr("/feeds/{name} blog 0"));
  EXPECT_THAT(responses[1].wire, HasSubstr("/feeds/{name} a/b 3"));
  EXPECT_THAT(responses[2].wire, HasSubstr("Connection: close"));
}

TEST_F(ServerReplayTest, TheServersOwnAnswersAndTheirClosing) {
  auto not_found = replay("GET /nope HTTP/1.1\r\n\r\nGET /feeds/b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(not_found.size(), 2u);  // 404 keeps the connection
  EXPECT_EQ(not_found[0].status, 404);
  EXPECT_EQ(replay("DELETE /feeds/b HTTP/1.1\r\n\r\n").at(0).status, 405);
  auto unknown = replay("BREW /feeds/b HTTP/1.1\r\n\r\nGET /feeds/b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(unknown.size(), 1u);  // 501 closes
  EXPECT_EQ(unknown[0].status, 501);
  EXPECT_EQ(replay("GET http://h/feeds/b HTTP/1.1\r\n\r\n").at(0).status, 400);
  EXPECT_EQ(replay("GET /feeds/b HTTP/1.1\r\nbad header\r\n\r\n").at(0).status, 400);
  auto big = replay("POST /feeds/b HTTP/1.1\r\nContent-Length: 65\r\n\r\n" + std::string(65, 'x'));
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].status, 413);
  const std::string huge_header = "GET /feeds/b HTTP/1.1\r\nX: " + std::string(17 * 1024, 'h') + "\r\n\r\n";
  EXPECT_EQ(replay(huge_header).at(0).status, 431);
}

TEST_F(ServerReplayTest, AnIncompleteRequestIsDroppedUnanswered) {
  EXPECT_TRUE(replay("GET /feeds/b HTTP/1.1\r\nHost:").empty());
  EXPECT_TRUE(replay("POST /feeds/b HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").empty());
  EXPECT_EQ(replay("GET /feeds/b HTTP/1.1\r\n\r\nGET /fe").size(), 1u);
}

TEST_F(ServerReplayTest, AThrowingHandlerIsA500AndSaysSo) {
  auto responses = replay("GET /boom HTTP/1.1\r\n\r\nHEAD /feeds/b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 500);
  EXPECT_TRUE(responses[0].handler_failed);
  EXPECT_FALSE(responses[1].handler_failed);
  EXPECT_THAT(responses[1].wire, ::testing::Not(HasSubstr("/feeds/{name}")));  // HEAD: no body
}

}  // namespace
}  // namespace feedsync::net
