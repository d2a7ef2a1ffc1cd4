#pragma once
// The document the CMS would be sent for one article, and its hash: the same hash as the last
// payload pushed means nothing to do (DESIGN.md §4, step 4). Pure.

#include <string>

#include "core/mapping.hpp"
#include "core/outbox_payload.hpp"

namespace feedsync {

// Where and how the payload goes: the feed's configuration and the article's content key.
struct PayloadTarget {
  std::string key;           // content_key(feed, guid)
  std::string content_type;  // feeds[].content_type
  std::string container;     // feeds[].container
  std::string publish;       // feeds[].publish: "immediate" | "draft" | "ready"
};

// The mapped article at its target (rich-text names sorted, so their order in the mapping does
// not matter). Its JSON (to_json, core/outbox_payload.hpp) holds everything that changes what
// the CMS holds, so a change of mapping, content type, container, publish mode or publish time
// makes the article "changed", as it should.
ArticleDocument article_document(const MappedPayload& payload, const PayloadTarget& target);

// sha256_hex(canonical_json(to_json(document))): independent of property order and of the
// process (no pointers, no hash seeds, no locale).
std::string payload_hash(const ArticleDocument& document);

}  // namespace feedsync
