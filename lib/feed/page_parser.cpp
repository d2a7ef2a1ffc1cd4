#include "feed/page_parser.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/time.hpp"

namespace feedsync::feed {
namespace {

// A field that is absent or null is "missing"; present but not a string is "wrong".
enum class Field { missing, ok, wrong };

Field string_field(const boost::json::object& object, std::string_view key, std::string& out) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return Field::missing;
  if (!value->is_string()) return Field::wrong;
  out.assign(value->get_string().data(), value->get_string().size());
  return Field::ok;
}

// Reads an RFC 3339 timestamp field: absent/null -> 0 and true; present and valid -> true;
// present and invalid -> false with `problem` set.
bool timestamp_field(const boost::json::object& object, std::string_view key,
                     std::string_view where, std::int64_t& out, std::string& problem) {
  std::string text;
  switch (string_field(object, key, text)) {
    case Field::missing: out = 0; return true;
    case Field::wrong: problem = std::string(where) + " is not a string"; return false;
    case Field::ok: break;
  }
  if (auto ms = parse_rfc3339_ms(text)) {
    out = *ms;
    return true;
  }
  problem = std::string(where) + " \"" + text.substr(0, 64) + "\" is not an RFC 3339 timestamp";
  return false;
}

std::optional<IndexEntry> read_entry(const boost::json::value& raw, std::string& problem) {
  if (!raw.is_object()) {
    problem = "entry is not an object";
    return std::nullopt;
  }
  const auto& entry = raw.get_object();
  const auto* content_value = entry.if_contains("content");
  if (content_value == nullptr || !content_value->is_object()) {
    problem = "entry has no content object";
    return std::nullopt;
  }
  const auto& content = content_value->get_object();
  IndexEntry result;
  switch (string_field(content, "guid", result.guid)) {
    case Field::missing: problem = "content.guid is missing"; return std::nullopt;
    case Field::wrong: problem = "content.guid is not a string"; return std::nullopt;
    case Field::ok: break;
  }
  if (result.guid.empty()) {
    problem = "content.guid is empty";
    return std::nullopt;
  }
  if (!timestamp_field(entry, "modified_at", "modified_at", result.entry_modified_at, problem) ||
      !timestamp_field(content, "modified_at", "content.modified_at", result.content_modified_at,
                       problem))
    return std::nullopt;
  if (result.entry_modified_at == 0 && result.content_modified_at == 0) {
    problem = "neither modified_at nor content.modified_at is present";
    return std::nullopt;
  }
  return result;
}

}  // namespace

Expected<FeedPage, std::string> parse_feed_page(std::string_view body, ParseContent content) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec);
  if (ec) return unexpected("the page is not valid JSON (" + ec.message() + ")");
  if (!root.is_object()) return unexpected(std::string("the page is not a JSON object"));
  auto& envelope = root.get_object();
  auto* entries = envelope.if_contains("entries");
  if (entries == nullptr || !entries->is_array())
    return unexpected(std::string("the page has no \"entries\" array"));

  FeedPage page;
  std::string text;
  if (string_field(envelope, "title", text) == Field::ok) page.title = text;
  if (string_field(envelope, "modified_at", text) == Field::ok) page.modified_at = parse_rfc3339_ms(text);

  auto& items = entries->get_array();
  page.raw_entry_count = items.size();
  page.entries.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string problem;
    auto entry = read_entry(items[i], problem);
    if (!entry) {
      RejectedEntry rejected{i, {}, problem};
      if (items[i].is_object()) {
        if (const auto* c = items[i].get_object().if_contains("content"); c && c->is_object())
          string_field(c->get_object(), "guid", rejected.guid);
      }
      page.rejected.push_back(std::move(rejected));
      continue;
    }
    if (content == ParseContent::yes) {
      page.full_entries.push_back(
          {*entry, std::move(items[i].get_object().at("content").get_object())});
    }
    page.entries.push_back(std::move(*entry));
  }
  return page;
}

std::optional<std::string> parse_feed_error(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec);
  if (ec || !root.is_object()) return std::nullopt;
  const auto* error = root.get_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  std::string message;
  if (string_field(error->get_object(), "message", message) != Field::ok) return std::nullopt;
  return message;
}

}  // namespace feedsync::feed
