#include "engine/http_stack.hpp"

#include <map>

#include "net/beast_client.hpp"
#include "net/retrying_client.hpp"

namespace feedsync::engine {

struct HttpStack::Parts {
  std::unique_ptr<net::BeastHttpClient> wire;
  std::unique_ptr<net::RetryingHttpClient> retrying;
};

namespace {

std::size_t burst_for(Rate rate) {
  // One second's worth, at least one: short bursts are fine, sustained rate is what is limited.
  return rate.unlimited() ? 1 : static_cast<std::size_t>(std::max(1.0, rate.per_second));
}

}  // namespace

HttpStack::HttpStack(boost::asio::any_io_executor executor, const config::Config& config,
                     const Clock& clock)
    : parts_(std::make_unique<Parts>()) {
  net::ClientOptions wire;
  wire.request_timeout = std::max(config.source.timeout, config.cms.timeout);
  wire.max_connections_per_origin =
      static_cast<std::size_t>(std::max(4, config.cms.max_in_flight));
  wire.proxy = net::ProxySettings::from_environment();
  parts_->wire = std::make_unique<net::BeastHttpClient>(std::move(executor), std::move(wire));

  std::map<std::string, net::OriginLimits, std::less<>> limits;
  if (auto origin = net::origin_of(config.source.base_url)) {
    limits[*origin] = {config.source.rate_limit.per_second, burst_for(config.source.rate_limit), 0};
  }
  if (auto origin = net::origin_of(config.cms.base_url)) {
    limits[*origin] = {config.cms.rate_limit.per_second, burst_for(config.cms.rate_limit),
                       static_cast<std::size_t>(config.cms.max_in_flight)};
  }
  net::RetryingClientOptions retrying;
  retrying.limits = net::limits_table(std::move(limits));
  parts_->retrying = std::make_unique<net::RetryingHttpClient>(*parts_->wire, clock, std::move(retrying));
}

HttpStack::~HttpStack() = default;

net::HttpClient& HttpStack::client() { return *parts_->retrying; }

}  // namespace feedsync::engine
