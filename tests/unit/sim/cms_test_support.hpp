#pragma once
// A CmsSim behind a real HttpServer on a loopback port, fed through a RouteSink that adds the
// routes straight to a Router (no simulator middleware), and a small raw HTTP client: one fresh
// connection per request, so every test sees exactly the bytes the server sent.
//
// The sim and its fake clock live on the server's loop thread: tests move the clock and read
// state back through loop().call(), never directly.

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net/router.hpp"
#include "sim/cms_sim.hpp"
#include "support/fake_clock.hpp"
#include "unit/net/server_test_support.hpp"

namespace feedsync::sim::testing {

namespace json = boost::json;
using net::testing::RawResponse;
using net::testing::TestServer;
using namespace std::chrono_literals;

inline constexpr const char* kRoot = "43f936c99b234ea397b261c538ad07c9";
inline constexpr const char* kFlat = "/_cms/version2";
inline constexpr const char* kV1 = "/v1";

inline std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

struct Reply {
  int status = 0;
  net::Headers headers;
  std::string body;

  json::value json() const { return body.empty() ? json::value() : json::parse(body); }
  json::object object() const { return json().as_object(); }
  std::string header(std::string_view name) const { return std::string(headers.get(name).value_or("")); }
};

// The envelope both dialects give a 400 (RFC 9457 problem details); returns the problem for the
// dialect's own `errors` checks.
inline json::object expect_bad_request_problem(const Reply& reply) {
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), "application/problem+json");
  auto problem = reply.object();
  EXPECT_EQ(problem.at("type"), "about:blank");
  EXPECT_EQ(problem.at("title"), "Bad Request");
  EXPECT_EQ(problem.at("status"), 400);
  EXPECT_TRUE(problem.at("detail").is_string());
  return problem;
}

class CmsTest : public ::testing::Test {
 protected:
  explicit CmsTest(CmsSimOptions options = {}) {
    cms_ = std::make_unique<CmsSim>(clock_, std::move(options));
    net::Router router;
    cms_->add_routes([&router](net::Method method, std::string pattern, std::string, net::Handler handler) {
      router.add(method, pattern, std::move(handler));
    });
    server_ = std::make_unique<TestServer>(net::ServerOptions{}, std::move(router));
  }
  ~CmsTest() override {
    server_.reset();  // stops the loop before the sim it calls into goes
  }

  // Runs `f(cms)` on the loop thread.
  template <class F>
  auto on_loop(F f) {
    return server_->loop().call([&] { return f(*cms_); });
  }
  // Moves simulated time; call() then fetches a fresh token, since tokens age on this clock too.
  void advance(std::chrono::seconds d) {
    token_.clear();
    server_->loop().call([&] {
      clock_.advance(d);
      return 0;
    });
  }

  Reply send(net::Method method, const std::string& target, const std::string& body = {},
             std::vector<net::Header> headers = {}) {
    std::string request = std::string(net::to_string(method)) + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& h : headers) request += h.name + ": " + h.value + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    auto client = net::testing::connect_client(server_->port());
    if (auto ec = client->write(request)) throw std::runtime_error("write failed: " + ec.message());
    auto response = client->read_response();
    if (!response) throw std::runtime_error("no response to " + target);
    return Reply{response->status, std::move(response->headers), std::move(response->body)};
  }

  // Sends with the current bearer token (fetched on first use).
  Reply call(net::Method method, const std::string& target, const std::string& body = {},
             std::vector<net::Header> headers = {}) {
    if (token_.empty()) token_ = fetch_token();
    headers.push_back({"Authorization", "Bearer " + token_});
    return send(method, target, body, std::move(headers));
  }
  Reply get(const std::string& target, std::vector<net::Header> headers = {}) {
    return call(net::Method::get, target, {}, std::move(headers));
  }
  Reply post(const std::string& target, const json::value& body, std::vector<net::Header> headers = {}) {
    headers.push_back({"Content-Type", "application/json"});
    return call(net::Method::post, target, json::serialize(body), std::move(headers));
  }
  Reply merge_patch(const std::string& target, const json::value& body, std::vector<net::Header> headers = {}) {
    headers.push_back({"Content-Type", "application/merge-patch+json"});
    return call(net::Method::patch, target, json::serialize(body), std::move(headers));
  }
  Reply del(const std::string& target, std::vector<net::Header> headers = {}) {
    return call(net::Method::delete_, target, {}, std::move(headers));
  }

  std::string fetch_token(const std::string& id = "sim-client", const std::string& secret = "sim-secret") {
    json::object body{{"grant_type", "client_credentials"}, {"client_id", id}, {"client_secret", secret}};
    auto reply = send(net::Method::post, std::string(kFlat) + "/oauth/token", json::serialize(body),
                      {{"Content-Type", "application/json"}});
    if (reply.status != 200) throw std::runtime_error("token request failed: " + reply.body);
    return std::string(reply.object().at("access_token").as_string());
  }
  void forget_token() { token_.clear(); }

  // A flat create body for an ArticlePage in the root container.
  static json::object article(const std::string& key, const std::string& name = "Hello") {
    json::object body{{"contentType", "ArticlePage"}, {"locale", "en"},       {"container", kRoot},
                      {"displayName", name},         {"properties", json::object{{"Heading", name}}}};
    if (!key.empty()) body["key"] = key;
    return body;
  }
  static std::string content() { return std::string(kFlat) + "/content"; }
  static std::string content(const std::string& key) { return content() + "/" + key; }

  feedsync::testing::FakeClock clock_;
  std::unique_ptr<CmsSim> cms_;
  std::unique_ptr<TestServer> server_;
  std::string token_;
};

}  // namespace feedsync::sim::testing
