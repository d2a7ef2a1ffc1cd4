#include "engine/feed_target.hpp"

#include "core/content_key.hpp"

namespace feedsync::engine {

MappingSpec mapping_spec(const config::FeedConfig& feed) {
  MappingSpec spec;
  spec.feed = feed.name;
  spec.display_name = feed.mapping.display_name.text;
  if (feed.mapping.route_segment) spec.route_segment = feed.mapping.route_segment->text;
  for (const auto& [name, expr] : feed.mapping.properties) spec.properties.emplace_back(name, expr.text);
  spec.locale = feed.locale;
  spec.locale_map = feed.locale_map;
  spec.publish_at = feed.scheduled_publish_at();
  return spec;
}

PayloadTarget payload_target(const config::FeedConfig& feed, const std::string& guid) {
  return payload_target(feed, guid, std::nullopt);
}

std::string article_content_key(const config::FeedConfig& feed, const std::string& guid,
                                const std::optional<std::string>& group_id) {
  if (feed.translations == config::Translations::group && group_id && !group_id->empty())
    return group_content_key(feed.name, *group_id, feed.key_namespace);
  return content_key(feed.name, guid, feed.key_namespace);
}

PayloadTarget payload_target(const config::FeedConfig& feed, const std::string& guid,
                             const std::optional<std::string>& group_id) {
  return {article_content_key(feed, guid, group_id), feed.content_type, feed.container,
          std::string(config::to_string(feed.publish))};
}

}  // namespace feedsync::engine
