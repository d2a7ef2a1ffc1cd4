#include "sim/simulator.hpp"

#include <stdexcept>

#include "sim/control_api.hpp"

namespace feedsync::sim {

std::string derived_deleted_feed_id(const std::string& feed_id) { return feed_id + "deleted"; }

Simulator::Simulator(boost::asio::io_context& io, SimulatorOptions options, const Clock& base_clock)
    : io_(io),
      options_(std::move(options)),
      clock_(base_clock),
      store_(clock_, options_.url_bases),
      log_(options_.request_log_capacity),
      middleware_(clock_, faults_, limits_, log_),
      feed_api_(store_, clock_, options_.allowed_domains),
      webhooks_(std::make_shared<WebhookSender>(io.get_executor())) {
  if (options_.deleted_feed_id.empty()) options_.deleted_feed_id = derived_deleted_feed_id(options_.feed_id);
  auto feed = store_.add_feed(options_.feed_id, options_.deleted_feed_id, options_.feed_title);
  if (!feed) throw std::invalid_argument(feed.error().message);

  sink_ = [this](net::Method method, std::string pattern, std::string api, net::Handler handler) {
    if (server_) throw std::logic_error("feedsync-sim: routes must be added before start()");
    router_.add(method, pattern, middleware_.wrap(std::move(api), std::move(handler)));
  };
  feed_api_.add_routes(sink_);
  add_control_article_routes(*this, sink_);
  add_control_ops_routes(*this, sink_);
  add_control_webhook_routes(*this, sink_);
}

Simulator::~Simulator() = default;

void Simulator::attach_cms(CmsHooks hooks) {
  cms_ = std::move(hooks);
  if (cms_.add_routes) cms_.add_routes(sink_);
}

void Simulator::start() {
  server_ = std::make_unique<net::HttpServer>(io_, options_.server, std::move(router_));
  server_->start();
}

unsigned short Simulator::port() const { return server_ ? server_->port() : 0; }

std::string Simulator::base_url() const {
  std::string host = options_.server.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6 literal
  return std::string(options_.server.tls ? "https" : "http") + "://" + host + ":" + std::to_string(port());
}

boost::asio::awaitable<void> Simulator::stop(std::chrono::milliseconds grace) {
  if (!server_) co_return;
  auto stopping = server_->stop(grace);  // hoisted: GCC 12 and temporaries in co_await
  co_await std::move(stopping);
}

std::optional<boost::json::value> Simulator::cms_items_json() const {
  if (!cms_.items_json) return std::nullopt;
  return cms_.items_json();
}

boost::json::object Simulator::check_report(const std::optional<DriftCheck>& drift, bool groups) const {
  std::optional<std::vector<CmsItemSnapshot>> items;
  if (cms_.items) items = cms_.items();
  return build_check_report(store_, options_.guid_property, items, drift, groups);
}

}  // namespace feedsync::sim
