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

const char* publish_name(config::PublishMode mode) {
  switch (mode) {
    case config::PublishMode::immediate: return "immediate";
    case config::PublishMode::draft: return "draft";
    case config::PublishMode::ready: return "ready";
  }
  return "immediate";
}

const char* delete_name(config::DeleteMode mode) {
  switch (mode) {
    case config::DeleteMode::soft: return "soft";
    case config::DeleteMode::permanent: return "permanent";
    case config::DeleteMode::keep: return "keep";
  }
  return "soft";
}

PayloadTarget payload_target(const config::FeedConfig& feed, const std::string& guid) {
  return {content_key(feed.name, guid, feed.key_namespace), feed.content_type, feed.container,
          publish_name(feed.publish)};
}

}  // namespace feedsync::engine
