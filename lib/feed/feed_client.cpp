#include "feed/feed_client.hpp"

#include "core/time.hpp"

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

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::scan(
    std::string feed_id, std::optional<std::int64_t> stop_below) {
  IndexScan scan;
  bool stable = true;
  bool unreadable_guid = false;
  const int page_size = options_.index_page_size;
  for (std::int64_t offset = 0;; offset += page_size) {
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
    bool below = false;
    for (auto& entry : page->entries) {
      if (stop_below && entry.newest_modified_at() < *stop_below) below = true;
      scan.entries.push_back(std::move(entry));
    }
    for (auto& rejected : page->rejected) {
      // An entry whose guid cannot be read could be any known article: this scan cannot tell
      // what vanished (entries rejected with a readable guid are kept from deletion by it).
      if (rejected.guid.empty()) unreadable_guid = true;
      rejected.position += static_cast<std::size_t>(offset);
      scan.rejected.push_back(std::move(rejected));
    }
    if (page->raw_entry_count < static_cast<std::size_t>(page_size)) {
      scan.reached_end = true;
      break;
    }
    if (below) break;
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

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::full_index(std::string feed_id) {
  co_return co_await scan(std::move(feed_id), std::nullopt);
}

boost::asio::awaitable<Expected<IndexScan, FeedError>> FeedClient::incremental_index(
    std::string feed_id, std::int64_t watermark_ms, std::int64_t overlap_ms) {
  co_return co_await scan(std::move(feed_id), watermark_ms - overlap_ms);
}

boost::asio::awaitable<Expected<FetchResult, FeedError>> FeedClient::fetch(
    std::string feed_id, std::vector<std::string> guids) {
  FetchResult result;
  std::unordered_set<std::string> wanted(guids.begin(), guids.end());
  std::unordered_set<std::string> found;
  const int page_size = options_.page_size;
  for (std::int64_t offset = 0; !wanted.empty() && found.size() < wanted.size(); offset += page_size) {
    auto page = co_await get_page(feed_id, page_size, offset, /*index_fields=*/false);
    ++result.requests;
    if (!page) co_return unexpected(std::move(page.error()));
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
    if (page->raw_entry_count < static_cast<std::size_t>(page_size)) break;
  }
  for (const auto& guid : guids)
    if (!found.count(guid)) result.missing.push_back(guid);
  co_return result;
}

}  // namespace feedsync::feed
