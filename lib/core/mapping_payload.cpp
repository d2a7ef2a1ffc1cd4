#include "core/mapping_payload.hpp"

#include <algorithm>

#include "core/canonical_json.hpp"

namespace feedsync {

ArticleDocument article_document(const MappedPayload& payload, const PayloadTarget& target) {
  ArticleDocument doc;
  doc.key = target.key;
  doc.content_type = target.content_type;
  doc.container = target.container;
  doc.locale = payload.locale;
  doc.display_name = payload.display_name;
  doc.route_segment = payload.route_segment;
  doc.properties = payload.properties;
  doc.publish = target.publish;
  doc.rich_text = payload.rich_text;
  std::sort(doc.rich_text.begin(), doc.rich_text.end());
  doc.scheduling = payload.scheduling;
  doc.publish_at_ms = payload.publish_at_ms;
  return doc;
}

std::string payload_hash(const ArticleDocument& document) {
  return sha256_hex(canonical_json(to_json(document)));
}

}  // namespace feedsync
