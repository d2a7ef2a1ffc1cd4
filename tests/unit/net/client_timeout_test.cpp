// Stage timeouts and connection failures: each surfaces as a value naming the stage and host.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/beast_client.hpp"
#include "unit/net/test_server.hpp"
#include "unit/net/test_server_run.hpp"

namespace feedsync::net {
namespace {

using namespace std::chrono_literals;
using testing::http_response;
using testing::ServerConnection;
using testing::TestServer;

Error expect_error(const testing::OptionalResult& result) {
  if (!result) {
    ADD_FAILURE() << "request did not finish";
    return {};
  }
  if (*result) {
    ADD_FAILURE() << "unexpected success, status " << (*result)->status;
    return {};
  }
  return result->error();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(ClientTimeout, ConnectTimeoutAgainstAFullBacklog) {
  testing::FullBacklogListener listener;
  if (!listener.ok())
    GTEST_SKIP() << "this kernel accepted every connection: no way to stall a connect";
  boost::asio::io_context ioc;
  ClientOptions options;
  options.connect_timeout = 200ms;
  BeastHttpClient client(ioc.get_executor(), options);
  const auto error = expect_error(testing::run_one(
      ioc, client, testing::get("http://127.0.0.1:" + std::to_string(listener.port()) + "/")));
  EXPECT_EQ(error.kind, ErrorKind::timeout);
  EXPECT_TRUE(contains(error.message, "connecting to 127.0.0.1:")) << error.message;
  EXPECT_TRUE(contains(error.message, "connect timeout 200 ms")) << error.message;
}

TEST(ClientTimeout, TlsHandshakeTimeoutWhenServerNeverSpeaksTls) {
  TestServer server([](ServerConnection& c) { c.wait_closed(); });
  boost::asio::io_context ioc;
  ClientOptions options;
  options.tls_handshake_timeout = 200ms;
  BeastHttpClient client(ioc.get_executor(), options);
  const auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  const auto error = expect_error(testing::run_one(ioc, client, testing::get(url)));
  EXPECT_EQ(error.kind, ErrorKind::timeout);
  EXPECT_TRUE(contains(error.message, "TLS handshake with 127.0.0.1:")) << error.message;
  EXPECT_TRUE(contains(error.message, "TLS handshake timeout 200 ms")) << error.message;
}

TEST(ClientTimeout, RequestDeadlineWhenServerNeverAnswers) {
  TestServer server([](ServerConnection& c) {
    if (c.read_request()) c.wait_closed();
  });
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});
  Request request = testing::get(server.url("/feed?key=secret"));
  request.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const auto error = expect_error(testing::run_one(ioc, client, request));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(error.kind, ErrorKind::timeout);
  EXPECT_TRUE(contains(error.message, "waiting for the response from 127.0.0.1")) << error.message;
  EXPECT_TRUE(contains(error.message, "request deadline of 300 ms")) << error.message;
  EXPECT_FALSE(contains(error.message, "secret")) << error.message;
}

TEST(ClientTimeout, ClientDefaultDeadlineApplies) {
  TestServer server([](ServerConnection& c) {
    if (c.read_request()) c.wait_closed();
  });
  boost::asio::io_context ioc;
  ClientOptions options;
  options.request_timeout = 200ms;
  BeastHttpClient client(ioc.get_executor(), options);
  const auto error = expect_error(testing::run_one(ioc, client, testing::get(server.url())));
  EXPECT_EQ(error.kind, ErrorKind::timeout);
  EXPECT_TRUE(contains(error.message, "request deadline of 200 ms")) << error.message;
}

TEST(ClientTimeout, StallInTheMiddleOfTheBody) {
  TestServer server([](ServerConnection& c) {
    if (!c.read_request()) return;
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    c.wait_closed();
  });
  boost::asio::io_context ioc;
  std::vector<RequestMetrics> metrics;
  ClientOptions options;
  options.on_complete = [&](const RequestMetrics& m) { metrics.push_back(m); };
  BeastHttpClient client(ioc.get_executor(), options);
  Request request = testing::get(server.url());
  request.timeout = 300ms;
  const auto error = expect_error(testing::run_one(ioc, client, request));
  EXPECT_EQ(error.kind, ErrorKind::timeout);
  EXPECT_TRUE(contains(error.message, "reading the response body from 127.0.0.1")) << error.message;
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(metrics[0].error, ErrorKind::timeout);
  EXPECT_EQ(metrics[0].status, 0);
}

TEST(ClientTimeout, StageTimeoutsNeverExtendTheRequestDeadline) {
  TestServer server([](ServerConnection& c) { c.wait_closed(); });
  boost::asio::io_context ioc;
  ClientOptions options;
  options.tls_handshake_timeout = 60s;
  BeastHttpClient client(ioc.get_executor(), options);
  Request request = testing::get("https://127.0.0.1:" + std::to_string(server.port()) + "/");
  request.timeout = 200ms;
  const auto error = expect_error(testing::run_one(ioc, client, request));
  EXPECT_EQ(error.kind, ErrorKind::timeout);
  EXPECT_TRUE(contains(error.message, "TLS handshake")) << error.message;
  EXPECT_TRUE(contains(error.message, "request deadline of 200 ms")) << error.message;
}

TEST(ClientTimeout, ConnectionRefused) {
  // A port that was just free: bound, then released without listening.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});
  const auto error = expect_error(testing::run_one(
      ioc, client, testing::get("http://127.0.0.1:" + std::to_string(port) + "/")));
  ::close(fd);
  EXPECT_EQ(error.kind, ErrorKind::connect);
  EXPECT_TRUE(contains(error.message, "127.0.0.1:" + std::to_string(port))) << error.message;
}

TEST(ClientTimeout, InvalidUrls) {
  boost::asio::io_context ioc;
  BeastHttpClient client(ioc.get_executor(), ClientOptions{});
  for (const char* url : {"ftp://example.com/x", "not a url", "http://", "/relative/path",
                          "http://example.com:99999/", "http://example.com:0/", "https://[v1.x]/",
                          "mailto:someone@example.com"}) {
    const auto error = expect_error(testing::run_one(ioc, client, testing::get(url)));
    EXPECT_EQ(error.kind, ErrorKind::invalid_url) << url << ": " << error.message;
  }
}

TEST(ClientTimeout, UnresolvableHost) {
  // RFC 6761: .invalid never resolves. Without network access the lookup may also just fail
  // fast or hit the resolve timeout; all three are "no address", never a connect attempt.
  boost::asio::io_context ioc;
  ClientOptions options;
  options.resolve_timeout = 3s;
  BeastHttpClient client(ioc.get_executor(), options);
  const auto error =
      expect_error(testing::run_one(ioc, client, testing::get("http://feedsync-test.invalid/")));
  EXPECT_TRUE(error.kind == ErrorKind::resolve || error.kind == ErrorKind::timeout)
      << error.message;
  EXPECT_TRUE(contains(error.message, "resolv")) << error.message;
  EXPECT_TRUE(contains(error.message, "feedsync-test.invalid")) << error.message;
}

}  // namespace
}  // namespace feedsync::net
