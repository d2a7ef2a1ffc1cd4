#pragma once
// The real CMS client stack against an in-process feedsync-sim over loopback sockets:
//
//   net::BeastHttpClient -> net::RetryingHttpClient -> cms::TokenSource + cms::make_cms_sink
//                                                    -> cms::CanonicalClient
//   sim::Simulator (port 0) with the CMS part attached, as sim/main.cpp does
//
// Everything (simulator and client) runs on one io_context on a LoopThread, as in the daemon;
// the test thread drives coroutines through await() and reads simulator state through on_loop().
// The TokenSource and the simulator share the simulator's clock (a FakeClock base plus the
// offset the test moves), so token expiry is controlled without sleeping. Every wait is bounded
// by net::testing::kWait. The bodies are compiled once, in cms_sim_stack.cpp.

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cms/canonical_client.hpp"
#include "cms/sink_factory.hpp"
#include "cms/token_source.hpp"
#include "core/expected.hpp"
#include "core/time.hpp"
#include "log/log.hpp"
#include "net/beast_client.hpp"
#include "net/retrying_client.hpp"
#include "sim/attach_cms.hpp"
#include "sim/simulator.hpp"
#include "support/fake_clock.hpp"
#include "unit/net/server_test_support.hpp"

namespace feedsync::integration {

namespace json = boost::json;
using namespace std::chrono_literals;

inline constexpr const char* kClientId = "sim-client";
inline constexpr const char* kClientSecret = "sim-secret";

struct StackOptions {
  config::CmsApi api = config::CmsApi::version2;
  std::chrono::seconds token_lifetime{300};
  std::chrono::seconds refresh_skew{30};
  std::string client_secret = kClientSecret;  // what the client sends
  bool verify_writes = false;
  std::vector<std::string> allowed_domains;  // canonical links; empty = any host
  bool refuse_status_on_create = false;      // CmsSimOptions: the stricter flat service
  bool approvals = false;                    // ArticlePage has an approval sequence (ready -> inReview)
  int route_collision_status = 400;          // CmsSimOptions: how a taken routeSegment is refused
};

class CmsSimStack {
 public:
  explicit CmsSimStack(StackOptions options);
  ~CmsSimStack();
  CmsSimStack(const CmsSimStack&) = delete;
  CmsSimStack& operator=(const CmsSimStack&) = delete;

  const std::string& base_url() const { return base_url_; }
  std::string cms_base() const;
  std::string token_url() const;
  cms::TokenOptions token_options(const std::string& secret) const;

  // Runs `f()` on the loop thread (simulator state lives there).
  template <class F>
  auto on_loop(F f) {
    return loop_.call(std::move(f));
  }
  template <class T>
  T await(boost::asio::awaitable<T> op) {
    return loop_.await(std::move(op));
  }

  cms::CmsResult upsert(cms::UpsertRequest request);
  cms::CmsResult remove(cms::ArticleRef article, bool permanent);
  cms::CmsResult undelete(cms::ArticleRef article);
  Expected<cms::CanonicalOutcome, cms::CmsError> post_canonical(cms::CanonicalPost post);

  // A control-API call (/_sim/...) without auth: {status, parsed body or null}.
  std::pair<int, json::value> control(net::Method method, std::string path, const json::object& body = {});
  // The simulated time now, as RFC 3339, moved by `offset`.
  std::string sim_time(std::chrono::seconds offset);

  // An authorized GET below the CMS base through the same client stack: the HTTP status.
  int cms_get_status(std::string path_and_query);

  cms::TokenSource& tokens() { return *tokens_; }
  cms::TokenSource::Status token_status();
  // Moves the simulated clock, which the TokenSource reads as well (atomic: safe from here).
  void advance(std::chrono::seconds d);

  // The simulator's CMS store: the item with `key` in the flat record shape, with "versions"
  // newest first; nullopt when the item does not exist.
  std::optional<json::object> cms_item(const std::string& key);
  // The request log's counters: {"total","apis":{...},"routes":{"POST /...":{"count","statuses"}}}.
  json::object counters();
  std::size_t requests_with_status(int status);
  std::size_t api_count(const std::string& api);

  sim::Simulator& simulator() { return *sim_; }  // on the loop only
  sim::CmsSim& cms_sim() { return *cms_; }        // on the loop only
  // The client stack, for code under test that runs on the loop (through await()).
  net::HttpClient& http();
  cms::CmsSink& sink();
  cms::CanonicalClient& canonical() { return *canonical_; }
  const Clock& sim_clock();
  boost::asio::any_io_executor executor() { return loop_.io().get_executor(); }

 private:
  static boost::asio::awaitable<int> get_status(CmsSimStack* self, std::string url);
  static boost::asio::awaitable<std::pair<int, json::value>> send_control(CmsSimStack* self, net::Method method,
                                                                         std::string url, std::string body);

  StackOptions options_;
  feedsync::testing::FakeClock base_clock_;  // moved only through the SimClock offset
  SystemClock system_clock_;
  net::testing::LoopThread loop_;
  std::unique_ptr<sim::Simulator> sim_;
  std::shared_ptr<sim::CmsSim> cms_;
  std::string base_url_;
  std::unique_ptr<net::BeastHttpClient> beast_;
  std::unique_ptr<net::RetryingHttpClient> retrying_;
  std::unique_ptr<cms::TokenSource> tokens_;
  std::unique_ptr<cms::RestCmsSink> sink_;
  std::unique_ptr<cms::CanonicalClient> canonical_;
};

// Content keys: 32 lowercase hex, distinct per n.
std::string test_key(int n);

// The article's document (core/outbox_payload.hpp) for an ArticlePage in the root container.
// (A feed that schedules has a publish time, or none; see scheduled_request().)
ArticleDocument payload(const std::string& key, const std::string& title, const std::string& body = "<p>Hi</p>",
                        const std::string& publish = "immediate");

cms::ArticleRef article(const std::string& key);

cms::UpsertRequest upsert_request(const std::string& key, const std::string& title, bool known,
                                  const std::string& body = "<p>Hi</p>");

// The same for a feed with `schedule: true` whose article maps to `publish_at` (null: no time).
cms::UpsertRequest scheduled_request(const std::string& key, const std::string& title, bool known,
                                     json::value publish_at);

}  // namespace feedsync::integration
