// The daemon's HTTP listener (lib/net server + lib/ops ops/admin API) on arbitrary bytes, as one
// client connection: request parsing with the server's limits, pipelining, routing, the admin
// token check, the handlers and the response framing (net::replay_connection, no socket). The
// backend is a fixed fake with one feed ("blog") and one guid ("g1"); the admin token is
// "fuzz-admin-token" (in the dictionary, so admin handlers are reached). The log runs at trace
// level into memory with the token registered as a secret, as the daemon does. The contract: no
// crash, UB or leak; no handler throws (a 500); every response is HTTP/1.x with a status in
// 100..599; the token never appears in a log line, nor in a response unless the request itself
// carried it somewhere other than its Authorization header (an echoed "unknown guid ...").
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

constexpr std::string_view kToken = "fuzz-admin-token";
constexpr std::size_t kMaxBody = 16 * 1024;  // lib/ops/ops_server.cpp's

struct Server {
  boost::asio::io_context io;
  FixedBackend backend;
  feedsync::ops::OpsApi api{backend, feedsync::config::Secret(std::string(kToken), "fuzz")};
  feedsync::net::Router router;
  std::ostringstream log;
  Server() {
    api.add_routes(router);
    feedsync::log::configure({feedsync::log::Level::trace, feedsync::log::Format::text, false}, &log);
    feedsync::log::set_secrets({std::string(kToken)});
  }
};

// Whether the request bytes hold the token other than as "Bearer <token>".
bool carries_token_elsewhere(std::string_view bytes) {
  std::string rest(bytes);
  const std::string bearer = "Bearer " + std::string(kToken);
  for (auto at = rest.find(bearer); at != std::string::npos; at = rest.find(bearer, at)) rest.erase(at, bearer.size());
  return rest.find(kToken) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server* server = new Server;  // one for the whole run, like the daemon's
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  server->log.str({});
  const auto responses = feedsync::net::replay_connection(server->io, server->router, bytes, kMaxBody);
  const bool echoed = carries_token_elsewhere(bytes);
  for (const auto& response : responses) {
    if (response.handler_failed) std::abort();
    if (response.status < 100 || response.status > 599) std::abort();
    if (response.wire.rfind("HTTP/1.", 0) != 0) std::abort();
    if (!echoed && response.wire.find(kToken) != std::string::npos) std::abort();
  }
  if (server->log.str().find(kToken) != std::string::npos) std::abort();
  return 0;
}
