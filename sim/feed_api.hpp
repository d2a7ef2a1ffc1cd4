#pragma once
// The CMP side of the wire: Feed API v2 (GET /v2/feed/{id}) and the canonical-link post-back
// (GET /customer_canonical_link). Behaviour is documented in docs/simulator.md.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "net/server_message.hpp"
#include "sim/feed_render.hpp"
#include "sim/feed_store.hpp"
#include "sim/route_sink.hpp"
#include "sim/sim_clock.hpp"

namespace feedsync::sim {

struct CanonicalRecord {
  std::uint64_t seq = 0;
  std::string guid;
  std::string pixel_key;  // the bare key
  std::string canonical_link;
  std::int64_t at_ms = 0;
};

// `host` is allowed when it equals a domain or is a subdomain of one (case-insensitive); an
// empty list allows every host.
bool domain_allowed(std::string_view host, const std::vector<std::string>& allowed_domains);

class FeedApi {
 public:
  FeedApi(FeedStore& store, const SimClock& clock, std::vector<std::string> allowed_domains)
      : store_(store), clock_(clock), allowed_domains_(std::move(allowed_domains)) {}

  void add_routes(const RouteSink& sink);

  const FeedApiBehaviour& behaviour() const { return behaviour_; }
  void set_behaviour(FeedApiBehaviour behaviour) { behaviour_ = behaviour; }

  const std::vector<CanonicalRecord>& canonical_records() const { return records_; }
  void clear_canonical_records() { records_.clear(); }
  boost::json::array canonical_json() const;

 private:
  boost::asio::awaitable<net::ServerResponse> feed(net::ServerRequest request);
  boost::asio::awaitable<net::ServerResponse> canonical(net::ServerRequest request);
  net::ServerResponse render_feed(const net::ServerRequest& request);
  net::ServerResponse record_canonical(const net::ServerRequest& request);

  FeedStore& store_;
  const SimClock& clock_;
  std::vector<std::string> allowed_domains_;
  std::vector<CanonicalRecord> records_;
  std::uint64_t next_seq_ = 1;
  FeedApiBehaviour behaviour_;
};

}  // namespace feedsync::sim
