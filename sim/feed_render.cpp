#include "sim/feed_render.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

#include "core/strings.hpp"
#include "core/time.hpp"

namespace feedsync::sim {

namespace json = boost::json;

namespace {

std::optional<std::size_t> parse_count(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void append_string(std::string& out, std::string_view text) { out += json::serialize(json::string_view(text)); }

bool wanted(const std::vector<std::string>& fields, std::string_view key) {
  return key == "guid" || std::find(fields.begin(), fields.end(), key) != fields.end();
}

}  // namespace

Expected<PageQuery, std::string> parse_page_query(const net::QueryParams& query) {
  PageQuery out;
  if (auto format = query.get("format")) {
    const auto f = ascii_lower(*format);
    if (f == "json") out.format = FeedFormat::json;
    else if (f == "atom" || f.empty()) out.format = FeedFormat::atom;
    else return unexpected("format must be json or atom, got '" + std::string(*format) + "'");
  }
  if (auto size = query.get("pagesize")) {
    auto n = parse_count(*size);
    if (!n) return unexpected("pagesize must be an integer, got '" + std::string(*size) + "'");
    if (*n < 1 || *n > kMaxPageSize)
      return unexpected("pagesize must be between 1 and " + std::to_string(kMaxPageSize) + ", got " + std::string(*size));
    out.pagesize = *n;
  }
  if (auto offset = query.get("offset")) {
    auto n = parse_count(*offset);
    if (!n) return unexpected("offset must be a non-negative integer, got '" + std::string(*offset) + "'");
    out.offset = *n;
  }
  if (auto sort = query.get("sort_by")) {
    const auto s = ascii_lower(*sort);
    if (s == "modified_at") out.sort = SortBy::modified_at;
    else if (s == "position" || s.empty()) out.sort = SortBy::position;
    else return unexpected("sort_by must be position or modified_at, got '" + std::string(*sort) + "'");
  }
  if (auto fields = query.get("fields"); fields && !fields->empty()) {
    std::vector<std::string> list;
    std::string_view rest = *fields;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) list.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    out.fields = std::move(list);
  }
  return out;
}

std::optional<FieldsMode> parse_fields_mode(std::string_view text) {
  if (text == "honoured") return FieldsMode::honoured;
  if (text == "ignored") return FieldsMode::ignored;
  if (text == "no-entry-timestamps") return FieldsMode::no_entry_timestamps;
  if (text == "flat") return FieldsMode::flat;
  return std::nullopt;
}

std::string_view to_string(FieldsMode mode) {
  switch (mode) {
    case FieldsMode::honoured: return "honoured";
    case FieldsMode::ignored: return "ignored";
    case FieldsMode::no_entry_timestamps: return "no-entry-timestamps";
    case FieldsMode::flat: return "flat";
  }
  return "?";
}

namespace {

// The content keys `fields` keeps, in the article's order, as JSON members without braces.
std::string limited_members(const Article& article, const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& [key, value] : article.content) {
    if (!wanted(fields, key)) continue;
    if (!out.empty()) out += ',';
    append_string(out, key);
    out += ':';
    out += json::serialize(value);
  }
  return out;
}

}  // namespace

std::string render_json_page(const Feed& feed, std::span<const Article* const> entries,
                             const std::optional<std::vector<std::string>>& fields, FieldsMode mode) {
  const bool limited = fields && mode != FieldsMode::ignored;
  std::string out;
  out.reserve(64 + entries.size() * (limited ? 120 : 4096));
  out += "{\"title\":";
  append_string(out, feed.title);
  out += ",\"modified_at\":\"" + format_rfc3339_ms(feed.modified_ms) + "\",\"entries\":[";
  bool first = true;
  for (const Article* article : entries) {
    if (!first) out += ',';
    first = false;
    if (limited && mode == FieldsMode::flat) {
      out += '{' + limited_members(*article, *fields) + '}';
      continue;
    }
    out += "{\"content\":";
    out += limited ? '{' + limited_members(*article, *fields) + '}' : article->content_json;
    if (limited && mode == FieldsMode::no_entry_timestamps) {
      out += '}';
      continue;
    }
    out += ",\"created_at\":\"" + format_rfc3339_ms(article->entry_created_ms) + "\",\"modified_at\":\"" +
           format_rfc3339_ms(article->entry_modified_ms) + "\"}";
  }
  out += "]}";
  return out;
}

std::string render_feed_error(int code, std::string_view message) {
  std::string out = "{\"error\":{\"code\":\"" + std::to_string(code) + "\",\"message\":";
  append_string(out, message);
  out += "}}";
  return out;
}

std::string render_malformed_page(const Feed& feed) {
  std::string out = "{\"title\":";
  append_string(out, feed.title);
  out += ",\"modified_at\":\"" + format_rfc3339_ms(feed.modified_ms) +
         "\",\"entries\":[{\"content\":{\"guid\":\"5f0c";
  return out;
}

}  // namespace feedsync::sim
