#include "cms/mapping_check.hpp"

#include <algorithm>

namespace feedsync::cms {
namespace {

using mapping::ElementShape;
using mapping::Listness;

// Types feedsync has no way to produce a value for from a feed article.
bool unproducible(const std::string& type) {
  return type == "contentReference" || type == "content" || type == "component" || type == "binary";
}

// Whether one value of `shape` fits a scalar property of `type`; the hint when not.
std::optional<std::string> element_misfit(const std::string& type, ElementShape shape) {
  if (type == "json" || shape == ElementShape::null) return std::nullopt;
  // Only values the mapping marks as HTML are sent as rich text ({"html": ...}); anything else,
  // a bare field included, would arrive as a plain string.
  if (type == "richText") {
    if (shape == ElementShape::html) return std::nullopt;
    return std::string("rich text takes HTML: end the expression with `| html` (or `| strip_pixel`)");
  }
  if (unproducible(type)) return "feedsync cannot produce a " + type + " value from a feed article";
  if (type == "link") return std::string("a link takes an object ({url, text}); map the URL to a url or string property");
  if (shape == ElementShape::unknown) return std::nullopt;
  const bool textual = shape == ElementShape::text || shape == ElementShape::date_time;
  if (type == "string" || type == "url") {
    if (textual) return std::nullopt;
    if (shape == ElementShape::html) return std::string("HTML is sent as rich text; use `| text` for plain text");
    return std::string("use `| text` to send it as text");
  }
  if (type == "dateTime") {
    if (textual) return std::nullopt;
    return std::string("a date-time takes RFC 3339 text: use `| date`");
  }
  if (type == "integer" || type == "float") {
    if (shape == ElementShape::number) return std::nullopt;
    return std::string("use `| number`");
  }
  if (type == "boolean") {
    if (shape == ElementShape::boolean) return std::nullopt;
    return std::string("map a true/false field or literal");
  }
  return std::nullopt;  // a type newer than this check: let the CMS judge
}

std::string type_name(const PropertyDefinition& property) {
  if (property.type != "array") return property.type;
  return "array of " + (property.item_type.empty() ? std::string("any") : property.item_type);
}

std::string names_of(const ContentTypeDefinition& type) {
  if (type.properties.empty()) return "it has no properties";
  std::string out = "it has: ";
  std::size_t shown = 0;
  for (const auto& [name, property] : type.properties) {
    if (shown == 20) return out + ", ...";
    out += (shown++ ? ", " : "") + name;
  }
  return out;
}

config::SourcePos position_or(const config::SourcePos& pos, const config::FeedConfig& feed) {
  return pos.line > 0 ? pos : feed.pos;
}

void check_properties(const config::FeedConfig& feed, const CompiledMapping& mapping,
                      const ContentTypeDefinition& type, std::vector<MappingProblem>& out) {
  if (!type.properties_listed) return;
  const std::string prefix = "feed " + feed.name + ": mapping.properties.";
  for (std::size_t i = 0; i < mapping.properties.size(); ++i) {
    const auto& [name, expression] = mapping.properties[i];
    const auto pos = position_or(feed.mapping.properties.at(i).second.pos, feed);
    const auto found = type.properties.find(name);
    if (found == type.properties.end()) {
      out.push_back({pos, prefix + name + ": content type " + feed.content_type + " has no property " + name +
                              " (" + names_of(type) + ")"});
      continue;
    }
    const auto shape = mapping::output_shape(expression);
    if (auto why = property_misfit(found->second, shape)) {
      out.push_back({pos, prefix + name + ": `" + expression.text + "` produces " + mapping::describe(shape) +
                              ", but " + name + " is a " + type_name(found->second) + " property: " + *why});
    }
  }
  for (const auto& [name, property] : type.properties) {
    const bool mapped = std::any_of(mapping.properties.begin(), mapping.properties.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    if (property.required && !mapped) {
      out.push_back({feed.pos, "feed " + feed.name + ": mapping.properties: content type " + feed.content_type +
                                   " requires property " + name + " (" + type_name(property) +
                                   "), which the mapping does not set"});
    }
  }
}

config::SourcePos locale_position(const config::FeedConfig& feed, const std::string& locale) {
  if (feed.locale) return position_or(feed.positions.locale, feed);
  for (const auto& [lang_code, target] : feed.locale_map) {
    if (target != locale) continue;
    if (auto it = feed.positions.locale_map.find(lang_code); it != feed.positions.locale_map.end())
      return position_or(it->second, feed);
  }
  return feed.pos;
}

void check_locales(const config::FeedConfig& feed, const FeedTargetsInCms& cms, std::vector<MappingProblem>& out) {
  const std::string key = feed.locale ? "locale" : "locale_map";
  for (const auto& locale : target_locales(feed)) {
    const auto found = cms.locales.find(locale);
    if (found == cms.locales.end()) continue;  // not asked: nothing to say
    const auto pos = locale_position(feed, locale);
    if (!found->second) {
      out.push_back({pos, "feed " + feed.name + ": " + key + ": locale " + locale + " does not exist in the CMS"});
    } else if (!found->second->enabled) {
      out.push_back({pos, "feed " + feed.name + ": " + key + ": locale " + locale +
                              " is not enabled in the CMS (enable it, or map the feed to an enabled locale)"});
    }
  }
}

}  // namespace

std::vector<std::string> target_locales(const config::FeedConfig& feed) {
  if (feed.locale) return {*feed.locale};
  std::vector<std::string> out;
  for (const auto& [lang_code, locale] : feed.locale_map) {
    if (std::find(out.begin(), out.end(), locale) == out.end()) out.push_back(locale);
  }
  return out;
}

std::optional<std::string> property_misfit(const PropertyDefinition& property, const mapping::OutputShape& shape) {
  if (property.type == "array") {
    if (shape.list == Listness::no)
      return std::string("it takes a list: fan out with `[*]` (or do not `join`/`first` it)");
    return property.item_type.empty() ? std::nullopt : element_misfit(property.item_type, shape.element);
  }
  if (shape.list == Listness::yes && property.type != "json")
    return std::string("it takes one value: `| join` or `| first` the list");
  return element_misfit(property.type, shape.element);
}

std::vector<MappingProblem> check_feed_against_cms(const config::FeedConfig& feed, const CompiledMapping& mapping,
                                                   const FeedTargetsInCms& cms) {
  std::vector<MappingProblem> out;
  if (!cms.content_type) {
    out.push_back({position_or(feed.positions.content_type, feed),
                   "feed " + feed.name + ": content_type: content type " + feed.content_type +
                       " does not exist in the CMS"});
  } else {
    check_properties(feed, mapping, *cms.content_type, out);
  }
  if (!cms.container_found) {
    out.push_back({position_or(feed.positions.container, feed),
                   "feed " + feed.name + ": container: no content item " + feed.container +
                       " in the CMS (the container must exist before articles are written into it)"});
  }
  check_locales(feed, cms, out);
  return out;
}

std::string format_problem(const MappingProblem& problem) {
  if (problem.pos.line <= 0) return problem.message;
  return problem.pos.file + ":" + std::to_string(problem.pos.line) + ":" + std::to_string(problem.pos.column) + ": " +
         problem.message;
}

}  // namespace feedsync::cms
