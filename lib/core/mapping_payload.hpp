#pragma once
// The document the CMS would be sent for one article, and its hash: the same hash as the last
// payload pushed means nothing to do (DESIGN.md §4, step 4). Pure.

#include <string>

#include <boost/json/object.hpp>

#include "core/mapping.hpp"

namespace feedsync {

// Where and how the payload goes: the feed's configuration and the article's content key.
struct PayloadTarget {
  std::string key;           // content_key(feed, guid)
  std::string content_type;  // feeds[].content_type
  std::string container;     // feeds[].container
  std::string publish;       // feeds[].publish: "immediate" | "draft" | "ready"
};

// In the flat model's field names:
//   {"key", "contentType", "container", "locale", "displayName", "routeSegment" (only when
//    set), "properties", "publish", "richText" (sorted property names, only when not empty),
//    "publishAt" (only for feeds that schedule: RFC 3339 UTC, or null for "no time")}
// Everything that changes what the CMS holds is in it, so a change of mapping, content type,
// container, publish mode or publish time makes the article "changed", as it should.
boost::json::object payload_document(const MappedPayload& payload, const PayloadTarget& target);

// sha256_hex(canonical_json(payload_document(...))): independent of property order and of the
// process (no pointers, no hash seeds, no locale).
std::string payload_hash(const MappedPayload& payload, const PayloadTarget& target);

}  // namespace feedsync
