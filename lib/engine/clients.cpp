#include "engine/clients.hpp"

#include "cms/sink_factory.hpp"

namespace feedsync::engine {

feed::FeedClientOptions feed_client_options(const config::Config& config) {
  feed::FeedClientOptions options;
  options.base_url = config.source.base_url;
  options.page_size = config.source.page_size;
  options.index_page_size = config.source.index_page_size;
  options.timeout = config.source.timeout;
  for (const auto& [name, value] : config.source.headers) options.extra_headers.add(name, value);
  return options;
}

Clients::Clients(boost::asio::any_io_executor executor, const config::Config& config, const Clock& clock,
                 HttpObservers observers)
    : stack(std::make_unique<HttpStack>(executor, config, clock, std::move(observers))),
      http(stack->client()),
      feeds(http, feed_client_options(config)),
      tokens(http, clock, cms::token_options(config.cms)),
      sink(cms::make_cms_sink(http, tokens, cms::cms_client_options(config.cms, clock))),
      canonical(http, cms::canonical_client_options(config.canonical)) {}

Clients::Clients(net::HttpClient& given, const config::Config& config, const Clock& clock,
                 std::shared_ptr<cms::CmsSink> cms_sink)
    : http(given),
      feeds(http, feed_client_options(config)),
      tokens(http, clock, cms::token_options(config.cms)),
      sink(std::move(cms_sink)),
      canonical(http, cms::canonical_client_options(config.canonical)) {}

}  // namespace feedsync::engine
