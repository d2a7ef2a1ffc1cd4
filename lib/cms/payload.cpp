#include "cms/payload.hpp"

namespace feedsync::cms {

Payload payload_for(ArticleDocument document) {
  Payload payload{std::move(document), ""};
  // "" counts as immediate, as in a stored document without "publish".
  const bool as_is = payload.publish == "draft" || payload.publish == "ready";
  payload.target_status = as_is ? payload.publish : "published";
  return payload;
}

std::string status_at(const Payload& payload, std::int64_t now_ms) {
  if (payload.target_status == "published" && payload.publish_at_ms && *payload.publish_at_ms > now_ms)
    return "scheduled";
  return payload.target_status;
}

}  // namespace feedsync::cms
