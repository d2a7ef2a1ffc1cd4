#include "cms/cms_transport.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "cms/problem_details.hpp"

namespace feedsync::cms {

std::string cms_url(std::string_view base_url, std::initializer_list<std::string_view> segments,
                    std::initializer_list<std::pair<std::string_view, std::string_view>> query) {
  // The base URL was validated when the configuration loaded.
  boost::urls::url url = boost::urls::parse_absolute_uri(base_url).value();
  auto path = url.segments();
  if (!path.empty() && path.back().empty()) path.pop_back();
  for (auto segment : segments) path.push_back(segment);
  auto params = url.params();
  params.clear();
  for (const auto& [name, value] : query) params.append({name, value});
  if (query.size() == 0) url.remove_query();
  return std::string(url.buffer());
}

CmsTransport::CmsTransport(net::HttpClient& http, TokenSource& tokens, TransportOptions options)
    : http_(http), tokens_(tokens), options_(options) {}

boost::asio::awaitable<Expected<net::Response, CmsError>> CmsTransport::send(net::Request request,
                                                                            std::string context) {
  request.headers.set("Accept", "application/json");
  if (request.timeout == std::chrono::milliseconds::zero()) request.timeout = options_.timeout;
  if (request.max_body == 0) request.max_body = options_.max_body;
  bool refreshed = false;
  for (;;) {
    auto token = co_await tokens_.token();
    if (!token) {
      CmsError error = std::move(token.error());
      error.message = context + ": " + error.message;
      co_return unexpected(std::move(error));
    }
    request.headers.set("Authorization", "Bearer " + *token);
    net::Request attempt = request;
    net::Result result = co_await http_.send(std::move(attempt));
    if (!result) co_return unexpected(error_from_failure(result.error(), context));
    if (result->status != 401) co_return std::move(*result);
    if (refreshed) {
      CmsError error = error_from_response(*result, context);
      error.message += " (with a freshly issued token: check the API client's access to the CMS)";
      co_return unexpected(std::move(error));
    }
    // Expired or revoked early: one new token, one more try (DESIGN.md §4).
    tokens_.invalidate(*token);
    refreshed = true;
  }
}

}  // namespace feedsync::cms
