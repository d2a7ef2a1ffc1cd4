#pragma once
// feeds[].translations: group (issue 23): the words of its errors. Which item an article goes to
// is engine/feed_target.hpp's; how the relay deletes a translation is outbox_relay.cpp's.

#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/mapping.hpp"

namespace feedsync::engine {

// Where the feed's locale_map is written ("feedsync.yaml:23"), or "" when unknown.
std::string locale_map_line(const config::FeedConfig& feed);

// The mapping errors as one message. With translations: group an error about the locale (the
// article's lang_code maps to no locale of locale_map) also names the config line of locale_map,
// where the fix goes.
std::string with_locale_map_line(const config::FeedConfig& feed, const std::vector<MappingError>& errors);

// A second translation of a group mapping to a locale another one holds.
std::string locale_clash_message(const config::FeedConfig& feed, const std::string& guid, const std::string& locale,
                                 const std::string& group_id, const std::string& holder);

}  // namespace feedsync::engine
