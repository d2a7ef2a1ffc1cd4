#pragma once
// What `feedsyncd status` prints and `GET /status` serves: per feed, how syncing is going and
// what is stuck. Built from the configuration plus the state store; rendering is pure so the
// CLI and the HTTP endpoint say exactly the same thing.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "store/rows.hpp"

namespace feedsync::config { struct Config; }
namespace feedsync::store { class Store; }

namespace feedsync::ops {

struct FeedStatus {
  std::string name;
  std::string feed_id;
  bool configured = true;           // false: in the store but no longer in the configuration
  std::optional<Duration> interval;  // from the configuration
  std::optional<store::FeedRow> row;  // absent: never registered (daemon never ran with it)
  store::ArticleCounts articles;
  // Articles whose last write left them not published, by CMS status (of
  // kNotPublishedCmsStatuses: drafts, ready, in review i.e. waiting for approval, scheduled,
  // rejected); a status no article has is absent.
  std::map<std::string, std::int64_t, std::less<>> not_published;
  // Articles waiting for their canonical link (canonical.enabled; kAwaitingCanonicalCmsStatuses,
  // with a pixel key), and how long the oldest has waited since its row last changed.
  std::int64_t awaiting_canonical = 0;
  std::optional<std::int64_t> awaiting_canonical_age_ms;
  // Articles whose editor's version `audit --repair` kept (cms.on_cms_edit: keep, issue 22): CMP
  // changes to them are not written until `resync`.
  std::int64_t cms_edits_kept = 0;
  store::OutboxStats outbox;
  // One word an operator can act on, most urgent first: "misconfigured", "deletes-held",
  // "paused", "never-polled", "failing", "deleted-feed-failing", "stale", "ok",
  // "not-configured".
  std::string state;
  std::optional<std::int64_t> lag_ms;  // age of the oldest pending outbox operation
};

struct StatusReport {
  std::int64_t generated_at = 0;
  std::string state_path;
  bool database_exists = false;
  int schema_version = 0;
  std::vector<FeedStatus> feeds;          // configured feeds in config order, then removed ones
  std::vector<store::OutboxOp> dead_letters;
};

// `store` may be null: the database does not exist yet, every feed is "never polled".
StatusReport build_status(const config::Config& config, const store::Store* store,
                          std::int64_t now_ms);

std::string render_status_text(const StatusReport& report);
std::string render_status_json(const StatusReport& report);

}  // namespace feedsync::ops
