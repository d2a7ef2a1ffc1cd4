// HttpServer over real loopback sockets: routing, keep-alive, framing and error answers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "log/log.hpp"
#include "server_test_support.hpp"

namespace feedsync::net::testing {
namespace {

asio::awaitable<ServerResponse> describe(ServerRequest r) {
  std::string body = std::string(to_string(r.method)) + " " + r.path + " route=" + r.route;
  for (const auto& p : r.params) body += " " + p.name + "=" + p.value;
  for (const auto& q : r.query) body += " ?" + q.name + "=" + q.value;
  co_return ServerResponse::text(200, std::move(body));
}

asio::awaitable<ServerResponse> echo(ServerRequest r) {
  ServerResponse response = ServerResponse::text(201, std::move(r.body));
  response.headers.set("X-Peer", r.peer);
  response.headers.set("X-Seen", std::string(r.headers.get("X-Test").value_or("none")));
  co_return response;
}

asio::awaitable<ServerResponse> fails(ServerRequest) {
  throw std::runtime_error("handler exploded");
  co_return ServerResponse{};
}

Router make_router() {
  Router router;
  router.post("/feeds/{name}/articles/{guid}/resync", describe);
  router.get("/v2/feed/{id}", describe);
  router.post("/content/{key}:undelete", describe);
  router.get("/text", describe);
  router.post("/echo", echo);
  router.get("/fail", fails);
  return router;
}

class ServerHttpTest : public ::testing::Test {
 protected:
  TestServer server{ServerOptions{}, make_router()};
};

TEST_F(ServerHttpTest, RoutesWithPathAndQueryParams) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("POST /feeds/blog/articles/g%201/resync?x=1&x=2 HTTP/1.1\r\nHost: t\r\n"
                             "Content-Length: 0\r\n\r\n"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body,
            "POST /feeds/blog/articles/g%201/resync route=/feeds/{name}/articles/{guid}/resync "
            "name=blog guid=g 1 ?x=1 ?x=2");
  EXPECT_EQ(response->headers.get("Server"), "feedsync");

  ASSERT_FALSE(client->write("POST /content/9f0c:undelete HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"));
  response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST /content/9f0c:undelete route=/content/{key}:undelete key=9f0c");
}

TEST_F(ServerHttpTest, NotFoundAndMethodNotAllowedKeepTheConnection) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/nowhere")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);

  ASSERT_FALSE(client->write("DELETE /v2/feed/abc HTTP/1.1\r\nHost: t\r\n\r\n"));
  response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->headers.get("Allow"), "GET, HEAD");

  ASSERT_FALSE(client->write(get_request("/v2/feed/abc")));
  response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(ServerHttpTest, KeepAliveServesSequentialAndPipelinedRequestsOnOneConnection) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/v2/feed/one")));
  auto first = client->read_response();
  ASSERT_FALSE(client->write(get_request("/v2/feed/two")));
  auto second = client->read_response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "GET /v2/feed/one route=/v2/feed/{id} id=one");
  EXPECT_EQ(second->body, "GET /v2/feed/two route=/v2/feed/{id} id=two");
  EXPECT_FALSE(first->headers.contains("Connection"));

  ASSERT_FALSE(client->write(get_request("/v2/feed/three") + get_request("/v2/feed/four")));
  auto third = client->read_response();
  auto fourth = client->read_response();
  ASSERT_TRUE(third && fourth);
  EXPECT_EQ(third->body, "GET /v2/feed/three route=/v2/feed/{id} id=three");
  EXPECT_EQ(fourth->body, "GET /v2/feed/four route=/v2/feed/{id} id=four");
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(ServerHttpTest, ConnectionCloseIsHonoured) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/text", "Connection: close\r\n")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.get("Connection"), "close");
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);
}

TEST_F(ServerHttpTest, Http10ClosesUnlessKeepAliveIsAsked) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("GET /text HTTP/1.0\r\n\r\n"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);
}

TEST_F(ServerHttpTest, HeadSendsHeadersOnly) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("HEAD /text HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client->read_response(nullptr, /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  std::string full = "HEAD /text route=/text";
  EXPECT_EQ(head->headers.get("Content-Length"), std::to_string(full.size()));
  // No stray body bytes: the next response on the connection parses cleanly.
  ASSERT_FALSE(client->write(get_request("/text")));
  auto get = client->read_response();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "GET /text route=/text");
}

TEST_F(ServerHttpTest, BodyHeadersAndPeerReachTheHandler) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("POST /echo HTTP/1.1\r\nHost: t\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->headers.get("X-Seen"), "yes");
  auto local_port = client->stream().local_endpoint().port();
  EXPECT_EQ(response->headers.get("X-Peer"), "127.0.0.1:" + std::to_string(local_port));
}

TEST_F(ServerHttpTest, ExpectContinueGetsAnInterimResponse) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
  auto interim = client->read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_FALSE(client->write("abc"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "abc");
}

