#pragma once
// The Feed API v2 client (DESIGN.md §4 steps 1-4): builds page URLs with Boost.URL, pages until
// the feed ends, and says precisely how much of the feed it saw. Nothing here decides what
// changed (core/planner.hpp) or writes state.
//
// Requests (api-notes.md "Feed API v2"):
//   index:  GET {base}/v2/feed/{id}?format=json&sort_by=modified_at&fields=guid,modified_at
//               &pagesize=P&offset=N
//   fetch:  GET {base}/v2/feed/{id}?format=json&sort_by=modified_at&pagesize=page_size&offset=N
// N is the number of entries received so far. The document names no maximum page size, so a
// page shorter than asked for may be a server-side cap, not the end: only an empty page ends a
// scan (issue 17). There is no cursor or total.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/expected.hpp"
#include "core/feed_entry.hpp"
#include "net/http.hpp"

namespace feedsync::net { class HttpClient; }

namespace feedsync::feed {

struct FeedClientOptions {
  std::string base_url = "https://api.optimizely.com";
  int page_size = 200;        // full-content pages
  int index_page_size = 999;  // guid/modified_at pages
  std::chrono::milliseconds timeout{30'000};  // per page request
  std::size_t max_body = 64 * 1024 * 1024;
  net::Headers extra_headers;  // source.headers from the configuration
  // No feed holds this many entries: a scan still going past it is a service that never sends
  // the empty page (an ignored offset on pages whose guids cannot be read), not a feed.
  std::int64_t max_scan_entries = 10'000'000;
};

enum class FeedErrorKind {
  not_found,    // 404: the feed id is unknown (a configuration problem; never "all deleted")
  http_status,  // any other non-2xx status
  network,      // no response (see message)
  malformed,    // the page is not a Feed API JSON page
};
const char* to_string(FeedErrorKind kind);

struct FeedError {
  FeedErrorKind kind = FeedErrorKind::network;
  int status = 0;       // for not_found / http_status
  std::string message;  // names the feed id and the page offset
};

// How the service answered where the Feed API document is silent (issue 17), as seen by one
// scan or fetch. Logged once per feed by the client and shown by `check --connect`.
struct FeedShape {
  std::size_t largest_page = 0;  // most entries one page held
  // A page shorter than asked for was followed by more entries: the service caps pages at
  // largest_page entries.
  bool capped = false;
  bool fields_ignored = false;            // index pages carried content beyond guid and modified_at
  bool entry_timestamps_missing = false;  // index entries without the entry-level modified_at
  bool content_wrapper_missing = false;   // index entries without the `content` object

  // One line per notable answer ("pages hold at most 233 entries (asked for 999)", ...); empty
  // when the service gave the answers the client asks for.
  std::vector<std::string> notes(int asked_page_size) const;
};

struct IndexScan {
  std::vector<IndexEntry> entries;  // in feed order, newest first
  std::vector<RejectedEntry> rejected;
  // Every page up to an empty page was read, and the feed did not change under the scan (the
  // envelope's modified_at was the same on every page). Only then may absence mean deletion.
  bool complete = false;
  bool reached_end = false;  // an empty page was read
  FeedShape shape;
  std::optional<std::int64_t> envelope_modified_at;  // from the first page
  int requests = 0;
};

// Entries whose newest modified_at is more than `skew_ms` ahead of `now_ms` move to
// `scan.rejected` (with their guid, so they are not taken for vanished): trusted, such a time
// (9999-12-31) would become the watermark and hide every later edit (issue 15). Returns how many.
inline constexpr std::int64_t kFutureSkewMs = 24 * 3600 * 1000;
std::size_t reject_future_entries(IndexScan& scan, std::int64_t now_ms, std::int64_t skew_ms = kFutureSkewMs);

struct FetchResult {
  std::vector<FeedEntry> entries;     // the wanted guids that were found (newest version)
  std::vector<std::string> missing;   // wanted but not in the feed any more (re-checked later)
  std::vector<RejectedEntry> rejected;
  int requests = 0;
  FeedShape shape;
};

class FeedClient {
 public:
  FeedClient(net::HttpClient& http, FeedClientOptions options);

  // Every page, for reconciliation and for feeds small enough to read whole on every poll.
  boost::asio::awaitable<Expected<IndexScan, FeedError>> full_index(std::string feed_id);
  // Newest first until an entry is older than watermark - overlap, a short page holding an entry
  // at or below the watermark, or an empty page. A short page whose entries are all newer than
  // the watermark does not end it: it may be a cap with more new entries behind it.
  boost::asio::awaitable<Expected<IndexScan, FeedError>> incremental_index(std::string feed_id,
                                                                            std::int64_t watermark_ms,
                                                                            std::int64_t overlap_ms);
  // Full content of `guids`, paging newest first until all are seen or an empty page.
  boost::asio::awaitable<Expected<FetchResult, FeedError>> fetch(std::string feed_id,
                                                                 std::vector<std::string> guids);

  // `check --connect`: the first index page and, when it is short but not empty, the next one,
  // which tells a page cap from the end of the feed. Reads at most two pages.
  boost::asio::awaitable<Expected<IndexScan, FeedError>> probe(std::string feed_id);

  // The notes of `shape` (FeedShape::notes) not returned before for this feed id: the poll logs
  // each once per client (a reload makes a new client, and logs them again).
  std::vector<std::string> new_shape_notes(const std::string& feed_id, const FeedShape& shape);

  const FeedClientOptions& options() const { return options_; }

  // The URL of one page (exposed for tests and `check --connect`).
  std::string page_url(const std::string& feed_id, int page_size, std::int64_t offset,
                       bool index_fields) const;

 private:
  boost::asio::awaitable<Expected<FeedPage, FeedError>> get_page(std::string feed_id, int page_size,
                                                                 std::int64_t offset, bool index_fields);
  struct WatermarkStop {
    std::int64_t watermark_ms;
    std::int64_t overlap_ms;
  };
  boost::asio::awaitable<Expected<IndexScan, FeedError>> scan(std::string feed_id,
                                                              std::optional<WatermarkStop> stop, int max_pages);

  net::HttpClient& http_;
  FeedClientOptions options_;
  std::unordered_map<std::string, std::vector<std::string>> noted_;  // by feed id
};

}  // namespace feedsync::feed
