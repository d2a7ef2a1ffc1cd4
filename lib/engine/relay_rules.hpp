#pragma once
// The outbox relay's rules for what a CMS write means for the store (DESIGN.md §4 relay table),
// apart from the calls and the commit that carry them out. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cms/canonical_url.hpp"
#include "cms/cms_sink.hpp"
#include "config/config.hpp"
#include "core/outbox_payload.hpp"
#include "store/rows.hpp"

namespace feedsync::engine {

// How one attempt at an outbox op ended, for metrics (RelayOptions::on_outcome).
enum class RelayResult {
  success,
  retry,        // a retryable failure: the op is due again after a backoff
  dead_letter,  // a permanent failure
  auth,         // refused for want of a usable token: the op waits for the credentials
};
std::string_view to_string(RelayResult result);  // "success", "retry", "dead_letter", "auth"

// The route segment a version is sent with (issue 16, feeds[].route_segment). A new item
// (`known` false, or nothing `stored` yet) takes the mapped one. Later versions:
//   keep    the segment the CMS recorded for the item (`stored`, from the article's row),
//           whatever the title became: CMP holds the canonical link built from it, and a segment
//           recomputed from a new title could also collide with another item's;
//   follow  the mapped one, unless `stored` is the mapped one made unique for this item
//           (cms::deduplicated_route_segment): that collision was resolved once and stays so.
// A document without a route segment (the mapping has none) is left to the CMS.
void choose_route_segment(ArticleDocument& document, const std::optional<std::string>& stored, bool known,
                          config::RouteSegmentMode mode);

// The journal's word for an upsert the CMS took: undeleted, else created or updated.
store::JournalAction upsert_action(bool undelete, bool created);

// canonical.enabled and canonical.url_template.
struct CanonicalRule {
  bool enabled = true;
  std::string_view url_template;
};

// The canonical URL's placeholders for an article, filled the same way on every path that posts
// its link (the relay after its own write, the pending canonical check after a later publish,
// `rebuild-state`): the CMS locale and key, the CMP guid and the feed entry's meta_url ("" when
// the entry had none). {route_segment} is after_upsert's, from the CMS's answer.
cms::CanonicalVars canonical_vars(std::string locale, std::string key, std::string guid,
                                  const std::optional<std::string>& meta_url);

// What the relay records once the CMS took an article's upsert.
struct AfterUpsert {
  // The row with the version written, its CMS status and the CMS's route segment; nullopt when
  // the store no longer has the article.
  std::optional<store::ArticleRow> row;
  // Tell CMP this URL (unless another feed's item of the same article holds the pixel key's link,
  // which only the store can say).
  std::optional<CanonicalPayload> canonical;
  // A published article whose canonical URL cannot be built: why.
  std::optional<std::string> canonical_error;
};

// `row`: the article as the store holds it now (a poll may have recorded a newer change while the
// CMS call was out: only what this write decided is set on it). `link`: the canonical URL's
// placeholders; its route_segment is taken from `outcome`. A canonical link is posted for a
// published version of an article with a pixel key, when its URL is not the one CMP has. The row
// keeps the link's meta_url and, while the version is scheduled, its publish time (for the
// pending canonical check).
AfterUpsert after_upsert(std::optional<store::ArticleRow> row, const cms::WriteOutcome& outcome,
                         cms::CanonicalVars link, const CanonicalRule& rule, std::int64_t now);

// The outbox op that posts `link` back to CMP for the feed's article: the relay after a publish,
// the pending check after an editor's publish, the rebuild for a link CMP lacks. Its payload hash
// is the URL, so an op for the same URL coalesces with one already queued.
store::OutboxOp canonical_op(std::string feed, std::string guid, const CanonicalPayload& link);

}  // namespace feedsync::engine
