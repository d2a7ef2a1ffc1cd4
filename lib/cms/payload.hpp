#pragma once
// The outbox payload document (core/mapping_payload.hpp: payload_document()) read back into the
// parts a CMS write needs. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/expected.hpp"

namespace feedsync::cms {

struct Payload {
  std::string key;
  std::string content_type;
  std::string container;
  std::string locale;  // "" for a content type that is not localized
  std::string display_name;
  std::optional<std::string> route_segment;
  boost::json::object properties;
  // The version status the feed's publish mode asks for: immediate -> "published",
  // draft -> "draft", ready -> "ready"; RestCmsSink turns "published" into "scheduled" while
  // publish_at is ahead (status_at()).
  std::string target_status;
  std::vector<std::string> rich_text;  // property names whose value is HTML
  // The document has "publishAt": the feed schedules. The time (null: none) as unix ms and as
  // the RFC 3339 text sent as delayPublishUntil.
  bool scheduling = false;
  std::optional<std::int64_t> publish_at_ms;
  std::string publish_at;

  bool is_rich_text(std::string_view property) const;
};

// Errors name the member that is missing or of the wrong type.
Expected<Payload, std::string> read_payload(const boost::json::object& document);

// The status to write at `now_ms`: "scheduled" for a publish whose time is still ahead, else
// target_status (a time already past publishes at once, as the CMS itself would).
std::string status_at(const Payload& payload, std::int64_t now_ms);

}  // namespace feedsync::cms
