#include "feed/feed_client.hpp"

#include "core/time.hpp"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "feed/page_parser.hpp"
#include "net/http_client.hpp"

namespace feedsync::feed {
namespace {

std::string describe(const std::string& feed_id, std::int64_t offset) {
  return "feed " + feed_id + " (offset " + std::to_string(offset) + ")";
}

}  // namespace

const char* to_string(FeedErrorKind kind) {
  switch (kind) {
    case FeedErrorKind::not_found: return "not_found";
    case FeedErrorKind::http_status: return "http_status";
    case FeedErrorKind::network: return "network";
    case FeedErrorKind::malformed: return "malformed";
  }
  return "?";
}

FeedClient::FeedClient(net::HttpClient& http, FeedClientOptions options)
    : http_(http), options_(std::move(options)) {}

std::string FeedClient::page_url(const std::string& feed_id, int page_size, std::int64_t offset,
                                 bool index_fields) const {
  // The base URL was validated at config load; a path prefix on it (a gateway) is kept.
  boost::urls::url url = boost::urls::parse_absolute_uri(options_.base_url).value();
  auto segments = url.segments();
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // trailing slash
  segments.push_back("v2");
  segments.push_back("feed");
  segments.push_back(feed_id);
  auto params = url.params();
  params.clear();
  params.append({"format", "json"});
  params.append({"sort_by", "modified_at"});
  if (index_fields) params.append({"fields", "guid,modified_at"});
  params.append({"pagesize", std::to_string(page_size)});
  params.append({"offset", std::to_string(offset)});
  return std::string(url.buffer());
}

boost::asio::awaitable<Expected<FeedPage, FeedError>> FeedClient::get_page(std::string feed_id,
                                                                           int page_size,
                                                                           std::int64_t offset,
                                                                           bool index_fields) {
  net::Request request;
  request.method = net::Method::get;
  request.url = page_url(feed_id, page_size, offset, index_fields);
  request.headers = options_.extra_headers;
  request.headers.set("Accept", "application/json");
  request.timeout = options_.timeout;
  request.max_body = options_.max_body;
  auto result = co_await http_.send(std::move(request));
  if (!result) {
    co_return unexpected(FeedError{FeedErrorKind::network, 0,
                                   describe(feed_id, offset) + ": " + result.error().message});
  }
  const auto& response = *result;
  if (response.status == 404) {
    auto detail = parse_feed_error(response.body);
    co_return unexpected(FeedError{
        FeedErrorKind::not_found, 404,
        "feed " + feed_id + " not found (404" + (detail ? ": " + *detail : std::string()) +
            "); check feed_id in the configuration"});
  }
  if (response.status < 200 || response.status > 299) {
    co_return unexpected(FeedError{FeedErrorKind::http_status, response.status,
                                   describe(feed_id, offset) + ": HTTP " +
                                       std::to_string(response.status)});
  }
  auto page = parse_feed_page(response.body, index_fields ? ParseContent::no : ParseContent::yes);
  if (!page) {
    co_return unexpected(
        FeedError{FeedErrorKind::malformed, response.status, describe(feed_id, offset) + ": " + page.error()});
  }
  co_return std::move(*page);
}

namespace {

// What one non-empty page adds to what a scan knows of the service. `previous_count`: entries on
// the page before (0 for the first page).
void observe(FeedShape& shape, const FeedPage& page, std::size_t previous_count, int asked, bool index_page) {
  if (previous_count > 0 && previous_count < static_cast<std::size_t>(asked)) shape.capped = true;
  shape.largest_page = std::max(shape.largest_page, page.raw_entry_count);
  if (!index_page) return;  // full pages have content and both timestamps by design
  shape.fields_ignored |= page.extra_content_fields;
  shape.entry_timestamps_missing |= page.entry_modified_at_missing;
  shape.content_wrapper_missing |= page.content_wrapper_missing;
}

// Enough of a page to tell whether the next one is the same page again.
struct PageMark {
  std::size_t count = 0;
  std::string first, last;  // guids; empty when no entry was readable
  static PageMark of(const FeedPage& page) {
    PageMark mark{page.raw_entry_count, {}, {}};
    if (!page.entries.empty()) {
      mark.first = page.entries.front().guid;
      mark.last = page.entries.back().guid;
    }
    return mark;
  }
  bool operator==(const PageMark&) const = default;
};

// The same entries at a later offset of an unchanged feed: the service ignores `offset`, and
// paging by entries received would never reach an empty page.
bool repeats(const FeedPage& page, const PageMark& previous) {
  return !page.entries.empty() && PageMark::of(page) == previous;
}

FeedError offset_ignored(const std::string& feed_id, std::int64_t offset) {
  return FeedError{FeedErrorKind::malformed, 200,
                   describe(feed_id, offset) +
                       ": the page repeats the previous one although the feed did not change; the Feed API "
                       "seems to ignore `offset`, so the feed cannot be read to its end"};
}

FeedError endless(const std::string& feed_id, std::int64_t offset, std::int64_t limit) {
  return FeedError{FeedErrorKind::malformed, 200,
                   describe(feed_id, offset) + ": more than " + std::to_string(limit) +
                       " entries and no empty page; the Feed API does not end this feed"};
}

}  // namespace

std::vector<std::string> FeedShape::notes(int asked_page_size) const {
  std::vector<std::string> out;
  if (capped)
    out.push_back("pages hold at most " + std::to_string(largest_page) + " entries (asked for " +
                  std::to_string(asked_page_size) + "): paging by the entries received, to an empty page");
  if (fields_ignored)
    out.push_back("fields=guid,modified_at is not honoured: index pages carry full content (more bytes per poll, "
                  "same result)");
  if (entry_timestamps_missing)
    out.push_back("index entries come without the entry-level modified_at: changes are detected by "
                  "content.modified_at");
  if (content_wrapper_missing)
    out.push_back("index entries come without the content object: guid and modified_at are read from the entry");
  return out;
}

std::vector<std::string> FeedClient::new_shape_notes(const std::string& feed_id, const FeedShape& shape) {
  auto& noted = noted_[feed_id];
  std::vector<std::string> fresh;
  for (auto& note : shape.notes(options_.index_page_size)) {
    if (std::find(noted.begin(), noted.end(), note) != noted.end()) continue;
    noted.push_back(note);
    fresh.push_back(std::move(note));
  }
  return fresh;
}

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::scan(
    std::string feed_id, std::optional<WatermarkStop> stop, int max_pages) {
  IndexScan scan;
  bool stable = true;
  bool unreadable_guid = false;
  const int page_size = options_.index_page_size;
  std::int64_t offset = 0;
  PageMark previous;  // of the previous page, to tell an ignored offset
  std::size_t previous_count = 0;
  for (int pages = 0; pages < max_pages; ++pages) {
    auto page = co_await get_page(feed_id, page_size, offset, /*index_fields=*/true);
    ++scan.requests;
    if (!page) co_return unexpected(std::move(page.error()));
    if (offset == 0) {
      scan.envelope_modified_at = page->modified_at;
    } else if (page->modified_at != scan.envelope_modified_at) {
      // The feed changed while we paged: offsets may have shifted, so an entry can have slipped
      // between two pages. What was read is still good for finding changes, not for deletions.
      stable = false;
    }
    if (page->raw_entry_count == 0) {
      scan.reached_end = true;
      break;
    }
    if (stable && offset > 0 && repeats(*page, previous)) co_return unexpected(offset_ignored(feed_id, offset));
    if (offset > options_.max_scan_entries) co_return unexpected(endless(feed_id, offset, options_.max_scan_entries));
    observe(scan.shape, *page, previous_count, page_size, /*index_page=*/true);
    previous = PageMark::of(*page);
    // An incremental poll stops below the watermark minus the overlap, as always, and at a short
    // page holding something it has seen (at or below the watermark): a short page of entries
    // all newer than the watermark may be a cap with more new entries behind it.
    bool below = false;
    bool seen_before = false;
    for (auto& entry : page->entries) {
      if (stop && entry.newest_modified_at() < stop->watermark_ms - stop->overlap_ms) below = true;
      if (stop && entry.newest_modified_at() <= stop->watermark_ms) seen_before = true;
      scan.entries.push_back(std::move(entry));
    }
    const bool short_page = page->raw_entry_count < static_cast<std::size_t>(page_size);
    for (auto& rejected : page->rejected) {
      // An entry whose guid cannot be read could be any known article: this scan cannot tell
      // what vanished (entries rejected with a readable guid are kept from deletion by it).
      if (rejected.guid.empty()) unreadable_guid = true;
      rejected.position += static_cast<std::size_t>(offset);
      scan.rejected.push_back(std::move(rejected));
    }
    previous_count = page->raw_entry_count;
    offset += static_cast<std::int64_t>(page->raw_entry_count);
    if (below || (short_page && seen_before)) break;
  }
  scan.complete = scan.reached_end && stable && !unreadable_guid;
  co_return scan;
}

std::size_t reject_future_entries(IndexScan& scan, std::int64_t now_ms, std::int64_t skew_ms) {
  std::size_t moved = 0;
  std::erase_if(scan.entries, [&](const IndexEntry& entry) {
    if (entry.newest_modified_at() <= now_ms + skew_ms) return false;
    scan.rejected.push_back({0, entry.guid,
                             "modified_at " + format_rfc3339_ms(entry.newest_modified_at()) +
                                 " is more than a day ahead of this machine's clock; not trusted (it would become the "
                                 "watermark)"});
    ++moved;
    return true;
  });
  return moved;
}

constexpr int kUnlimitedPages = std::numeric_limits<int>::max();

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::full_index(std::string feed_id) {
  co_return co_await scan(std::move(feed_id), std::nullopt, kUnlimitedPages);
}

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::incremental_index(
    std::string feed_id, std::int64_t watermark_ms, std::int64_t overlap_ms) {
  co_return co_await scan(std::move(feed_id), WatermarkStop{watermark_ms, overlap_ms}, kUnlimitedPages);
}

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::probe(std::string feed_id) {
  co_return co_await scan(std::move(feed_id), std::nullopt, 2);
}

boost::asio::awaitable<Expected<FetchResult, FeedError>> FeedClient::fetch(
    std::string feed_id, std::vector<std::string> guids) {
  FetchResult result;
  std::unordered_set<std::string> wanted(guids.begin(), guids.end());
  std::unordered_set<std::string> found;
  const int page_size = options_.page_size;
  std::int64_t offset = 0;
  std::optional<std::int64_t> envelope_modified_at;
  PageMark previous;
  std::size_t previous_count = 0;
  while (!wanted.empty() && found.size() < wanted.size()) {
    auto page = co_await get_page(feed_id, page_size, offset, /*index_fields=*/false);
    ++result.requests;
    if (!page) co_return unexpected(std::move(page.error()));
    if (page->raw_entry_count == 0) break;  // the end; a short page may be a cap
    if (offset == 0) envelope_modified_at = page->modified_at;
    if (offset > 0 && page->modified_at == envelope_modified_at && repeats(*page, previous))
      co_return unexpected(offset_ignored(feed_id, offset));
    if (offset > options_.max_scan_entries) co_return unexpected(endless(feed_id, offset, options_.max_scan_entries));
    observe(result.shape, *page, previous_count, page_size, /*index_page=*/false);
    previous = PageMark::of(*page);
    for (auto& entry : page->full_entries) {
      // Newest first: the first sighting of a guid is its newest version.
      if (wanted.count(entry.index.guid) && found.insert(entry.index.guid).second)
        result.entries.push_back(std::move(entry));
    }
    for (auto& rejected : page->rejected) {
      // Wanted but unusable (broken text): found, so the search does not read the whole feed
      // for it; the poll reports it and takes it again when it changes.
      if (wanted.count(rejected.guid)) found.insert(rejected.guid);
      rejected.position += static_cast<std::size_t>(offset);
      result.rejected.push_back(std::move(rejected));
    }
    previous_count = page->raw_entry_count;
    offset += static_cast<std::int64_t>(page->raw_entry_count);
  }
  for (const auto& guid : guids)
    if (!found.count(guid)) result.missing.push_back(guid);
  co_return result;
}

}  // namespace feedsync::feed
