#pragma once
// Everything the engine talks to the outside world through, built from one configuration and
// owned together: the HTTP stack, the Feed API client, the CMS token source and sink, and the
// canonical-link client. A reload builds a new set (SyncEngine's ClientsFactory); the old one
// lives on (shared_ptr) until the polls and CMS calls still using it have finished.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "cms/canonical_client.hpp"
#include "cms/cms_sink.hpp"
#include "cms/token_source.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "engine/http_stack.hpp"
#include "feed/feed_client.hpp"
#include "net/http_client.hpp"

namespace feedsync::engine {

feed::FeedClientOptions feed_client_options(const config::Config& config);

struct Clients {
  // The daemon's: every client over the HTTP stack built from `config` (http_stack.hpp).
  Clients(boost::asio::any_io_executor executor, const config::Config& config, const Clock& clock,
          HttpObservers observers = {});
  // Every client over `http` (which must outlive them), CMS writes through `sink`: for tests,
  // which hand in fakes of both.
  Clients(net::HttpClient& http, const config::Config& config, const Clock& clock, std::shared_ptr<cms::CmsSink> sink);
  Clients(const Clients&) = delete;
  Clients& operator=(const Clients&) = delete;

  std::unique_ptr<HttpStack> stack;  // null when built over a given client
  net::HttpClient& http;             // what every client below sends through
  feed::FeedClient feeds;
  cms::TokenSource tokens;
  std::shared_ptr<cms::CmsSink> sink;
  cms::CanonicalClient canonical;
};

}  // namespace feedsync::engine
