#pragma once
// Parses Feed API v2 JSON pages (DESIGN.md §4; api-notes.md "Feed API v2"). Tolerant where the
// documents are loose, strict where safety needs it:
//  - the page must be valid JSON with an "entries" array, else the whole page (and so the whole
//    poll) fails: a partial read must never look like "these articles vanished";
//  - each entry needs a usable content.guid and at least one usable modified_at (entry or
//    content level), else it is rejected with a reason and skipped; an entry without the
//    `content` wrapper but with a top-level guid is read as its own content (issue 17: nothing
//    in the document rules out a service that flattens field-limited entries);
//  - everything else is optional and unknown fields are ignored.

#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/feed_entry.hpp"

namespace feedsync::feed {

enum class ParseContent { no, yes };

// `body` is the response body of one page. The error names what was wrong (not the body).
Expected<FeedPage, std::string> parse_feed_page(std::string_view body, ParseContent content);

// The message of the documented error body {"error":{"code":"404","message":"..."}} ("code" may
// be a string or a number); nullopt when the body is not of that shape.
std::optional<std::string> parse_feed_error(std::string_view body);

}  // namespace feedsync::feed
