#include "feed/page_parser.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/time.hpp"

#include <optional>
#include <unordered_map>

namespace feedsync::feed {
namespace {

// U+FDD0, a Unicode noncharacter: never in text a service sends, so finding it in a parsed string
// means repair_strings() put it there. Its UTF-8 bytes and its JSON escape:
constexpr std::string_view kMark = "\xEF\xB7\x90";
constexpr std::string_view kMarkEscape = "\\ufdd0";

// Earliest plausible modified_at: anything before is a default or a broken clock (1970-01-01).
constexpr std::int64_t kEarliestPlausibleMs = 946'684'800'000;  // 2000-01-01T00:00:00Z

// Length of the valid UTF-8 sequence starting at text[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

std::optional<unsigned> hex4(std::string_view text, std::size_t i) {
  if (i + 4 > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const char c = text[k];
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
    else return std::nullopt;
  }
  return value;
}

// A copy of `body` in which the text inside JSON strings that no JSON parser takes (invalid
// UTF-8, raw control characters, unpaired surrogate escapes) is replaced by kMark, so that one
// broken article does not make the whole page unreadable (issue 15). Outside strings nothing is
// touched: a page whose structure is broken still fails as a whole. `replaced` counts the marks.
std::string repair_strings(std::string_view body, std::size_t& replaced) {
  std::string out;
  out.reserve(body.size() + 16);
  bool in_string = false;
  std::size_t i = 0;
  while (i < body.size()) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (!in_string || c == '"') {
      if (c == '"') in_string = !in_string;
      out += body[i++];
      continue;
    }
    if (c == '\\') {
      const auto unit = i + 1 < body.size() && body[i + 1] == 'u' ? hex4(body, i + 2) : std::nullopt;
      if (!unit) {  // a two-character escape (or junk the parser will report)
        out.append(body.substr(i, 2));
        i += 2;
        continue;
      }
      const bool lead = *unit >= 0xD800 && *unit <= 0xDBFF;
      const bool trail = *unit >= 0xDC00 && *unit <= 0xDFFF;
      if (lead && i + 8 <= body.size() && body.substr(i + 6, 2) == "\\u") {
        if (auto next = hex4(body, i + 8); next && *next >= 0xDC00 && *next <= 0xDFFF) {
          out.append(body.substr(i, 12));  // a proper pair
          i += 12;
          continue;
        }
      }
      if (lead || trail) {
        out += kMarkEscape;
        ++replaced;
      } else {
        out.append(body.substr(i, 6));
      }
      i += 6;
      continue;
    }
    if (c < 0x20) {
      out += kMarkEscape;
      ++replaced;
      ++i;
      continue;
    }
    const std::size_t length = c < 0x80 ? 1 : utf8_length(body, i);
    if (length == 0) {
      out += kMark;
      ++replaced;
      ++i;
      continue;
    }
    out.append(body.substr(i, length));
    i += length;
  }
  return out;
}

bool holds_mark(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string_view(value.get_string()).find(kMark) != std::string_view::npos;
    case boost::json::kind::array:
      for (const auto& item : value.get_array())
        if (holds_mark(item)) return true;
      return false;
    case boost::json::kind::object:
      for (const auto& member : value.get_object())
        if (std::string_view(member.key()).find(kMark) != std::string_view::npos || holds_mark(member.value()))
          return true;
      return false;
    default:
      return false;
  }
}

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
    if (*ms < kEarliestPlausibleMs) {
      problem = std::string(where) + " \"" + text.substr(0, 64) + "\" is before 2000-01-01: not a plausible edit time";
      return false;
    }
    out = *ms;
    return true;
  }
  problem = std::string(where) + " \"" + text.substr(0, 64) + "\" is not an RFC 3339 timestamp";
  return false;
}

// Where an entry keeps its article: the `content` object, or (a service that flattens index
// entries) the entry itself when it has no `content` but a top-level guid.
const boost::json::object* content_of(const boost::json::object& entry, bool& flat) {
  const auto* content_value = entry.if_contains("content");
  flat = false;
  if (content_value != nullptr && content_value->is_object()) return &content_value->get_object();
  if (content_value == nullptr && entry.contains("guid")) {
    flat = true;
    return &entry;
  }
  return nullptr;
}

