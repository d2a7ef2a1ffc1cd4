#include "cms/canonical_client.hpp"

#include <initializer_list>
#include <string_view>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include "cms/problem_details.hpp"
#include "core/pixel_key.hpp"
#include "core/strings.hpp"

namespace feedsync::cms {
namespace urls = boost::urls;

namespace {

// What CMP said, if it said anything readable (JSON error members or a short text line).
std::string server_words(const net::Response& response) {
  if (auto problem = parse_problem(response.body)) {
    std::string words = problem->code;
    const std::string& text = problem->detail.empty() ? problem->title : problem->detail;
    if (!text.empty()) words += (words.empty() ? "" : ": ") + text;
    return clip(words, 300);
  }
  auto type = response.headers.get("Content-Type");
  if (type && istarts_with_ascii(*type, "text/plain")) {
    const std::string_view body = response.body;
    return clip(body.substr(0, body.find_first_of("\r\n")), 200);
  }
  return {};
}

std::string host_of(std::string_view url) {
  auto parsed = urls::parse_absolute_uri(url);
  return parsed ? std::string(parsed->encoded_host()) : std::string(url);
}

bool says(const std::string& said, std::initializer_list<std::string_view> words) {
  for (auto word : words)
    if (said.find(word) != std::string::npos) return true;
  return false;
}

// A 4xx is a configuration problem. Say which one only as far as the answer tells: the service's
// own words are in the message already, and a wrong guess ("allowed domains" for a link CMP
// found malformed) sends the operator to the wrong screen.
std::string hint(int status, const std::string& words, const CanonicalPost& post, const std::string& key) {
  const std::string said = ascii_lower(words);
  const std::string host = host_of(post.canonical_url);
  if (says(said, {"domain", "whitelist", "allowlist"}))
    return "CMP does not accept the domain " + host +
           ": add it to the organisation's allowed domains in CMP, or fix canonical.url_template";
  if (status == 403)
    return "CMP refused the link: check that " + host +
           " is among the organisation's allowed domains in CMP and that canonical.endpoint is right";
  if (status == 404 || says(said, {"pixel"}))
    return "CMP does not know the tracking pixel key " + key +
           " (is the article from this organisation?), or canonical.endpoint is wrong";
  if (says(said, {"canonical-link", "canonical_link"}))
    return "CMP rejected the link " + post.canonical_url +
           ": check canonical.url_template (it must give the article's absolute http(s) URL)";
  if (status == 401)
    return "the endpoint asks for credentials, which the canonical-link endpoint does not take: check "
           "canonical.endpoint";
  if (status == 400 || status == 422)
    return "CMP refused the request: check canonical.url_template and canonical.endpoint";
  return "check canonical.endpoint";
}

}  // namespace

CanonicalClientOptions canonical_client_options(const config::CanonicalConfig& canonical) {
  CanonicalClientOptions options;
  options.endpoint = canonical.endpoint;
  return options;
}

CanonicalClient::CanonicalClient(net::HttpClient& http, CanonicalClientOptions options)
    : http_(http), options_(std::move(options)) {}

Expected<std::string, std::string> CanonicalClient::request_url(std::string_view canonical_url,
                                                                std::string_view pixel_key) const {
  auto parsed = urls::parse_absolute_uri(options_.endpoint);
  if (!parsed) return unexpected("canonical.endpoint '" + options_.endpoint + "' is not an absolute URL");
  urls::url url(*parsed);
  // Whole-component encoding: the link is one opaque value, not a URL to keep readable.
  const std::string link = urls::encode(canonical_url, urls::unreserved_chars);
  const std::string key = urls::encode(pixel_key, urls::unreserved_chars);
  auto params = url.encoded_params();
  params.append({urls::pct_string_view("canonical_link"), urls::make_pct_string_view(link).value()});
  params.append({urls::pct_string_view("tracking_pixel_key"), urls::make_pct_string_view(key).value()});
  return std::string(url.buffer());
}

boost::asio::awaitable<Expected<CanonicalOutcome, CmsError>> CanonicalClient::post(CanonicalPost post) {
  const std::string ctx = "canonical link post-back of " + describe(post.article) + " (" + post.canonical_url + ")";
  const auto key = normalize_pixel_key(post.pixel_key);
  if (!key) co_return unexpected(make_error(CmsErrorKind::permanent, ctx + ": the article has no tracking pixel key"));
  auto url = request_url(post.canonical_url, *key);
  if (!url) co_return unexpected(make_error(CmsErrorKind::permanent, ctx + ": " + url.error()));

  net::Request request;
  request.method = net::Method::get;
  request.url = std::move(*url);
  request.timeout = options_.timeout;
  request.max_body = 64 * 1024;
  net::Result result = co_await http_.send(std::move(request));
  if (!result) co_return unexpected(error_from_failure(result.error(), ctx));

  const net::Response& response = *result;
  if (response.status >= 200 && response.status <= 299) co_return CanonicalOutcome{response.status, post.canonical_url};
  CmsError error;
  error.status = response.status;
  if (auto wait = response.headers.get("Retry-After")) error.retry_after = std::string(*wait);
  std::string message = ctx + ": HTTP " + std::to_string(response.status);
  const std::string words = server_words(response);
  if (!words.empty()) message += " (" + words + ")";
  const net::Disposition disposition = net::classify_status(response.status);
  if (disposition == net::Disposition::retryable) {
    error.kind = CmsErrorKind::retryable;
  } else if (response.status >= 300 && response.status <= 399) {
    error.kind = CmsErrorKind::permanent;
    message += ": the endpoint redirects";
    if (auto location = response.headers.get("Location")) message += " to " + clip(*location, 200);
    message += "; check canonical.endpoint";
  } else {
    // Every other answer (401 included: the endpoint takes no credentials) is configuration.
    error.kind = CmsErrorKind::permanent;
    message += ": " + hint(response.status, words, post, *key);
  }
  error.message = std::move(message);
  co_return unexpected(std::move(error));
}

}  // namespace feedsync::cms
