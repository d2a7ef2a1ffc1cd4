// Request framing, the body cap, gzip decoding and responses cut short.
#include <gtest/gtest.h>

#include <sstream>

#include "core/version.hpp"
#include "log/log.hpp"
#include "net/beast_client.hpp"
#include "net/gzip.hpp"
#include "unit/net/test_server.hpp"
#include "unit/net/test_server_run.hpp"

namespace feedsync::net {
namespace {

using namespace std::chrono_literals;
using testing::http_response;
using testing::ServerConnection;
using testing::TestServer;

// A server that answers the first request on each connection with `raw` bytes, then hangs up.
TestServer::Handler answer_raw(std::string raw) {
  return [raw](ServerConnection& c) {
    if (c.read_request()) c.write(raw);
  };
}

struct Fixture {
  explicit Fixture(ClientOptions options = {}) : client(ioc.get_executor(), std::move(options)) {}
  testing::OptionalResult get(const TestServer& server, std::size_t max_body = 0) {
    Request request = testing::get(server.url("/body"));
    request.max_body = max_body;
    return testing::run_one(ioc, client, request);
  }
  boost::asio::io_context ioc;
  BeastHttpClient client;
};

std::string chunked(const std::vector<std::string>& chunks, bool last = true) {
  std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const auto& chunk : chunks) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    out += std::string(size) + "\r\n" + chunk + "\r\n";
  }
  if (last) out += "0\r\n\r\n";
  return out;
}

TEST(ClientRequest, SendsHostUserAgentAcceptEncodingAndContentLength) {
  TestServer server(testing::keep_alive_handler());
  Fixture f;
  Request post;
  post.method = Method::post;
  post.url = server.url("/content?x=1");
  post.body = R"({"a":1})";
  post.headers.add("Content-Type", "application/json");
  auto result = testing::run_one(f.ioc, f.client, post);
  ASSERT_TRUE(result && *result) << result->error().message;
  const auto seen = server.requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/content?x=1");
  EXPECT_EQ(seen.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.header("User-Agent"), std::string("feedsync/") + kVersion);
  EXPECT_EQ(seen.header("Accept-Encoding"), "gzip");
  EXPECT_EQ(seen.header("Content-Length"), "7");
  EXPECT_EQ(seen.header("Content-Type"), "application/json");
  EXPECT_EQ(seen.body, R"({"a":1})");
}

TEST(ClientRequest, CallerUserAgentWinsAndBadHeadersAreRefused) {
  TestServer server(testing::keep_alive_handler());
  Fixture f;
  Request request = testing::get(server.url());
  request.headers.add("User-Agent", "custom/1");
  auto result = testing::run_one(f.ioc, f.client, request);
  ASSERT_TRUE(result && *result);
  EXPECT_EQ(server.requests().at(0).header("User-Agent"), "custom/1");

  Request bad = testing::get(server.url());
  bad.headers.add("X-Injected", "a\r\nX-Evil: 1");
  result = testing::run_one(f.ioc, f.client, bad);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::protocol);
  EXPECT_EQ(server.requests().size(), 1u);  // never sent
}

TEST(ClientRequest, HeadResponseHasNoBody) {
  TestServer server([](ServerConnection& c) {
    while (c.read_request()) c.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
  });
  Fixture f;
  Request head = testing::get(server.url());
  head.method = Method::head;
  auto results = testing::run_sequentially(f.ioc, f.client, {head, head});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_TRUE(r && *r) << r->error().message;
    EXPECT_EQ((*r)->body, "");
    EXPECT_EQ((*r)->headers.get("Content-Length"), "1234");
  }
  EXPECT_EQ(server.accepts(), 1u);
}

TEST(ClientRequest, LogsOneDebugLinePerRequest) {
  TestServer server(testing::keep_alive_handler());
  std::ostringstream sink;
  log::configure({log::Level::debug, log::Format::text, false}, &sink);
  {
    Fixture f;
    auto results = testing::run_sequentially(
        f.ioc, f.client,
        {testing::get(server.url("/feed/1?key=secret")), testing::get(server.url("/feed/2"))});
    ASSERT_EQ(results.size(), 2u);
  }
  log::configure({log::Level::info, log::Format::text, false});
  const std::string text = sink.str();
  EXPECT_NE(text.find("http request request_id="), std::string::npos) << text;
  EXPECT_NE(text.find("method=GET host=127.0.0.1 path=/feed/1 status=200"), std::string::npos)
      << text;
  EXPECT_NE(text.find("reused=false"), std::string::npos) << text;
  EXPECT_NE(text.find("path=/feed/2 status=200"), std::string::npos) << text;
  EXPECT_NE(text.find("reused=true"), std::string::npos) << text;
  EXPECT_NE(text.find("duration_ms="), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
}

TEST(ClientBody, DeclaredBodyOverTheCap) {
  TestServer server(answer_raw(http_response(200, std::string(2000, 'x'))));
  Fixture f;
  auto result = f.get(server, 1000);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::body_too_large);
  EXPECT_NE(result->error().message.find("1000-byte cap"), std::string::npos)
      << result->error().message;
}

