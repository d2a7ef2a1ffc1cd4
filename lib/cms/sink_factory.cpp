#include "cms/sink_factory.hpp"

namespace feedsync::cms {

CmsClientOptions cms_client_options(const config::CmsConfig& cms) {
  CmsClientOptions options;
  options.api = cms.api;
  options.base_url = cms.base_url;
  options.transport.timeout = cms.timeout;
  options.sink.verify_writes = cms.verify_writes;
  return options;
}

CmsClientOptions cms_client_options(const config::CmsConfig& cms, const Clock& clock) {
  CmsClientOptions options = cms_client_options(cms);
  options.sink.clock = &clock;
  return options;
}

std::unique_ptr<RestCmsSink> make_cms_sink(net::HttpClient& http, TokenSource& tokens, CmsClientOptions options) {
  auto dialect = options.api == config::CmsApi::v1 ? make_v1_dialect(options.base_url)
                                                   : make_flat_dialect(options.base_url);
  return std::make_unique<RestCmsSink>(std::move(dialect), CmsTransport(http, tokens, options.transport),
                                       options.sink);
}

}  // namespace feedsync::cms
