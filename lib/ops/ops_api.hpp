#pragma once
// The daemon's HTTP operating surface (DESIGN.md §7, issue #8) on lib/net's server:
//
//   GET  /livez                      200 "ok\n" as long as the event loop answers and keeps time;
//                                    503 "event loop stalled for N ms" when it lags
//                                    (OpsBackend::liveness_problem, loop_lag.hpp). No dependency
//                                    check: a CMS or store outage must not make a liveness probe
//                                    restart the daemon (restarting cures none of those).
//   GET  /readyz, /healthz           200 "ok\n" when every OpsBackend::readiness() check is ok,
//                                    else 503 listing the failing ones as "name: detail" lines;
//                                    `?verbose` lists every check as [+]/[-] (Kubernetes style).
//   GET  /metrics                    Prometheus text format 0.0.4.
//   GET  /status                     the JSON of `feedsyncd status -o json`.
//   POST /feeds/{name}/sync | pause | resume | approve-deletes | resync
//   POST /feeds/{name}/articles/{guid}/resync
//   POST /retry                      feed / guid from the query or a JSON body, both optional.
//
// Admin routes (the POSTs) need `Authorization: Bearer <http.admin_token>`: missing or wrong is
// 401 with `WWW-Authenticate`; without a configured token they answer 404 exactly like a path
// that does not exist. Their answer is {"message": "..."} with the backend's status. Unknown
// paths are 404 and a wrong method 405 with `Allow` (lib/net's router). No response or log line
// carries the token: only its SHA-256 is kept, and tokens are compared as digests in constant
// time, so neither content nor length leaks through timing.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "net/router.hpp"
#include "ops/ops_backend.hpp"

namespace feedsync::net { class HttpServer; }

namespace feedsync::ops {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Registers the routes above on a router; the handlers call `backend`, which (like this object)
// must outlive the router. Handlers run on the server's loop thread; so must set_admin_token().
class OpsApi {
 public:
  // `admin_token` absent or empty: admin API disabled.
  OpsApi(OpsBackend& backend, const std::optional<config::Secret>& admin_token);
  OpsApi(const OpsApi&) = delete;
  OpsApi& operator=(const OpsApi&) = delete;

  void add_routes(net::Router& router);
  // For a reload (SIGHUP): the new token applies to the next request; the listener stays.
  void set_admin_token(const std::optional<config::Secret>& admin_token);
  bool admin_enabled() const { return token_digest_.has_value(); }

 private:
  struct Impl;  // the handlers (ops_api.cpp)
  OpsBackend& backend_;
  std::optional<std::string> token_digest_;  // SHA-256 hex of the token, never the token
};

// Whether `presented` equals the token whose SHA-256 hex is `expected_digest`, in time that
// depends on neither value. Exposed for tests.
bool token_matches(std::string_view presented, std::string_view expected_digest);

class WebhookApi;

// HttpServer + OpsApi bound to `http.listen` (port 0: any free port, read back with port()).
// With `hooks` and no `http.webhook_listen`, the webhook routes are served here as well.
class OpsServer {
 public:
  OpsServer(boost::asio::io_context& io, const config::HttpConfig& http, OpsBackend& backend,
            WebhookApi* hooks = nullptr);
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  // Binds and starts accepting. Throws std::system_error (address in use, unknown host): a
  // start-up configuration error.
  void start();
  unsigned short port() const;  // the bound port; 0 before start()
  // Graceful stop (net::HttpServer::stop): requests in flight get `grace` to finish.
  boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);
  void set_admin_token(const std::optional<config::Secret>& admin_token);

 private:
  std::unique_ptr<OpsApi> api_;  // before server_: the routes point into it
  std::unique_ptr<net::HttpServer> server_;
};

// HttpServer bound to `http.webhook_listen` serving only the webhook routes (issue 19), with TLS
// when webhook_tls_cert_file / webhook_tls_key_file are set. Everything else is 404 there.
class WebhookServer {
 public:
  // `http.webhook_listen` must be set. `hooks` must outlive this object.
  WebhookServer(boost::asio::io_context& io, const config::HttpConfig& http, WebhookApi& hooks);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Binds and starts accepting; throws std::system_error or std::runtime_error (unreadable TLS
  // files) like OpsServer::start().
  void start();
  unsigned short port() const;
  boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);

 private:
  std::unique_ptr<net::HttpServer> server_;
};

// A warning for the daemon to log at start-up when `http.listen` is not a loopback address and
// no admin token is configured; std::nullopt otherwise.
std::optional<std::string> listen_warning(const config::HttpConfig& http);

// A warning when http.webhook_listen is set but no webhook is enabled (no webhooks.cmp secret,
// no webhooks.cms token): that listener would answer 404 to everything. std::nullopt otherwise.
std::optional<std::string> webhook_listen_warning(const config::Config& config);

}  // namespace feedsync::ops
