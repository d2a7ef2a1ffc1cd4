#pragma once
// What a Feed API v2 page says, as the planner needs it (DESIGN.md §4). Pure data.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace feedsync {

// One entry as identified by an index poll (fields=guid,modified_at) or a full fetch.
// The entry-level modified_at describes the article's placement in this feed, the content-level
// one the article itself; the documents do not say which one sort_by=modified_at orders by, so
// both are kept and either changing means "changed" (DESIGN.md §4, step 1). An absent timestamp
// is 0; at least one of the two is present in every accepted entry.
struct IndexEntry {
  std::string guid;
  std::int64_t entry_modified_at = 0;    // unix ms UTC
  std::int64_t content_modified_at = 0;  // unix ms UTC
  // The later of the two: what the incremental poll compares with the watermark.
  std::int64_t newest_modified_at() const {
    return entry_modified_at > content_modified_at ? entry_modified_at : content_modified_at;
  }
  bool operator==(const IndexEntry&) const = default;
};

// A full entry: its identity plus the whole `content` object, which the field mapping reads.
struct FeedEntry {
  IndexEntry index;
  boost::json::object content;
};

// An entry the parser had to skip: without a usable guid or modified_at the planner cannot
// reason about it safely. Logged and counted, never acted on.
struct RejectedEntry {
  std::size_t position = 0;  // 0-based position within the page
  std::string guid;          // empty when the guid itself was the problem
  std::string reason;
};

struct FeedPage {
  std::optional<std::string> title;
  std::optional<std::int64_t> modified_at;  // the envelope's top-level modified_at
  // How many entries the page held, accepted or not: a page is short (the feed ended) only when
  // this is below the page size. Counting rejected entries too keeps one bad entry from ending
  // a scan early.
  std::size_t raw_entry_count = 0;
  // How the entries were shaped, for the answers the Feed API document leaves open (issue 17):
  // content keys beyond guid and modified_at (`fields` not honoured on an index page), entries
  // without the entry-level modified_at, entries without the `content` wrapper (guid and
  // modified_at at the entry's top level).
  bool extra_content_fields = false;
  bool entry_modified_at_missing = false;
  bool content_wrapper_missing = false;
  std::vector<IndexEntry> entries;
  std::vector<FeedEntry> full_entries;  // filled only when the caller asked for content
  std::vector<RejectedEntry> rejected;
};

}  // namespace feedsync
