#pragma once
// Feed API v2 request parameters and JSON bodies: the page envelope, the documented error body
// and the deliberately broken page of a feed switched to "malformed".

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "net/server_message.hpp"
#include "sim/feed_store.hpp"

namespace feedsync::sim {

enum class FeedFormat { atom, json };

struct PageQuery {
  FeedFormat format = FeedFormat::atom;  // the documented default
  SortBy sort = SortBy::position;
  std::size_t pagesize = 200;
  std::size_t offset = 0;
  // Content keys to keep (guid is always kept); nullopt = every field.
  std::optional<std::vector<std::string>> fields;
};

inline constexpr std::size_t kMaxPageSize = 999;

// Answers the Feed API document leaves open (issue 17), each a switch of the simulator so that
// the client is tested against every plausible one, not only the one it expects.
enum class FieldsMode {
  honoured,             // `fields` keeps the listed content keys (and guid)
  ignored,              // full content whatever `fields` says
  no_entry_timestamps,  // as honoured, and entries lose the entry-level created_at/modified_at
  flat,                 // as honoured, without the `content` wrapper: {"guid","modified_at"}
};
std::optional<FieldsMode> parse_fields_mode(std::string_view text);
std::string_view to_string(FieldsMode mode);

struct FeedApiBehaviour {
  std::size_t page_cap = 0;  // at most this many entries per page whatever pagesize asks (0: none)
  FieldsMode fields = FieldsMode::honoured;
};

// Strict where the documents are specific: pagesize 1..999 and offset >= 0 as plain decimal
// integers, format json|atom, sort_by position|modified_at (empty = position). The error is the
// message of a 400.
Expected<PageQuery, std::string> parse_page_query(const net::QueryParams& query);

// {"title","modified_at","entries":[{"content":{...},"created_at","modified_at"}]}
// `mode` applies only when `fields` was asked for.
std::string render_json_page(const Feed& feed, std::span<const Article* const> entries,
                             const std::optional<std::vector<std::string>>& fields,
                             FieldsMode mode = FieldsMode::honoured);
// {"error":{"code":"404","message":"..."}}: the documented shape, code as a string.
std::string render_feed_error(int code, std::string_view message);
// A page cut off in the middle of an entry: valid HTTP, invalid JSON.
std::string render_malformed_page(const Feed& feed);

}  // namespace feedsync::sim
