// The daemon's HTTP listener (lib/net server + lib/ops ops/admin API and webhook routes) on
// arbitrary bytes, as one client connection: request parsing with the server's limits,
// pipelining, routing, the admin token check, the webhook secret checks, the handlers and the
// response framing (net::replay_connection, no socket). The backend is a fixed fake with one feed
// ("blog") and one guid ("g1"); the admin token is "fuzz-admin-token", the CMP callback secret
// "fuzz-cmp-secret" (POST /hooks/cmp, /hooks/cmp/{feed}, header Callback-Secret) and the CMS
// webhook token "fuzz-cms-token" (POST and GET /hooks/cms, Authorization or ?token=), all in the
// dictionary so the handlers behind them are reached. The log runs at trace level into memory
// with the three registered as secrets, as the daemon does. The contract: no crash, UB or leak; no
// handler throws (a 500); every response is HTTP/1.x with a status in 100..599; no secret appears
// in a log line, nor in a response unless the request itself carried it somewhere other than its
// own header (an echoed "unknown guid ..." or verification challenge); and a webhook triggers
// nothing unless the request carried its secret (a poll only with the CMP secret, a pending check
// only with the CMS token, or a '%' that could encode it in ?token=).
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "log/log.hpp"
#include "net/server_replay.hpp"
#include "ops/ops_api.hpp"
#include "ops/ops_backend.hpp"
#include "ops/webhook_api.hpp"

namespace {

using feedsync::ops::AdminResult;

class FixedBackend final : public feedsync::ops::OpsBackend {
 public:
  std::vector<feedsync::ops::ReadinessCheck> readiness() const override {
    return {{"config", true, ""}, {"feed:blog", false, "last success 12m ago, interval 1m"}};
  }
  std::string status_json() const override { return R"({"feeds":[{"name":"blog"}]})"; }
  std::string metrics_text() const override { return "feedsync_up 1\n"; }
  AdminResult trigger_sync(const std::string& feed) override { return known(feed, "sync"); }
  AdminResult pause(const std::string& feed) override { return known(feed, "pause"); }
  AdminResult resume(const std::string& feed) override { return known(feed, "resume"); }
  AdminResult approve_deletes(const std::string& feed) override { return known(feed, "approve"); }
  AdminResult resync(const std::string& feed, const std::optional<std::string>& guid) override {
    if (guid && *guid != "g1") return {404, "unknown guid " + *guid};
    return known(feed, "resync");
  }
  AdminResult retry(const std::optional<std::string>& feed, const std::optional<std::string>& guid) override {
    if (guid && *guid != "g1") return {404, "unknown guid " + *guid};
    return feed ? known(*feed, "retry") : AdminResult{202, "retry requested"};
  }

 private:
  static AdminResult known(const std::string& feed, const std::string& action) {
    if (feed != "blog") return {404, "unknown feed " + feed};
    return {202, action + " of blog requested"};
  }
};

// What the webhooks asked of the engine.
class FixedEngine final : public feedsync::ops::EngineControl {
 public:
  void trigger(const std::string&) override {}
  bool request_poll(const std::string& feed) override {
    ++polls;
    return feed == "blog";
  }
  void request_poll_all() override { ++polls; }
  void check_published(const std::optional<std::string>&) override { ++checks; }
  void wake_relay() override {}
  feedsync::ops::CmsTokenStatus token_status() const override { return {}; }
  int polls = 0;
  int checks = 0;
};

constexpr std::string_view kToken = "fuzz-admin-token";
constexpr std::string_view kCmpSecret = "fuzz-cmp-secret";
constexpr std::string_view kCmsToken = "fuzz-cms-token";

feedsync::config::Config hooks_config() {
  feedsync::config::Config config;
  config.webhooks.cmp.secret = feedsync::config::Secret(std::string(kCmpSecret), "fuzz");
  config.webhooks.cms.token = feedsync::config::Secret(std::string(kCmsToken), "fuzz");
  feedsync::config::FeedConfig feed;
  feed.name = "blog";
  config.feeds.push_back(feed);
  return config;
}
constexpr std::size_t kMaxBody = 16 * 1024;  // lib/ops/ops_server.cpp's

struct Server {
  boost::asio::io_context io;
  FixedBackend backend;
  feedsync::ops::OpsApi api{backend, feedsync::config::Secret(std::string(kToken), "fuzz")};
  FixedEngine engine;
  feedsync::ops::WebhookApi hooks{engine, hooks_config(), {}};
  feedsync::net::Router router;
  std::ostringstream log;
  Server() {
    api.add_routes(router);
    hooks.add_routes(router);
    feedsync::log::configure({feedsync::log::Level::trace, feedsync::log::Format::text, false}, &log);
    feedsync::log::set_secrets({std::string(kToken), std::string(kCmpSecret), std::string(kCmsToken)});
  }
};

// Whether the request bytes hold `secret` other than in the header that carries it (`carrier`
// followed by the secret).
bool carries_elsewhere(std::string_view bytes, std::string_view secret, std::string_view carrier) {
  std::string rest(bytes);
  const std::string header = std::string(carrier) + std::string(secret);
  for (auto at = rest.find(header); at != std::string::npos; at = rest.find(header, at)) rest.erase(at, header.size());
  return rest.find(secret) != std::string::npos;
}

// The response check for one secret.
bool leaks(std::string_view bytes, std::string_view wire, std::string_view secret, std::string_view carrier) {
  return !carries_elsewhere(bytes, secret, carrier) && wire.find(secret) != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server* server = new Server;  // one for the whole run, like the daemon's
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  server->log.str({});
  server->engine.polls = server->engine.checks = 0;
  const auto responses = feedsync::net::replay_connection(server->io, server->router, bytes, kMaxBody);
  for (const auto& response : responses) {
    if (response.handler_failed) std::abort();
    if (response.status < 100 || response.status > 599) std::abort();
    if (response.wire.rfind("HTTP/1.", 0) != 0) std::abort();
    if (leaks(bytes, response.wire, kToken, "Bearer ")) std::abort();
    if (leaks(bytes, response.wire, kCmpSecret, "Callback-Secret: ")) std::abort();
    if (leaks(bytes, response.wire, kCmsToken, "Bearer ")) std::abort();
  }
  const std::string logged = server->log.str();
  for (const auto secret : {kToken, kCmpSecret, kCmsToken})
    if (logged.find(secret) != std::string::npos) std::abort();
  // Header values are not decoded: no poll without the CMP secret in the bytes as it is.
  if (server->engine.polls > 0 && bytes.find(kCmpSecret) == std::string_view::npos) std::abort();
  if (server->engine.checks > 0 && bytes.find(kCmsToken) == std::string_view::npos &&
      bytes.find('%') == std::string_view::npos)
    std::abort();
  return 0;
}
