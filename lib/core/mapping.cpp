#include "core/mapping.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "core/locale_match.hpp"
#include "core/mapping_text.hpp"
#include "core/time.hpp"

namespace feedsync {
namespace {

using mapping::CompiledExpression;
using mapping::Value;

std::string quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string property_field(const std::string& name) { return "mapping.properties." + name; }

// A value as it appears in an error message: whole when short, cut when not.
std::string shown(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// RFC 3339 date-time, or a bare date (CMP custom date fields) meaning 00:00 UTC that day.
std::optional<std::int64_t> parse_publish_time(const std::string& text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') return parse_rfc3339_ms(text + "T00:00:00Z");
  return parse_rfc3339_ms(text);
}

class Applier {
 public:
  Applier(const CompiledMapping& mapping, const boost::json::object& content, std::string_view guid)
      : mapping_(mapping), content_(content),
        who_("feed " + mapping.feed + ", article " + std::string(guid)) {}

  Expected<MappedPayload, std::vector<MappingError>> run() {
    MappedPayload payload;
    if (auto text = text_output("mapping.displayName", mapping_.display_name)) {
      if (*text) {
        payload.display_name = std::move(**text);
      } else {
        fail("mapping.displayName", 0,
             quote(mapping_.display_name.text) + " gave no value, and a display name is required");
      }
    }
    if (mapping_.route_segment) {
      if (auto text = text_output("mapping.routeSegment", *mapping_.route_segment); text && *text) {
        payload.route_segment = std::move(**text);
      }
    }
    for (const auto& [name, expression] : mapping_.properties) {
      auto value = evaluate(property_field(name), expression);
      if (!value || value->missing()) continue;
      if (value->html) payload.rich_text.push_back(name);
      payload.properties[name] = std::move(*value->json);
    }
    payload.locale = locale();
    if (mapping_.publish_at) {
      payload.scheduling = true;
      payload.publish_at_ms = publish_time(*mapping_.publish_at);
    }
    if (!errors_.empty()) return unexpected(std::move(errors_));
    return payload;
  }

 private:
  void fail(const std::string& field, std::size_t offset, const std::string& problem) {
    errors_.push_back({field, offset, who_ + ": " + field + ": " + problem});
  }

  std::optional<Value> evaluate(const std::string& field, const CompiledExpression& expression) {
    auto value = mapping::evaluate(expression, content_);
    if (!value) {
      fail(field, value.error().offset,
           value.error().message + " (in " + quote(expression.text) + ")");
      return std::nullopt;
    }
    return std::move(*value);
  }

  // Outer nullopt: failed (already reported). Inner nullopt: blank.
  std::optional<std::optional<std::string>> text_output(const std::string& field,
                                                        const CompiledExpression& expression) {
    auto value = evaluate(field, expression);
    if (!value) return std::nullopt;
    if (mapping::is_blank(*value)) return std::optional<std::string>();
    auto text = mapping::as_text(*value->json);
    if (!text) {
      fail(field, 0,
           quote(expression.text) + " gave " + (value->json->is_array() ? "a list" : "an object") +
               ", but text is needed (add | join or | first)");
      return std::nullopt;
    }
    return std::optional<std::string>(std::move(*text));
  }

  std::optional<std::int64_t> publish_time(const CompiledExpression& expression) {
    const std::string field = "mapping.publishAt";
    auto value = evaluate(field, expression);
    if (!value || mapping::is_blank(*value)) return std::nullopt;
    const auto* text = value->json->if_string();
    auto ms = text ? parse_publish_time(std::string(mapping::trim_text(*text))) : std::nullopt;
    if (!ms) {
      fail(field, 0,
           quote(expression.text) + " gave " + shown(*value->json) +
               ", which is not a publish time (an RFC 3339 date-time like "
               "\"2025-07-24T12:00:00Z\", or a date like \"2025-07-24\")");
    }
    return ms;
  }

  std::string locale() {
    if (mapping_.locale) return *mapping_.locale;
    const auto* code = content_.if_contains("lang_code");
    const auto* text = code ? code->if_string() : nullptr;
    if (!text || text->empty()) {
      fail("locale_map", 0,
           "the article has no lang_code, and the feed picks locales by lang_code");
      return {};
    }
    auto resolved = resolve_locale(mapping_.locale_map, *text);
    if (resolved) return std::move(*resolved);
    const auto& miss = resolved.error();
    std::string keys;
    for (const auto& key : miss.keys) keys += (keys.empty() ? "" : ", ") + key;
    if (miss.kind == LocaleMiss::Kind::ambiguous) {
      fail("locale_map", 0,
           "lang_code " + quote(*text) + " has no entry of its own in feeds[].locale_map and matches several (" +
               keys + "); add an entry for " + quote(*text));
    } else {
      fail("locale_map", 0,
           "lang_code " + quote(*text) + " is not in the feed's locale_map (mapped: " + keys + ")");
    }
    return {};
  }

  const CompiledMapping& mapping_;
  const boost::json::object& content_;
  std::string who_;
  std::vector<MappingError> errors_;
};

}  // namespace

Expected<CompiledMapping, std::vector<MappingError>> compile_mapping(const MappingSpec& spec) {
  std::vector<MappingError> errors;
  const auto fail = [&](const std::string& field, std::size_t offset, const std::string& problem) {
    errors.push_back({field, offset, "feed " + spec.feed + ": " + field + ": " + problem});
  };
  const auto compile = [&](const std::string& field, const std::string& text) {
    auto compiled = mapping::compile_expression(text);
    if (!compiled) {
      const auto& error = compiled.error();
      fail(field, error.offset,
           error.message + " (at offset " + std::to_string(error.offset) + " of " + quote(text) +
               ")");
      return CompiledExpression{};
    }
    return std::move(*compiled);
  };

  CompiledMapping out;
  out.feed = spec.feed;
  out.display_name = compile("mapping.displayName", spec.display_name);
  if (spec.route_segment) out.route_segment = compile("mapping.routeSegment", *spec.route_segment);
  for (const auto& [name, text] : spec.properties) {
    const bool duplicate = std::any_of(out.properties.begin(), out.properties.end(),
                                       [&](const auto& p) { return p.first == name; });
    if (duplicate) fail(property_field(name), 0, "the property is mapped twice");
    out.properties.emplace_back(name, compile(property_field(name), text));
  }
  if (spec.publish_at) out.publish_at = compile("mapping.publishAt", *spec.publish_at);
  out.locale = spec.locale;
  std::map<std::string, std::string> first_of;  // normalized lang_code -> CMS locale
  for (const auto& [code, locale] : spec.locale_map) {
    const auto [it, fresh] = first_of.emplace(normalized_lang_code(code), locale);
    // The same code written twice ("en_US" and "en-us") would compete in the fallbacks.
    if (fresh) {
      out.locale_map.emplace(code, locale);
    } else if (it->second != locale) {
      fail("locale_map", 0,
           "lang_code " + quote(code) + " is mapped twice (lang_codes ignore case, and _ equals -)");
    }
  }
  if (!out.locale && out.locale_map.empty()) fail("locale", 0, "set locale or locale_map");
  if (!errors.empty()) return unexpected(std::move(errors));
  return out;
}

std::string strip_control_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) continue;
    // C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8.
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

namespace {

void strip_controls_in(boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string: {
      auto& text = value.get_string();
      const std::string_view view(text);
      if (std::any_of(view.begin(), view.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u < 0x20 || u == 0x7F || u == 0xC2;
          })) {
        text = feedsync::strip_control_characters(view);
      }
      break;
    }
    case boost::json::kind::array:
      for (auto& item : value.get_array()) strip_controls_in(item);
      break;
    case boost::json::kind::object:
      for (auto& member : value.get_object()) strip_controls_in(member.value());
      break;
    default:
      break;
  }
}

}  // namespace

Expected<MappedPayload, std::vector<MappingError>> apply_mapping(
    const CompiledMapping& mapping, const boost::json::object& content, std::string_view guid) {
  auto result = Applier(mapping, content, guid).run();
  if (result) {
    // Text for people: control characters (NUL, ESC, BEL...) never reach the CMS (issue 15).
    // Tab, line feed and carriage return stay.
    result->display_name = strip_control_characters(result->display_name);
    if (result->route_segment) result->route_segment = strip_control_characters(*result->route_segment);
    for (auto& member : result->properties) strip_controls_in(member.value());
  }
  return result;
}

Expected<MappedPayload, std::vector<MappingError>> apply_mapping(const CompiledMapping& mapping,
                                                                 const FeedEntry& entry) {
  return apply_mapping(mapping, entry.content, entry.index.guid);
}

}  // namespace feedsync
