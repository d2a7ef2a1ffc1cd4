#pragma once
// Builds the CmsSink for `cms.api` (version2 | v1) from the configuration. The TokenSource is
// made separately and shared: /readyz and `status` read its state, and a SIGHUP reset()s it.

#include <memory>

#include "cms/cms_sink.hpp"
#include "cms/cms_transport.hpp"
#include "cms/rest_sink.hpp"
#include "cms/token_source.hpp"
#include "config/config.hpp"
#include "net/http_client.hpp"

namespace feedsync::cms {

struct CmsClientOptions {
  config::CmsApi api = config::CmsApi::version2;
  std::string base_url;  // e.g. http://127.0.0.1:PORT/_cms/version2 or .../v1 for the simulator
  TransportOptions transport;
  SinkOptions sink;
};

CmsClientOptions cms_client_options(const config::CmsConfig& cms);
// The same with the clock that decides whether a publish time is still ahead (default: the
// system clock); `clock` must outlive the sink.
CmsClientOptions cms_client_options(const config::CmsConfig& cms, const Clock& clock);

// `http` (normally the retrying decorator) and `tokens` must outlive the sink.
std::unique_ptr<RestCmsSink> make_cms_sink(net::HttpClient& http, TokenSource& tokens, CmsClientOptions options);

}  // namespace feedsync::cms
