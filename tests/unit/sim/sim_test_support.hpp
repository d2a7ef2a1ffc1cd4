#pragma once
// An in-process feedsync-sim on port 0 for tests: the simulator runs on its own loop thread (as
// in the binary), the test talks to it over real loopback sockets with a raw HTTP/1.1 client,
// and reaches its state only through the loop (SimHarness::on_loop) or the control API.
// The bodies are compiled once, in sim_test_support.cpp (feedsync_sim_test_support).

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/simulator.hpp"
#include "support/fake_clock.hpp"
#include "unit/net/server_test_support.hpp"

namespace feedsync::sim::testing {

using net::testing::RawClient;
using net::testing::RawResponse;

struct Reply {
  int status = 0;
  net::Headers headers;
  std::string body;
  boost::json::value json() const { return boost::json::parse(body); }
};

class SimHarness {
 public:
  static constexpr std::chrono::milliseconds kRequestWait{60'000};

  // `setup` runs on the loop before start(): the place to attach a CMS.
  explicit SimHarness(SimulatorOptions options = {}, std::function<void(Simulator&)> setup = {});
  ~SimHarness();

  unsigned short port() const { return port_; }
  // Runs `f(simulator)` on the simulator's thread.
  template <class F>
  auto on_loop(F f) {
    return loop_.call([&] { return f(*sim_); });
  }
  // Moves the simulated clock (atomic: safe from the test thread).
  void advance_s(std::int64_t seconds);

  // `extra_headers`: complete header lines, each ending in CRLF.
  // Bounded by kRequestWait, not the raw client's 5 s: generating thousands of articles under
  // ASan on a loaded 2-core machine has taken longer than that (a test failure with no bug).
  Reply request(std::string_view method, std::string_view target, std::string_view body = {},
                std::string_view content_type = "application/json", std::string_view extra_headers = {});
  Reply get(std::string_view target) { return request("GET", target); }
  Reply post(std::string_view target, std::string_view body = "{}") { return request("POST", target, body); }
  Reply put(std::string_view target, std::string_view body) { return request("PUT", target, body); }
  Reply patch(std::string_view target, std::string_view body) { return request("PATCH", target, body); }
  Reply del(std::string_view target) { return request("DELETE", target); }

  // A raw connection for fault tests that need to see how it ends.
  std::unique_ptr<RawClient> raw(std::string_view target);

 private:
  feedsync::testing::FakeClock clock_;
  net::testing::LoopThread loop_;
  std::unique_ptr<Simulator> sim_;
  unsigned short port_ = 0;
};

inline const std::string kFeed = "simfeed0000000000000000000000001";
inline const std::string kDeletedFeed = "simfeed0000000000000000000000001deleted";

inline std::string feed_url(std::string_view query = "format=json") {
  return "/v2/feed/" + kFeed + (query.empty() ? "" : "?" + std::string(query));
}

}  // namespace feedsync::sim::testing
