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
  return {content_key(feed.name, guid, feed.key_namespace), feed.content_type, feed.container,
          std::string(config::to_string(feed.publish))};
}

}  // namespace feedsync::engine
