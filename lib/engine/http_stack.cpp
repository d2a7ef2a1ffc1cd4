#include "engine/http_stack.hpp"

#include <map>

#include "net/beast_client.hpp"
#include "net/circuit_breaking_client.hpp"
#include "net/retrying_client.hpp"

namespace feedsync::engine {

namespace {

// Times every attempt the retrying decorator makes and tells the observer.
class ObservedClient final : public net::HttpClient {
 public:
  ObservedClient(net::HttpClient& inner, const Clock& clock, HttpObservers::Attempt observer)
      : inner_(inner), clock_(clock), observer_(std::move(observer)) {}
  boost::asio::awaitable<net::Result> send(net::Request request) override {
    const auto start = clock_.steady_now();
    net::Request head;  // what the observer needs: method and URL, not the body
    head.method = request.method;
    head.url = request.url;
    auto result = co_await inner_.send(std::move(request));
    observer_(head, result, clock_.steady_now() - start);
    co_return result;
  }

 private:
  net::HttpClient& inner_;
  const Clock& clock_;
  HttpObservers::Attempt observer_;
};

std::size_t burst_for(Rate rate) {
  // One second's worth, at least one: short bursts are fine, sustained rate is what is limited.
  return rate.unlimited() ? 1 : static_cast<std::size_t>(std::max(1.0, rate.per_second));
}

}  // namespace

struct HttpStack::Parts {
  std::unique_ptr<net::BeastHttpClient> wire;
  std::unique_ptr<ObservedClient> observed;
  std::unique_ptr<net::CircuitBreakingClient> breakers;
  std::unique_ptr<net::RetryingHttpClient> retrying;
};

HttpStack::HttpStack(boost::asio::any_io_executor executor, const config::Config& config,
                     const Clock& clock, HttpObservers observers)
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
  retrying.on_report = std::move(observers.report);
  net::HttpClient* inner = parts_->wire.get();
  if (observers.attempt) {
    parts_->observed = std::make_unique<ObservedClient>(*parts_->wire, clock, std::move(observers.attempt));
    inner = parts_->observed.get();
  }
  // Under the retries, so that each attempt asks the origin's breaker (issue 15: retry storms).
  parts_->breakers = std::make_unique<net::CircuitBreakingClient>(*inner, clock);
  inner = parts_->breakers.get();
  parts_->retrying = std::make_unique<net::RetryingHttpClient>(*inner, clock, std::move(retrying));
}

HttpStack::~HttpStack() = default;

net::HttpClient& HttpStack::client() { return *parts_->retrying; }

}  // namespace feedsync::engine
