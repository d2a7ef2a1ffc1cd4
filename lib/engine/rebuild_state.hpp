#pragma once
// `feedsyncd audit --rebuild-state` (issue 22): the state database was lost (a restored backup,
// a new machine) and is rebuilt from the feeds and the CMS without a single CMS write. A full
// poll cycle per feed records every article and queues its upsert as on a first run (nothing is
// sent: no relay runs); then each queued upsert whose item the CMS already holds, under the
// deterministic key, in the feed's container, with the document's content, is adopted: the row
// takes the CMS's version, status and route segment, and the op is completed. The canonical link
// of a live article counts as posted when the feed shows CMP has it (the entry's
// customer_canonical_link is the URL feedsync would post); otherwise it is queued, as the relay
// queues it after a publish, and the next run posts it. What cannot
// be adopted (no item, other content, another container) stays queued for the next `once` or
// `run`, which writes it under the same key: never a duplicate.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cms/audit_reader.hpp"
#include "config/config.hpp"
#include "core/feed_entry.hpp"
#include "store/store.hpp"

namespace feedsync::engine {

struct AdoptionReport {
  std::string feed;
  std::int64_t adopted = 0;
  std::int64_t canonical_queued = 0;    // adopted live articles whose link CMP does not have
  std::int64_t left = 0;                // queued for the next once/run to write
  std::vector<std::string> left_notes;  // "guid G: why", for the first few
  std::string error;                    // a CMS read failed: nothing more adopted for the feed
};

// guid -> the feed entry's customer_canonical_link (the link CMP has), for the entries that have one.
using CanonicalLinks = std::map<std::string, std::string>;

// Adopts `ops` (claimed, in flight, all of feed `feed`) as described above; every op not adopted
// is put back to pending, due at `now`. `links`: what CMP has (see CanonicalLinks).
boost::asio::awaitable<AdoptionReport> adopt_queued(config::FeedConfig feed, config::CanonicalConfig canonical,
                                                    std::vector<store::OutboxOp> ops, CanonicalLinks links,
                                                    store::Store& store, cms::AuditReader& reader, std::int64_t now);

// The customer_canonical_link of each fetched entry that has one.
CanonicalLinks canonical_links(const std::vector<FeedEntry>& entries);

}  // namespace feedsync::engine
