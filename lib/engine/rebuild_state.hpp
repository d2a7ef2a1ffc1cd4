#pragma once
// `feedsyncd audit --rebuild-state` (issue 22): the state database was lost (a restored backup,
// a new machine) and is rebuilt from the feeds and the CMS without a single CMS write. A full
// poll cycle per feed records every article and queues its upsert as on a first run (nothing is
// sent: no relay runs); then each queued upsert whose item the CMS already holds, under the
// deterministic key, in the feed's container, with the document's content, is adopted: the row
// takes the CMS's version, status and route segment, the op is completed, and the canonical link
// counts as posted (the item is live, so the feedsync that published it told CMP). What cannot
// be adopted (no item, other content, another container) stays queued for the next `once` or
// `run`, which writes it under the same key: never a duplicate.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cms/audit_reader.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace feedsync::engine {

struct AdoptionReport {
  std::string feed;
  std::int64_t adopted = 0;
  std::int64_t left = 0;                // queued for the next once/run to write
  std::vector<std::string> left_notes;  // "guid G: why", for the first few
  std::string error;                    // a CMS read failed: nothing more adopted for the feed
};

// Adopts `ops` (claimed, in flight, all of feed `feed`) as described above; every op not adopted
// is put back to pending, due at `now`.
boost::asio::awaitable<AdoptionReport> adopt_queued(config::FeedConfig feed, config::CanonicalConfig canonical,
                                                    std::vector<store::OutboxOp> ops, store::Store& store,
                                                    cms::AuditReader& reader, std::int64_t now);

}  // namespace feedsync::engine
