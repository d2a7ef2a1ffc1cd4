#pragma once
// What a configured feed means for the pure parts: its mapping spec (core does not know the
// config types) and where its articles go in the CMS.

#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/mapping.hpp"
#include "core/mapping_payload.hpp"

namespace feedsync::engine {

MappingSpec mapping_spec(const config::FeedConfig& feed);
// The payload target of one article: its deterministic content key plus the feed's target.
PayloadTarget payload_target(const config::FeedConfig& feed, const std::string& guid);
// The same for an article with its CMP group_id: with translations: group (issue 23) the group's
// item (an article without a group_id is a group of its own); otherwise exactly the above.
PayloadTarget payload_target(const config::FeedConfig& feed, const std::string& guid,
                             const std::optional<std::string>& group_id);
// The content key alone, by the same rule.
std::string article_content_key(const config::FeedConfig& feed, const std::string& guid,
                                const std::optional<std::string>& group_id);

}  // namespace feedsync::engine
