#pragma once
// A CmsSim behind a real HttpServer on a loopback port, fed through a RouteSink that adds the
// routes straight to a Router (no simulator middleware), and a small raw HTTP client: one fresh
// connection per request, so every test sees exactly the bytes the server sent.
//
// The sim and its fake clock live on the server's loop thread: tests move the clock and read
// state back through loop().call(), never directly. The bodies are compiled once, in
// cms_test_support.cpp (feedsync_sim_test_support).

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
json::object expect_bad_request_problem(const Reply& reply);

class CmsTest : public ::testing::Test {
 protected:
  explicit CmsTest(CmsSimOptions options = {});
  ~CmsTest() override;

  // Runs `f(cms)` on the loop thread.
  template <class F>
  auto on_loop(F f) {
    return server_->loop().call([&] { return f(*cms_); });
  }
  // Moves simulated time; call() then fetches a fresh token, since tokens age on this clock too.
  void advance(std::chrono::seconds d);

  Reply send(net::Method method, const std::string& target, const std::string& body = {},
             std::vector<net::Header> headers = {});
  // Sends with the current bearer token (fetched on first use).
  Reply call(net::Method method, const std::string& target, const std::string& body = {},
             std::vector<net::Header> headers = {});
  Reply get(const std::string& target, std::vector<net::Header> headers = {});
  Reply post(const std::string& target, const json::value& body, std::vector<net::Header> headers = {});
  Reply merge_patch(const std::string& target, const json::value& body, std::vector<net::Header> headers = {});
  Reply del(const std::string& target, std::vector<net::Header> headers = {});

  std::string fetch_token(const std::string& id = "sim-client", const std::string& secret = "sim-secret");
  void forget_token() { token_.clear(); }

  // A flat create body for an ArticlePage in the root container.
  static json::object article(const std::string& key, const std::string& name = "Hello");
  static std::string content() { return std::string(kFlat) + "/content"; }
  static std::string content(const std::string& key) { return content() + "/" + key; }

  feedsync::testing::FakeClock clock_;
  std::unique_ptr<CmsSim> cms_;
  std::unique_ptr<TestServer> server_;
  std::string token_;
};

}  // namespace feedsync::sim::testing
