// OpsServer (the listener for ops_api.hpp's routes) and the start-up listen warning.
#include <boost/asio/ip/address.hpp>

#include "core/strings.hpp"
#include "net/server.hpp"
#include "ops/ops_api.hpp"
#include "ops/webhook_api.hpp"

namespace feedsync::ops {
namespace {

net::ServerOptions server_options(const config::HttpConfig& http) {
  net::ServerOptions options;
  options.host = http.listen_host;
  options.port = http.listen_port;
  // Probes, a scraper and an operator's curl: nothing here needs large bodies or many clients,
  // and the admin bodies are a few bytes of JSON.
  options.max_body = 16 * 1024;
  options.max_connections = 64;
  return options;
}

// "localhost" or an address in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104. Any other name may
// resolve to a public address, so it counts as not loopback.
bool is_loopback(const std::string& host) {
  const std::string lower = ascii_lower(host);
  if (lower == "localhost" || lower == "localhost.") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_v4()) return address.to_v4().is_loopback();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
  return v6.is_loopback();
}

}  // namespace

OpsServer::OpsServer(boost::asio::io_context& io, const config::HttpConfig& http, OpsBackend& backend,
                     WebhookApi* hooks)
    : api_(std::make_unique<OpsApi>(backend, http.admin_token)) {
  net::Router router;
  api_->add_routes(router);
  auto options = server_options(http);
  if (hooks != nullptr && !http.webhook_listen) {
    hooks->add_routes(router);
    options.on_body_too_large = [hooks](const std::string& route) { hooks->body_too_large(route); };
  }
  server_ = std::make_unique<net::HttpServer>(io, std::move(options), std::move(router));
}

OpsServer::~OpsServer() = default;

void OpsServer::start() { server_->start(); }
unsigned short OpsServer::port() const { return server_->port(); }
boost::asio::awaitable<void> OpsServer::stop(std::chrono::milliseconds grace) { return server_->stop(grace); }
void OpsServer::set_admin_token(const std::optional<config::Secret>& admin_token) {
  api_->set_admin_token(admin_token);
}

WebhookServer::WebhookServer(boost::asio::io_context& io, const config::HttpConfig& http, WebhookApi& hooks) {
  net::Router router;
  hooks.add_routes(router);
  net::ServerOptions options;
  options.host = http.webhook_listen_host;
  options.port = http.webhook_listen_port;
  options.max_body = 16 * 1024;  // the hook routes carry their own cap (kMaxWebhookBody)
  options.max_connections = 256;
  options.on_body_too_large = [&hooks](const std::string& route) { hooks.body_too_large(route); };
  if (http.webhook_tls_cert_file && http.webhook_tls_key_file) {
    options.tls = net::ServerTlsOptions{*http.webhook_tls_cert_file, *http.webhook_tls_key_file};
  }
  server_ = std::make_unique<net::HttpServer>(io, std::move(options), std::move(router));
}

WebhookServer::~WebhookServer() = default;

void WebhookServer::start() { server_->start(); }
unsigned short WebhookServer::port() const { return server_->port(); }
boost::asio::awaitable<void> WebhookServer::stop(std::chrono::milliseconds grace) { return server_->stop(grace); }

std::optional<std::string> listen_warning(const config::HttpConfig& http) {
  if (is_loopback(http.listen_host)) return std::nullopt;
  if (http.admin_token && !http.admin_token->empty()) return std::nullopt;
  return "http.listen " + http.listen +
         " is not a loopback address and no admin token is configured: /status and /metrics "
         "are open to anyone who can reach it (the admin API stays disabled); listen on "
         "127.0.0.1 or firewall the port";
}

std::optional<std::string> webhook_listen_warning(const config::Config& config) {
  if (!config.http.webhook_listen) return std::nullopt;
  const auto& hooks = config.webhooks;
  if ((hooks.cmp.secret && !hooks.cmp.secret->empty()) || (hooks.cms.token && !hooks.cms.token->empty()))
    return std::nullopt;
  return "http.webhook_listen " + *config.http.webhook_listen +
         " is set but no webhook is enabled (webhooks.cmp.secret_file, webhooks.cms.token_file): it answers 404 "
         "to every request";
}

}  // namespace feedsync::ops
