#pragma once
// The drift audit of one feed (issue 22, `feedsyncd audit`): the store's articles read back
// from the CMS through cms::AuditReader and judged by audit_rules.hpp, plus the orphans: items
// in the feed's container that carry a CMP guid (the property the mapping fills with `guid`)
// under a key the store does not know.

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cms/audit_reader.hpp"
#include "config/config.hpp"
#include "engine/audit_rules.hpp"
#include "store/rows.hpp"

namespace feedsync::engine {

struct AuditFinding {
  std::string feed;
  std::string guid;
  std::string key;
  AuditResult result = AuditResult::ok;
  std::string detail;  // what the CMS showed, e.g. "published version 12; feedsync wrote 7"
  std::optional<std::string> published_version;  // the version of the locale the CMS has live
};

struct AuditOrphan {
  std::string feed;
  std::string key;
  std::string guid;  // the value of the feed's guid property
  // Its key is the one feedsync derives for (feed, guid): --repair adopts it into the store.
  bool adoptable = false;
  std::optional<std::string> version;  // its published version
  std::optional<std::string> route_segment;
};

struct FeedAudit {
  std::string feed;
  AuditTally tally;
  std::vector<AuditFinding> findings;  // every audited article, ok ones too, in store order
  std::vector<AuditOrphan> orphans;
  // Why orphans were not looked for (no property maps `guid`), if so.
  std::optional<std::string> orphan_note;
  // The audit of this feed stopped: the CMS read that failed (names feed and request).
  std::optional<std::string> error;
  bool clean() const { return !error && tally.drift() == 0; }
};

// The property the feed's mapping fills with the CMP guid (expression exactly `guid`), if any.
std::optional<std::string> guid_property(const config::FeedConfig& feed);

// Called after each article: (articles done, articles to audit).
using AuditProgress = std::function<void(std::size_t, std::size_t)>;

// `rows`: the feed's articles in the store; `known_keys`: the CMS keys of every article of every
// feed (an item another feed owns is no orphan). Parameters by value (GCC 12 coroutines).
boost::asio::awaitable<FeedAudit> audit_feed(config::FeedConfig feed, std::vector<store::ArticleRow> rows,
                                             std::set<std::string> known_keys, cms::AuditReader& reader,
                                             AuditProgress progress);

}  // namespace feedsync::engine
