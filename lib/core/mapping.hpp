#pragma once
// Field mapping (DESIGN.md §6): turns a Feed API entry's `content` into what the CMS is sent.
// Each expression is compiled once (compile_mapping, at configuration load) and applied to every
// entry (apply_mapping). Pure. The grammar is in mapping_expr.hpp; the semantics are:
//
// Sources
// - `a.b`, `a[0]`, `a[-1]` (last), `a["Key"]`: a path into the content. `["Label"]` on an object
//   is a key lookup; on a list it picks the first element whose "label" is exactly "Label"
//   (custom_fields, label sets): `custom_fields["Ad Date"].values[0]`.
// - `a[*].b`: fan-out. The steps after `[*]` apply to every element and the result is a flat
//   list (a second `[*]` flattens into it). Elements without a value are dropped. `[*]` on a
//   single value (an object where the feed usually has a list) treats it as a one-element list.
//   `[*]` on a missing list gives missing, on an empty list an empty list.
// - Literals: "text" or 'text', numbers, true, false, null. In YAML, quote an expression that
//   starts with a quote: `Kind: "'article'"`.
// - Missing: an absent field, a JSON null, an index out of range, a step into the wrong kind of
//   value (a field of a string). Missing is not an error; transforms pass it through.
//
// Transforms (a list input is processed element by element unless said otherwise)
// - text: HTML to one line of plain text (html::to_text). Numbers and booleans become text.
// - html: keeps the string and marks it as HTML (rich text for the CMS).
// - strip_pixel: removes CMP's tracking pixel (html::strip_tracking_pixel); marks it as HTML.
// - slug / slug(fallback): slugify (mapping_text.hpp). When the input is blank or slugifies to
//   nothing, the fallback (a path or literal) is slugified instead; `meta_url | slug(title)`
//   turns the sample's meta_url "/" into the title's slug. No usable slug: missing.
// - join / join(sep): a list to one string (default separator ", "); numbers and booleans as
//   text; an empty list gives "". A single value is turned into text.
// - date / date(format): an RFC 3339 date-time, re-written in UTC: without a format as RFC 3339
//   ("2025-07-24T12:01:43Z"; a fraction, cut to milliseconds, only when not zero), else per
//   mapping_date.hpp.
// - image(width=, height=, center_width=, center_height=): sets the CDN resize parameters in
//   the URL's query with Boost.URL: other parameters and the fragment are kept, an existing
//   parameter of the same name is replaced, values are encoded as needed. Values may be written
//   as numbers or quoted numbers; width and height must be whole and at least 1.
// - default(value): the value (a path or literal) when the input is blank (is_blank: missing,
//   null, empty or whitespace-only text, empty list); otherwise the input unchanged.
// - first: the first element of a list (missing when empty); anything else unchanged.
// - truncate(n) / truncate(n, suffix): at most n code points (mapping_text.hpp).
// - trim: without leading and trailing whitespace.
// - number: a number, or text that is one ("512"), as a JSON number; other text is an error.
// - prefix("text") / suffix("text"): text before / after the value; missing stays missing
//   (`meta_url | prefix("https://www.example.com")`).
// A value a transform cannot work with (an object where text is needed, a date that does not
// parse) is an error naming the transform, the field and the article: mapping an article wrong
// silently is worse than not mapping it.
//
// Outputs
// - displayName: required; must end as non-blank text (numbers are written as text).
// - routeSegment: optional; missing or blank leaves it out (the CMS derives one).
// - properties: a property whose value is missing is left out of the payload; any other value,
//   null included (`default(null)`), is sent as is. Names of HTML-valued properties are listed
//   in MappedPayload::rich_text.
// - locale: the feed's `locale`, or `locale_map[lang_code]` with the fallbacks of
//   core/locale_match.hpp (case and `_`/`-` ignored; "en-US" falls back to "en", "en" to a single
//   "en-*" entry). An entry without a mapped lang_code, or with an ambiguous one, is an error.
// - publishAt (only for feeds that schedule, MappingSpec::publish_at): an RFC 3339 date-time, or
//   a bare date "2025-07-24" (00:00 UTC that day), as text. Missing or blank: no time (publish
//   at once). Anything else (a number, a list, text that is no date) is an error naming the feed,
//   the article, the field and the value: an article must not be published at a guessed time.
//   Whether the time is still in the future is decided when the CMS is written (cms/rest_sink),
//   not here: mapping stays pure and the payload hash does not change as time passes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "core/expected.hpp"
#include "core/feed_entry.hpp"
#include "core/mapping_expr.hpp"

namespace feedsync {

// The mapping of one feed as configured (built from config::FeedConfig by the caller: core does
// not depend on config).
struct MappingSpec {
  std::string feed;  // the feed's name, for messages
  std::string display_name;
  std::optional<std::string> route_segment;
  std::vector<std::pair<std::string, std::string>> properties;  // CMS property -> expression
  std::optional<std::string> locale;
  std::map<std::string, std::string> locale_map;  // lang_code -> CMS locale
  // The expression of the publish time; set only when the feed schedules (`schedule: true`).
  std::optional<std::string> publish_at;
};

struct MappingError {
  std::string field;        // "mapping.displayName", "mapping.properties.Heading", "locale_map"
  std::size_t offset = 0;   // byte offset in the expression (0 when not about one)
  std::string message;      // complete: names the feed (and the article when applying)
};

struct CompiledMapping {
  std::string feed;
  mapping::CompiledExpression display_name;
  std::optional<mapping::CompiledExpression> route_segment;
  std::vector<std::pair<std::string, mapping::CompiledExpression>> properties;
  std::optional<std::string> locale;
  std::map<std::string, std::string> locale_map;  // keys as configured, one per normalized code
  std::optional<mapping::CompiledExpression> publish_at;
};

// Every expression is compiled; all problems are reported, not just the first.
Expected<CompiledMapping, std::vector<MappingError>> compile_mapping(const MappingSpec& spec);

struct MappedPayload {
  std::string display_name;
  std::optional<std::string> route_segment;
  boost::json::object properties;  // in configuration order
  std::string locale;
  std::vector<std::string> rich_text;  // property names whose value is HTML, in order
  // Feeds that schedule: whether they do (so the payload says so even for an article without a
  // time) and the article's publish time in unix ms UTC, if it has one.
  bool scheduling = false;
  std::optional<std::int64_t> publish_at_ms;
};

// `text` without C0 control characters other than tab, line feed and carriage return, without
// DEL and without C1 controls (U+0080..U+009F). apply_mapping applies it to every string it
// produces. Pure.
std::string strip_control_characters(std::string_view text);

// Errors name the feed, the article's guid and the field; all of them are reported.
// Every string in the result is stripped of control characters (strip_control_characters).
Expected<MappedPayload, std::vector<MappingError>> apply_mapping(const CompiledMapping& mapping,
                                                                 const FeedEntry& entry);
// The same for a bare content object; `guid` is only used in messages.
Expected<MappedPayload, std::vector<MappingError>> apply_mapping(
    const CompiledMapping& mapping, const boost::json::object& content, std::string_view guid);

}  // namespace feedsync