std::optional<IndexEntry> read_entry(const boost::json::value& raw, FeedPage& page, std::string& problem) {
  if (!raw.is_object()) {
    problem = "entry is not an object";
    return std::nullopt;
  }
  const auto& entry = raw.get_object();
  bool flat = false;
  const auto* content_object = content_of(entry, flat);
  if (content_object == nullptr) {
    problem = "entry has no content object";
    return std::nullopt;
  }
  const auto& content = *content_object;
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
  if (!timestamp_field(entry, "modified_at", "modified_at", result.entry_modified_at, problem)) return std::nullopt;
  if (!flat && !timestamp_field(content, "modified_at", "content.modified_at", result.content_modified_at, problem))
    return std::nullopt;
  if (result.entry_modified_at == 0 && result.content_modified_at == 0) {
    problem = "neither modified_at nor content.modified_at is present";
    return std::nullopt;
  }
  if (flat) page.content_wrapper_missing = true;
  if (result.entry_modified_at == 0) page.entry_modified_at_missing = true;
  if (!page.extra_content_fields) {
    for (const auto& member : content) {
      if (member.key() != "guid" && member.key() != "modified_at" && (!flat || member.key() != "created_at")) {
        page.extra_content_fields = true;
        break;
      }
    }
  }
  return result;
}

// The article of an accepted entry, moved out of the parsed page.
boost::json::object take_content(boost::json::value& raw) {
  auto& entry = raw.get_object();
  if (auto* content = entry.if_contains("content"); content != nullptr && content->is_object())
    return std::move(content->get_object());
  return std::move(entry);  // a flat entry is its own content
}

}  // namespace

Expected<FeedPage, std::string> parse_feed_page(std::string_view body, ParseContent content) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec);
  std::size_t repaired = 0;
  if (ec) {
    // Broken text inside strings is the fault of single articles: mark it and parse again; the
    // entries holding a mark are rejected below. Anything else breaks the page.
    const auto first_error = ec.message();
    const std::string fixed = repair_strings(body, repaired);
    if (repaired > 0) root = boost::json::parse(fixed, ec);
    if (ec || repaired == 0) return unexpected("the page is not valid JSON (" + first_error + ")");
  }
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
  struct Seen {
    std::size_t position;  // in the page
    std::size_t index;     // in page.entries (and page.full_entries)
  };
  std::unordered_map<std::string, Seen> seen;
  // `guid`: when known already (the entry's content may have been moved out).
  auto reject = [&](std::size_t i, std::string problem, std::string guid = {}) {
    RejectedEntry rejected{i, std::move(guid), std::move(problem)};
    if (rejected.guid.empty() && items[i].is_object()) {
      bool flat = false;
      if (const auto* c = content_of(items[i].get_object(), flat)) string_field(*c, "guid", rejected.guid);
    }
    if (rejected.guid.find(kMark) != std::string::npos) rejected.guid.clear();  // unreadable
    page.rejected.push_back(std::move(rejected));
  };
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (repaired > 0 && holds_mark(items[i])) {
      reject(i, "the entry holds text no JSON parser takes (invalid UTF-8, a raw control character or an "
                "unpaired surrogate escape); the rest of the page is read");
      continue;
    }
    std::string problem;
    auto entry = read_entry(items[i], page, problem);
    if (!entry) {
      reject(i, std::move(problem));
      continue;
    }
    if (auto it = seen.find(entry->guid); it != seen.end()) {
      // Twice in one page: the newest of the two is used, the other reported with both
      // positions (it used to be collapsed silently).
      auto& kept = it->second;
      const std::string why = "duplicate guid: also at position ";
      if (entry->newest_modified_at() <= page.entries[kept.index].newest_modified_at()) {
        reject(i, why + std::to_string(kept.position) + " of the page, which is newer and is used");
        continue;
      }
      reject(kept.position, why + std::to_string(i) + " of the page, which is newer and is used", entry->guid);
      if (content == ParseContent::yes) {
        page.full_entries[kept.index] = {*entry, take_content(items[i])};
      }
      page.entries[kept.index] = std::move(*entry);
      kept.position = i;
      continue;
    }
    seen.emplace(entry->guid, Seen{i, page.entries.size()});
    if (content == ParseContent::yes) {
      page.full_entries.push_back({*entry, take_content(items[i])});
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
