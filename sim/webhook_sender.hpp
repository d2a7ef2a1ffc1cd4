#pragma once
// The simulator's outgoing webhooks (issue 19): CMP deliveries driven by the control API
// (POST /_sim/cmp/webhooks:deliver) and CMS events sent to the subscriptions made through
// /v1/experimental/webhooks. Each POST goes out through lib/net's client on the simulator's
// io_context and is recorded, in order of sending, for GET /_sim/webhooks/deliveries.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "net/http.hpp"

namespace feedsync::net { class BeastHttpClient; }

namespace feedsync::sim {

struct WebhookDelivery {
  std::uint64_t seq = 0;
  std::string source;  // "cmp" or "cms"
  std::string url;
  std::string event;
  int status = 0;      // 0: no answer (`error` says why)
  std::string error;
  std::string response_body;  // the first 1 KiB of the answer
  std::int64_t sent_ms = 0;   // wall clock (unix ms): benchmarks compare it with the CMS's times
  std::int64_t done_ms = 0;
};

// Held by shared_ptr (Simulator): every send in flight keeps it alive, so a delivery still
// waiting for its answer when the simulator goes away never touches freed memory.
class WebhookSender : public std::enable_shared_from_this<WebhookSender> {
 public:
  explicit WebhookSender(boost::asio::any_io_executor executor, std::size_t capacity = 10'000);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Sends one JSON POST and records it; the record comes back when the answer (or failure) is in.
  boost::asio::awaitable<WebhookDelivery> send(std::string source, std::string event, std::string url,
                                               net::Headers headers, std::string body) {
    return send_from(shared_from_this(), std::move(source), std::move(event), std::move(url), std::move(headers),
                     std::move(body));
  }
  // The same without waiting (CMS events: the CMS does not wait for its subscribers).
  void post(std::string source, std::string event, std::string url, net::Headers headers, std::string body);

  // Every recorded delivery after `since` (a seq), oldest first, optionally of one source.
  boost::json::array deliveries_json(std::uint64_t since, const std::optional<std::string>& source) const;
  void clear() { log_.clear(); }

 private:
  static boost::asio::awaitable<WebhookDelivery> send_from(std::shared_ptr<WebhookSender> self, std::string source,
                                                           std::string event, std::string url, net::Headers headers,
                                                           std::string body);
  boost::asio::any_io_executor executor_;
  std::unique_ptr<net::BeastHttpClient> client_;
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
  std::deque<WebhookDelivery> log_;
};

}  // namespace feedsync::sim
