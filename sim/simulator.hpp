#pragma once
// feedsync-sim as a library (DESIGN.md §8): one HTTP server that plays Feed API v2, the
// canonical-link endpoint, the CMS (via the CMS part, attached through CmsHooks) and the /_sim/
// control API, all in memory. Tests start it in-process on port 0; sim/main.cpp wraps it in a
// binary. docs/simulator.md documents the wire behaviour and the control API.
//
// Threading: everything runs on the io_context given to the constructor (DESIGN.md §3);
// accessors that return state must be called on that thread (tests post to it), except clock().

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "net/router.hpp"
#include "net/server.hpp"
#include "sim/article.hpp"
#include "sim/check.hpp"
#include "sim/faults.hpp"
#include "sim/feed_api.hpp"
#include "sim/feed_store.hpp"
#include "sim/middleware.hpp"
#include "sim/request_log.hpp"
#include "sim/route_sink.hpp"
#include "sim/sim_clock.hpp"
#include "sim/webhook_sender.hpp"

namespace feedsync::sim {

struct SimulatorOptions {
  net::ServerOptions server;  // host, port (0 = any), TLS
  std::string feed_id = "simfeed0000000000000000000000001";
  std::string deleted_feed_id;  // empty: feed_id + "deleted"
  std::string feed_title = "feedsync-sim feed";
  std::vector<std::string> allowed_domains;  // canonical links; empty = any host
  std::string guid_property = "CmpGuid";     // the CMS property /_sim/check reads the guid from
  std::size_t request_log_capacity = 10'000;
  UrlBases url_bases;
};

std::string derived_deleted_feed_id(const std::string& feed_id);

// The CMS part as the rest of the simulator sees it; absent, the CMS routes do not exist and
// /_sim/cms/items answers 404.
struct CmsHooks {
  std::function<void(const RouteSink&)> add_routes;
  std::function<boost::json::value()> items_json;
  std::function<std::vector<CmsItemSnapshot>()> items;
};

class Simulator {
 public:
  // `base_clock` must outlive the simulator; the simulated clock adds the control API's offset.
  Simulator(boost::asio::io_context& io, SimulatorOptions options, const Clock& base_clock);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Before start(): registers the CMS routes through the middleware.
  void attach_cms(CmsHooks hooks);
  // Extra routes (tests, future parts), also behind the middleware. Before start().
  const RouteSink& route_sink() const { return sink_; }

  // Binds and starts serving; throws like HttpServer::start().
  void start();
  unsigned short port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" (https with TLS)
  boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);

  const SimulatorOptions& options() const { return options_; }
  SimClock& clock() { return clock_; }
  boost::asio::io_context& io() { return io_; }
  FeedStore& store() { return store_; }
  FaultRules& faults() { return faults_; }
  RateLimits& rate_limits() { return limits_; }
  RequestLog& requests() { return log_; }
  WebhookSender& webhooks() { return *webhooks_; }
  const WebhookSender& webhooks() const { return *webhooks_; }
  FeedApi& feed_api() { return feed_api_; }
  const Middleware& middleware() const { return middleware_; }
  bool cms_attached() const { return static_cast<bool>(cms_.items); }
  std::optional<boost::json::value> cms_items_json() const;
  boost::json::object check_report(const std::optional<DriftCheck>& drift = std::nullopt, bool groups = false) const;

 private:
  boost::asio::io_context& io_;
  SimulatorOptions options_;
  SimClock clock_;
  FeedStore store_;
  FaultRules faults_;
  RateLimits limits_;
  RequestLog log_;
  Middleware middleware_;
  FeedApi feed_api_;
  std::shared_ptr<WebhookSender> webhooks_;  // outgoing CMP and CMS webhooks
  CmsHooks cms_;
  net::Router router_;
  RouteSink sink_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace feedsync::sim
