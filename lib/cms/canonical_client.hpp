#pragma once
// The canonical-link post-back (api-notes.md "Canonical-link post-back", DESIGN.md §4 relay
// table): tells CMP where an article now lives, which releases its pending social posts.
//
//   GET {canonical.endpoint}?canonical_link=<absolute URL>&tracking_pixel_key=<bare pixel key>
//
// Both values are percent-encoded by Boost.URL as whole components (everything but unreserved
// characters), so "&", "?", "+", spaces and non-ASCII in the article URL cannot leak into the
// query's structure. Any 2xx is success (the body is unspecified). A 4xx (or a redirect) is a
// configuration problem: permanent, with the service's own words ({"error": {"code", "message"}})
// and a hint chosen from them and the status: allowed domains only for domain refusals and 403,
// the pixel key for 404, canonical.url_template for a rejected link. 5xx and network trouble are
// retryable; the HTTP decorator has already retried them in the short term.

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "config/config.hpp"
#include "core/expected.hpp"
#include "net/http_client.hpp"

namespace feedsync::cms {

struct CanonicalClientOptions {
  std::string endpoint = "https://js-snippets.optimizely.com/customer_canonical_link";
  std::chrono::milliseconds timeout{30'000};
};
CanonicalClientOptions canonical_client_options(const config::CanonicalConfig& canonical);

struct CanonicalPost {
  ArticleRef article;
  std::string canonical_url;  // render_canonical_url()
  std::string pixel_key;      // bare key or the whole pixel URL (core/pixel_key.hpp normalises)
};

struct CanonicalOutcome {
  int status = 0;
  std::string canonical_url;
};

class CanonicalClient {
 public:
  // `http` must outlive every post() in progress.
  CanonicalClient(net::HttpClient& http, CanonicalClientOptions options);

  // The request URL; the key must already be bare. Fails only for an endpoint that is not an
  // absolute URL (validated at configuration load).
  Expected<std::string, std::string> request_url(std::string_view canonical_url, std::string_view pixel_key) const;

  boost::asio::awaitable<Expected<CanonicalOutcome, CmsError>> post(CanonicalPost post);

 private:
  net::HttpClient& http_;
  CanonicalClientOptions options_;
};

}  // namespace feedsync::cms
