#include "cms/schema_reader.hpp"

#include <boost/json/parse.hpp>

#include "cms/problem_details.hpp"

namespace feedsync::cms {
namespace asio = boost::asio;

namespace {

template <class T>
Expected<std::optional<T>, CmsError> parse_definition(const std::string& body, const std::string& context,
                                                      Expected<T, std::string> (*reader)(const boost::json::value&)) {
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  if (ec) return unexpected(make_error(CmsErrorKind::permanent, context + ": the answer is not JSON"));
  auto definition = reader(json);
  if (!definition) return unexpected(make_error(CmsErrorKind::permanent, context + ": " + definition.error()));
  return std::optional<T>(std::move(*definition));
}

}  // namespace

SchemaReader::SchemaReader(CmsTransport& transport, std::string base_url)
    : transport_(transport), base_url_(std::move(base_url)) {}

asio::awaitable<Expected<std::optional<std::string>, CmsError>> SchemaReader::read(net::Request request,
                                                                                   std::string context) {
  auto response = co_await transport_.send(std::move(request), context);
  if (!response) co_return unexpected(std::move(response.error()));
  if (response->status == 404) co_return std::optional<std::string>();
  if (response->status < 200 || response->status > 299) co_return unexpected(error_from_response(*response, context));
  co_return std::optional<std::string>(std::move(response->body));
}

template <class T>
asio::awaitable<Expected<std::optional<T>, CmsError>> SchemaReader::definition(
    std::map<std::string, std::optional<T>>& cache, std::string key, net::Request request,
    std::string context, Expected<T, std::string> (*reader)(const boost::json::value&)) {
  if (auto known = cache.find(key); known != cache.end()) co_return known->second;
  auto body = co_await read(std::move(request), context);
  if (!body) co_return unexpected(std::move(body.error()));
  std::optional<T> found;
  if (*body) {
    auto parsed = parse_definition<T>(**body, context, reader);
    if (!parsed) co_return unexpected(std::move(parsed.error()));
    found = std::move(*parsed);
  }
  cache[key] = found;
  co_return found;
}

asio::awaitable<Expected<std::optional<ContentTypeDefinition>, CmsError>> SchemaReader::content_type(
    const std::string& key) {
  return definition(types_, key, content_type_request(base_url_, key), "CMS read of content type " + key,
                    &read_content_type);
}

asio::awaitable<Expected<std::optional<LocaleDefinition>, CmsError>> SchemaReader::locale(const std::string& key) {
  return definition(locales_, key, locale_request(base_url_, key), "CMS read of locale " + key, &read_locale);
}

asio::awaitable<Expected<FeedTargetsInCms, CmsError>> SchemaReader::feed_targets(const config::FeedConfig& feed) {
  FeedTargetsInCms targets;
  auto type = co_await content_type(feed.content_type);
  if (!type) co_return unexpected(std::move(type.error()));
  targets.content_type = std::move(*type);
  auto container = co_await read(container_request(base_url_, feed.container),
                                 "CMS read of container " + feed.container + " (feed " + feed.name + ")");
  if (!container) co_return unexpected(std::move(container.error()));
  targets.container_found = container->has_value();
  for (const auto& key : target_locales(feed)) {
    auto found = co_await locale(key);
    if (!found) co_return unexpected(std::move(found.error()));
    targets.locales[key] = std::move(*found);
  }
  co_return targets;
}

}  // namespace feedsync::cms
