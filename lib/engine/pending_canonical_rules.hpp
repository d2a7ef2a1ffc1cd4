#pragma once
// The pending canonical check's rules (issue 19): which articles feedsync left unpublished in the
// CMS (publish: draft | ready, a review, a scheduled time) are due for a look at the CMS, and what
// the CMS's answer means for the store. Apart from the calls and the commit that carry them out.
// Pure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/relay_rules.hpp"

namespace feedsync::engine {

// The CMS statuses (cms::to_string(WriteStatus)) of a version that may become published without
// feedsync writing again: an editor publishes a draft, a ready or a reviewed version, or the
// scheduled time passes.
const std::vector<std::string_view>& pending_cms_statuses();

// Whether `row` waits for its canonical link: it is live in the feed, has a pixel key (CMP has
// something to release) and the version feedsync last wrote is in a pending status.
bool awaits_publication(const store::ArticleRow& row);

// When an article was last asked about, and when its scheduled version goes live if known.
struct CheckState {
  std::optional<std::int64_t> last_checked;  // unix ms; nullopt: never since the daemon started
  std::optional<std::int64_t> publish_at;    // unix ms
};

// How long after a scheduled time the CMS is asked: its scheduler need not be exact.
inline constexpr std::chrono::milliseconds kAfterScheduledTime{2000};

// Whether the article is due for a look at `now`: never asked yet, or `interval` since the last
// look, or its scheduled time (plus kAfterScheduledTime) passed since the last look.
bool check_due(const CheckState& state, std::int64_t now, std::chrono::milliseconds interval);

// The next time anything in `states` becomes due (for the timer); nullopt when `states` is empty.
std::optional<std::int64_t> next_check_at(const std::vector<CheckState>& states, std::chrono::milliseconds interval);

// The CMS's published version of the article's locale, as listed.
struct PublishedVersion {
  std::string version;
  std::optional<std::string> route_segment;
};

// What the check records for the answer `published` (nullopt: still not published). `row` is the
// article as the store holds it at the commit: if it no longer awaits publication (deleted, or the
// relay wrote a published version meanwhile) nothing is recorded. Otherwise exactly what the relay
// records after its own publish (after_upsert): the version, cms_status "published", the route
// segment and the canonical link to post.
AfterUpsert after_published_check(std::optional<store::ArticleRow> row,
                                  const std::optional<PublishedVersion>& published, cms::CanonicalVars link,
                                  const CanonicalRule& rule, std::int64_t now);

}  // namespace feedsync::engine
