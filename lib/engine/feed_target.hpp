#pragma once
// What a configured feed means for the pure parts: its mapping spec (core does not know the
// config types) and where its articles go in the CMS.

#include <string>

#include "config/config.hpp"
#include "core/mapping.hpp"
#include "core/mapping_payload.hpp"

namespace feedsync::engine {

MappingSpec mapping_spec(const config::FeedConfig& feed);
// The payload target of one article: its deterministic content key plus the feed's target.
PayloadTarget payload_target(const config::FeedConfig& feed, const std::string& guid);

}  // namespace feedsync::engine