TEST_F(ServerHttpTest, HandlerExceptionIs500AndTheServerGoesOn) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write(get_request("/fail")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("exploded"), std::string::npos);  // no internals to the client
  ASSERT_FALSE(client->write(get_request("/text")));
  response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerHttpTest, MalformedRequestIs400AndClose) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("GARBAGE\r\n\r\n"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);

  auto second = connect_client(server.port());
  ASSERT_FALSE(second->write("GET http://elsewhere/text HTTP/1.1\r\nHost: t\r\n\r\n"));
  response = second->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(second->read_until_closed(), asio::error::eof);
}

TEST_F(ServerHttpTest, UnknownMethodIs501AndOversizedHeaderIs431) {
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("BREW /text HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 501);
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);

  auto second = connect_client(server.port());
  ASSERT_FALSE(second->write(get_request("/text", "X-Big: " + std::string(20000, 'a') + "\r\n")));
  response = second->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST_F(ServerHttpTest, OversizedBodyIs413AndOthersAreStillServed) {
  auto big = connect_client(server.port());
  std::string body(10 * 1024 * 1024, 'x');
  std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_FALSE(big->write(request));
  (void)big->write(body);  // the server answers early and discards the rest
  auto response = big->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->headers.get("Connection"), "close");
  EXPECT_EQ(big->read_until_closed(), asio::error::eof);

  auto other = connect_client(server.port());
  ASSERT_FALSE(other->write(get_request("/text")));
  response = other->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(ServerHttpLimitsTest, ChunkedBodyOverTheCapIs413) {
  ServerOptions options;
  options.max_body = 1000;
  TestServer server(options, make_router());
  auto client = connect_client(server.port());
  ASSERT_FALSE(client->write("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "10\r\n0123456789abcdef\r\n"));
  ASSERT_FALSE(client->write("800\r\n" + std::string(0x800, 'y') + "\r\n0\r\n\r\n"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);

  auto small = connect_client(server.port());
  ASSERT_FALSE(small->write("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  response = small->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "abcde");
}

// A route's own cap (Router::add with max_body) replaces the server's, larger or smaller, for
// Content-Length and chunked bodies alike; refusals are reported with the route.
TEST(ServerHttpLimitsTest, ARouteCanHaveItsOwnBodyCap) {
  ServerOptions options;
  options.max_body = 1000;
  std::vector<std::string> refused;
  options.on_body_too_large = [&refused](const std::string& route) { refused.push_back(route); };
  Router router = make_router();
  router.add(Method::post, "/big", echo, 100'000);
  router.add(Method::post, "/tiny", echo, 10);
  TestServer server(options, std::move(router));
  auto post = [&](std::string_view path, std::size_t size) {
    auto client = connect_client(server.port());
    std::string body(size, 'z');
    EXPECT_FALSE(client->write("POST " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                               std::to_string(size) + "\r\n\r\n" + body));
    auto response = client->read_response();
    return response ? response->status : 0;
  };
  EXPECT_EQ(post("/big", 50'000), 201);
  EXPECT_EQ(post("/big", 100'001), 413);
  EXPECT_EQ(post("/tiny", 10), 201);
  EXPECT_EQ(post("/tiny", 11), 413);
  EXPECT_EQ(post("/echo", 1000), 201);
  EXPECT_EQ(post("/echo", 5000), 413) << "the server's cap still holds for other routes";
  EXPECT_EQ(post("/nowhere", 5000), 413);

  auto chunked = connect_client(server.port());
  ASSERT_FALSE(chunked->write("POST /tiny HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n"));
  auto response = chunked->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  server.stop(std::chrono::seconds(1));
  EXPECT_THAT(refused, ::testing::ElementsAre("/big", "/tiny", "/echo", "", "/tiny"));
}

TEST(ServerHttpLogTest, OneAccessLogLinePerRequest) {
  std::ostringstream lines;
  std::size_t bytes = 0;
  log::configure({log::Level::debug, log::Format::text, false}, &lines);
  {
    TestServer server(ServerOptions{}, make_router());
    auto client = connect_client(server.port());
    ASSERT_FALSE(client->write(get_request("/v2/feed/abc?secret=1")));
    auto response = client->read_response();
    ASSERT_TRUE(response);
    bytes = response->body.size();
    server.stop(1s);  // the line is written by then
  }
  log::configure({}, nullptr);
  std::string text = lines.str();
  auto at = text.find("http request");
  ASSERT_NE(at, std::string::npos) << text;
  std::string line = text.substr(at, text.find('\n', at) - at);
  EXPECT_NE(line.find("method=GET"), std::string::npos) << line;
  EXPECT_NE(line.find("path=/v2/feed/abc"), std::string::npos) << line;
  EXPECT_EQ(line.find("secret"), std::string::npos) << line;
  EXPECT_NE(line.find("status=200"), std::string::npos) << line;
  EXPECT_NE(line.find("bytes=" + std::to_string(bytes)), std::string::npos) << line;
  EXPECT_NE(line.find("duration_ms="), std::string::npos) << line;
  EXPECT_NE(line.find("peer=127.0.0.1:"), std::string::npos) << line;
}

}  // namespace
}  // namespace feedsync::net::testing
