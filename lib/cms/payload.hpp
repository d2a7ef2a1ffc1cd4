#pragma once
// The article's document (core/outbox_payload.hpp) as one upsert writes it: with the status its
// version is to reach. Pure.

#include <cstdint>
#include <string>

#include "core/outbox_payload.hpp"

namespace feedsync::cms {

struct Payload : ArticleDocument {
  // The version status the feed's publish mode asks for: immediate -> "published",
  // draft -> "draft", ready -> "ready"; RestCmsSink turns "published" into "scheduled" while
  // publish_at is ahead (status_at()).
  std::string target_status;
};

Payload payload_for(ArticleDocument document);

// The status to write at `now_ms`: "scheduled" for a publish whose time is still ahead, else
// target_status (a time already past publishes at once, as the CMS itself would).
std::string status_at(const Payload& payload, std::int64_t now_ms);

}  // namespace feedsync::cms