TEST(ClientBody, ChunkedBodyOverTheCap) {
  TestServer server(answer_raw(chunked({std::string(600, 'a'), std::string(600, 'b')})));
  Fixture f;
  auto result = f.get(server, 1000);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::body_too_large) << result->error().message;
}

TEST(ClientBody, DefaultCapIsOneMebibyte) {
  TestServer server(answer_raw(http_response(200, std::string(1024 * 1024 + 1, 'x'))));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::body_too_large);
}

TEST(ClientBody, ChunkedBodyWithinTheCap) {
  TestServer server(answer_raw(chunked({"hello ", "world"})));
  Fixture f;
  auto result = f.get(server, 11);
  ASSERT_TRUE(result && *result) << result->error().message;
  EXPECT_EQ((*result)->body, "hello world");
}

TEST(ClientBody, GzipIsDecodedTransparently) {
  const std::string text(5000, 'z');
  TestServer server(
      answer_raw(http_response(200, testing::gzip_compress(text), {{"Content-Encoding", "gzip"}})));
  std::vector<RequestMetrics> metrics;
  ClientOptions options;
  options.on_complete = [&](const RequestMetrics& m) { metrics.push_back(m); };
  Fixture g(options);
  auto result = g.get(server);
  ASSERT_TRUE(result && *result) << result->error().message;
  EXPECT_EQ((*result)->body, text);
  EXPECT_FALSE((*result)->headers.contains("Content-Encoding"));
  EXPECT_EQ((*result)->headers.get("Content-Length"), "5000");
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_LT(metrics[0].bytes_received, 1000u);  // counted as received: compressed
}

TEST(ClientBody, GzipBombIsCappedAfterDecoding) {
  const std::string bomb = testing::gzip_compress(std::string(20 * 1024 * 1024, '\0'));
  ASSERT_LT(bomb.size(), 64u * 1024);
  TestServer server(answer_raw(http_response(200, bomb, {{"Content-Encoding", "gzip"}})));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::body_too_large);
  EXPECT_NE(result->error().message.find("after gzip decoding"), std::string::npos)
      << result->error().message;
}

TEST(ClientBody, CorruptGzipIsAProtocolError) {
  std::string body = testing::gzip_compress(std::string(3000, 'q'));
  body[body.size() / 2] ^= 0x55;
  body[body.size() / 2 + 1] ^= 0x55;
  TestServer server(answer_raw(http_response(200, body, {{"Content-Encoding", "gzip"}})));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::protocol) << result->error().message;
}

TEST(ClientBody, UnknownContentEncodingIsAProtocolError) {
  TestServer server(answer_raw(http_response(200, "xyz", {{"Content-Encoding", "br"}})));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::protocol);
}

TEST(ClientBody, ShortContentLengthBodyIsTruncated) {
  TestServer server(answer_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten.."));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::truncated) << result->error().message;
}

TEST(ClientBody, ChunkedBodyCutBeforeTheLastChunkIsTruncated) {
  TestServer server(answer_raw(chunked({"hello", "world"}, /*last=*/false)));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::truncated) << result->error().message;
}

TEST(ClientBody, HeaderCutShortIsTruncated) {
  TestServer server(answer_raw("HTTP/1.1 200 OK\r\nContent-Le"));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::truncated) << result->error().message;
}

TEST(ClientBody, NoResponseAtAllIsTruncated) {
  TestServer server([](ServerConnection& c) { c.read_request(); });
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::truncated) << result->error().message;
}

TEST(ClientBody, GarbageIsAProtocolError) {
  TestServer server(answer_raw("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::protocol) << result->error().message;
}

TEST(ClientBody, BodyEndingWithTheConnectionIsComplete) {
  // HTTP/1.0 style: no length, the close ends the body. A success, and the connection is gone.
  TestServer server(answer_raw("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"));
  Fixture f;
  auto result = f.get(server);
  ASSERT_TRUE(result && *result) << result->error().message;
  EXPECT_EQ((*result)->body, "until close");
  EXPECT_EQ(f.client.pool_stats().open, 0u);
}

TEST(Gunzip, MultipleMembersAndLimits) {
  const std::string two = testing::gzip_compress("abc") + testing::gzip_compress("def");
  auto out = gunzip(two, 100);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "abcdef");

  auto capped = gunzip(testing::gzip_compress(std::string(100, 'a')), 99);
  ASSERT_FALSE(capped);
  EXPECT_EQ(capped.error().kind, GunzipError::too_large);
  EXPECT_TRUE(gunzip(testing::gzip_compress(std::string(100, 'a')), 100));

  const std::string whole = testing::gzip_compress(std::string(1000, 'b'));
  auto cut = gunzip(std::string_view(whole).substr(0, whole.size() - 6), 10000);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, GunzipError::corrupt);

  auto trailing = gunzip(whole + "garbage", 10000);
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().kind, GunzipError::corrupt);
  EXPECT_FALSE(gunzip("not gzip at all", 100));
}

}  // namespace
}  // namespace feedsync::net
