#include "core/mapping_payload.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

#include "core/canonical_json.hpp"
#include "core/time.hpp"

namespace feedsync {

boost::json::object payload_document(const MappedPayload& payload, const PayloadTarget& target) {
  boost::json::object doc;
  doc["key"] = target.key;
  doc["contentType"] = target.content_type;
  doc["container"] = target.container;
  doc["locale"] = payload.locale;
  doc["displayName"] = payload.display_name;
  if (payload.route_segment) doc["routeSegment"] = *payload.route_segment;
  doc["properties"] = payload.properties;
  doc["publish"] = target.publish;
  // Only feeds that schedule carry it (null: this article has no time), so every other feed's
  // documents, and their hashes, stay as they were.
  if (payload.scheduling) {
    if (payload.publish_at_ms) {
      doc["publishAt"] = format_rfc3339_ms(*payload.publish_at_ms);
    } else {
      doc["publishAt"] = nullptr;
    }
  }
  if (!payload.rich_text.empty()) {
    std::vector<std::string> names = payload.rich_text;
    std::sort(names.begin(), names.end());
    boost::json::array list;
    for (const auto& name : names) list.emplace_back(name);
    doc["richText"] = std::move(list);
  }
  return doc;
}

std::string payload_hash(const MappedPayload& payload, const PayloadTarget& target) {
  return sha256_hex(canonical_json(payload_document(payload, target)));
}

}  // namespace feedsync
