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

asio::awaitable<Expected<std::optional<ContentTypeDefinition>, CmsError>> SchemaReader::content_type(
    const std::string& key) {
  if (auto known = types_.find(key); known != types_.end()) co_return known->second;
  const std::string context = "CMS read of content type " + key;
  auto body = co_await read(content_type_request(base_url_, key), context);
  if (!body) co_return unexpected(std::move(body.error()));
  std::optional<ContentTypeDefinition> type;
  if (*body) {
    auto parsed = parse_definition<ContentTypeDefinition>(**body, context, &read_content_type);
    if (!parsed) co_return unexpected(std::move(parsed.error()));
    type = std::move(*parsed);
  }
  types_[key] = type;
  co_return type;
}

asio::awaitable<Expected<std::optional<LocaleDefinition>, CmsError>> SchemaReader::locale(const std::string& key) {
  if (auto known = locales_.find(key); known != locales_.end()) co_return known->second;
  const std::string context = "CMS read of locale " + key;
  auto body = co_await read(locale_request(base_url_, key), context);
  if (!body) co_return unexpected(std::move(body.error()));
  std::optional<LocaleDefinition> locale;
  if (*body) {
    auto parsed = parse_definition<LocaleDefinition>(**body, context, &read_locale);
    if (!parsed) co_return unexpected(std::move(parsed.error()));
    locale = std::move(*parsed);
  }
  locales_[key] = locale;
  co_return locale;
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
