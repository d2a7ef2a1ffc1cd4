#include "sim/webhook_sender.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/object.hpp>

#include <chrono>

#include "net/beast_client.hpp"

namespace feedsync::sim {
namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

net::ClientOptions client_options() {
  net::ClientOptions options;
  options.max_connections_per_origin = 16;  // a burst goes out on parallel connections
  options.request_timeout = std::chrono::seconds(30);  // CMP's own limit for an answer
  options.user_agent = "feedsync-sim-webhooks";
  return options;
}

}  // namespace

WebhookSender::WebhookSender(boost::asio::any_io_executor executor, std::size_t capacity)
    : executor_(executor),
      client_(std::make_unique<net::BeastHttpClient>(executor, client_options())),
      capacity_(capacity) {}

WebhookSender::~WebhookSender() = default;

boost::asio::awaitable<WebhookDelivery> WebhookSender::send_from(std::shared_ptr<WebhookSender> self, std::string source,
                                                                 std::string event, std::string url,
                                                                 net::Headers headers, std::string body) {
  WebhookDelivery delivery;
  delivery.seq = self->next_seq_++;
  delivery.source = std::move(source);
  delivery.event = std::move(event);
  delivery.url = url;
  net::Request request;
  request.method = net::Method::post;
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.headers.set("Content-Type", "application/json");
  request.body = std::move(body);
  request.max_body = 64 * 1024;
  delivery.sent_ms = wall_ms();
  auto pending = self->client_->send(std::move(request));
  auto result = co_await std::move(pending);
  delivery.done_ms = wall_ms();
  if (result) {
    delivery.status = result->status;
    delivery.response_body = result->body.substr(0, 1024);
  } else {
    delivery.error = result.error().message;
  }
  self->log_.push_back(delivery);
  while (self->log_.size() > self->capacity_) self->log_.pop_front();
  co_return delivery;
}

void WebhookSender::post(std::string source, std::string event, std::string url, net::Headers headers,
                         std::string body) {
  boost::asio::co_spawn(executor_, send(std::move(source), std::move(event), std::move(url), std::move(headers),
                                        std::move(body)),
                        boost::asio::detached);
}

boost::json::array WebhookSender::deliveries_json(std::uint64_t since, const std::optional<std::string>& source) const {
  boost::json::array out;
  for (const auto& d : log_) {
    if (d.seq <= since || (source && d.source != *source)) continue;
    out.push_back(boost::json::object{{"seq", d.seq},         {"source", d.source},   {"url", d.url},
                                      {"event", d.event},     {"status", d.status},   {"error", d.error},
                                      {"response", d.response_body}, {"sent_ms", d.sent_ms}, {"done_ms", d.done_ms}});
  }
  return out;
}

}  // namespace feedsync::sim
