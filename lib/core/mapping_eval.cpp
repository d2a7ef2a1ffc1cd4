// Running a compiled expression over one entry's content: path lookup with fan-out, then each
// transform in turn. Semantics are documented in mapping.hpp.

#include <charconv>
#include <cmath>

#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/canonical_json.hpp"
#include "core/html.hpp"
#include "core/mapping_date.hpp"
#include "core/mapping_expr.hpp"
#include "core/mapping_text.hpp"
#include "core/time.hpp"

namespace feedsync::mapping {
namespace {

namespace json = boost::json;
using Result = Expected<Value, ExpressionError>;
// What a per-element function returns: a value, nothing (the element is dropped), or a problem.
using ElementResult = Expected<std::optional<json::value>, std::string>;

std::string describe(const json::value& value) {
  switch (value.kind()) {
    case json::kind::object: return "an object";
    case json::kind::array: return "a list";
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::string: return "a string";
    default: return "a number";
  }
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 80;  // enough to recognise the value, short enough for a log line
  return "\"" + truncate_code_points(text, kMax, "...") + "\"";
}

void push(std::vector<const json::value*>& out, const json::value* v) {
  if (v && !v->is_null()) out.push_back(v);  // null in the feed means "not set": missing
}

void step(const json::value& value, const PathStep& s, std::vector<const json::value*>& out) {
  const auto push = [&](const json::value* v) { mapping::push(out, v); };
  switch (s.kind) {
    case PathStep::Kind::field:
      if (const auto* object = value.if_object()) push(object->if_contains(s.name));
      break;
    case PathStep::Kind::label:
      if (const auto* object = value.if_object()) {
        push(object->if_contains(s.name));
      } else if (const auto* array = value.if_array()) {
        for (const auto& item : *array) {
          const auto* object = item.if_object();
          const auto* label = object ? object->if_contains("label") : nullptr;
          if (label && label->is_string() && label->get_string() == s.name) {
            push(&item);
            break;
          }
        }
      }
      break;
    case PathStep::Kind::index:
      if (const auto* array = value.if_array()) {
        const auto size = static_cast<std::int64_t>(array->size());
        const std::int64_t i = s.index < 0 ? size + s.index : s.index;
        if (i >= 0 && i < size) push(&(*array)[static_cast<std::size_t>(i)]);
      }
      break;
    case PathStep::Kind::each:
      if (const auto* array = value.if_array()) {
        for (const auto& item : *array) push(&item);
      } else {
        push(&value);  // one object where the feed usually has a list of them
      }
      break;
  }
}

Value lookup(const Path& path, const json::object& content) {
  // The content is an object, not a value: the first step is taken by hand rather than by
  // copying the whole article into a json::value.
  const PathStep& first = path.steps.front();
  if (first.kind != PathStep::Kind::field && first.kind != PathStep::Kind::label) return {};
  std::vector<const json::value*> current;
  push(current, content.if_contains(first.name));
  bool fanned_out = false;
  for (std::size_t i = 1; i < path.steps.size(); ++i) {
    const PathStep& s = path.steps[i];
    if (s.kind == PathStep::Kind::each && !fanned_out) {
      if (current.empty()) return {};  // the list itself is missing: missing, not empty
      fanned_out = true;
    }
    std::vector<const json::value*> next;
    for (const auto* value : current) step(*value, s, next);
    current = std::move(next);
  }
  if (!fanned_out) return current.empty() ? Value{} : Value{*current.front()};
  json::array list;
  for (const auto* value : current) list.push_back(*value);
  return Value{json::value(std::move(list))};
}

Value resolve(const Operand& operand, const json::object& content) {
  if (const auto* literal = operand.literal()) return Value{*literal};
  return lookup(std::get<Path>(operand.source), content);
}

template <class Fn>
Result each_element(const Value& in, const Transform& t, bool html_out, Fn fn) {
  if (in.missing()) return Value{};
  const auto fail = [&](const std::string& problem) {
    return unexpected(ExpressionError{t.offset, t.name + ": " + problem});
  };
  if (const auto* list = in.json->if_array()) {
    json::array out;
    for (const auto& item : *list) {
      if (item.is_null()) continue;
      auto r = fn(item);
      if (!r) return fail(r.error());
      if (*r) out.push_back(std::move(**r));
    }
    return Value{json::value(std::move(out)), html_out};
  }
  if (in.json->is_null()) return Value{};
  auto r = fn(*in.json);
  if (!r) return fail(r.error());
  if (!*r) return Value{};
  return Value{std::move(**r), html_out};
}

// Wraps a string -> string function for each_element, with the text check every one needs.
template <class Fn>
auto on_text(Fn fn) {
  return [fn](const json::value& v) -> ElementResult {
    auto text = as_text(v);
    if (!text) return unexpected("expected text, got " + describe(v));
    return std::optional<json::value>(json::value(fn(*text)));
  };
}

ElementResult slug_element(const json::value& v) {
  const auto text = as_text(v);
  if (!text) return unexpected("expected text, got " + describe(v));
  std::string slug = slugify(*text);
  if (slug.empty()) return std::optional<json::value>();
  return std::optional<json::value>(json::value(std::move(slug)));
}

ElementResult date_element(const Transform& t, const json::value& v) {
  const auto* text = v.if_string();
  if (!text) return unexpected("expected an RFC 3339 date-time, got " + describe(v));
  const auto ms = parse_rfc3339_ms(*text);
  if (!ms) return unexpected(quoted(*text) + " is not an RFC 3339 date-time");
  return std::optional<json::value>(
      json::value(t.text.empty() ? format_rfc3339_ms(*ms) : format_date(*ms, t.text)));
}

ElementResult image_element(const Transform& t, const json::value& v) {
  const auto* text = v.if_string();
  if (!text) return unexpected("expected an image URL, got " + describe(v));
  auto parsed = boost::urls::parse_uri_reference(std::string_view(*text));
  if (!parsed) return unexpected(quoted(*text) + " is not a URL: " + parsed.error().message());
  boost::urls::url url(*parsed);
  // A bare "?" is an empty query holding one empty parameter; appending to it would give "?&".
  if (url.has_query() && url.encoded_query().empty()) url.remove_query();
  for (const auto& [key, value] : t.query) url.params().set(key, value);
  return std::optional<json::value>(json::value(std::string_view(url.buffer())));
}

ElementResult number_element(const json::value& v) {
  if (v.is_number()) return std::optional<json::value>(v);
  const auto* text = v.if_string();
  if (!text) return unexpected("expected a number, got " + describe(v));
  const std::string_view digits = trim_text(*text);
  const char* first = digits.data();
  const char* last = first + digits.size();
  std::int64_t integer = 0;
  if (auto r = std::from_chars(first, last, integer); r.ec == std::errc() && r.ptr == last) {
    return std::optional<json::value>(json::value(integer));
  }
  double real = 0;
  if (auto r = std::from_chars(first, last, real); !digits.empty() && r.ec == std::errc() &&
                                                   r.ptr == last && std::isfinite(real)) {
    return std::optional<json::value>(json::value(real));
  }
  return unexpected(quoted(*text) + " is not a number");
}

Result join(const Transform& t, const Value& in) {
  if (in.missing() || in.json->is_null()) return Value{};
  const auto* list = in.json->if_array();
  if (!list) {
    auto text = as_text(*in.json);
    if (!text) return unexpected(ExpressionError{t.offset, "join: expected a list, got " +
                                                               describe(*in.json)});
    return Value{json::value(std::move(*text))};
  }
  std::string out;
  bool first = true;
  for (const auto& item : *list) {
    if (item.is_null()) continue;
    const auto text = as_text(item);
    if (!text) {
      return unexpected(ExpressionError{
          t.offset, "join: expected a list of text, but an element is " + describe(item)});
    }
    if (!first) out += t.text;
    first = false;
    out += *text;
  }
  return Value{json::value(std::move(out))};
}

Result slug(const Transform& t, const Value& in, const json::object& content) {
  if (!is_blank(in)) {
    auto r = each_element(in, t, false, slug_element);
    if (!r || !is_blank(*r)) return r;
  }
  if (!t.operand) return Value{};
  return each_element(resolve(*t.operand, content), t, false, slug_element);
}

Result apply(const Transform& t, const Value& in, const json::object& content) {
  switch (t.kind) {
    case TransformKind::text:
      return each_element(in, t, false,
                          on_text([](const std::string& s) { return html::to_text(s); }));
    case TransformKind::html:
      return each_element(in, t, true, on_text([](const std::string& s) { return s; }));
    case TransformKind::strip_pixel:
      return each_element(in, t, true, on_text([](const std::string& s) {
                            return html::strip_tracking_pixel(s);
                          }));
    case TransformKind::slug:
      return slug(t, in, content);
    case TransformKind::join:
      return join(t, in);
    case TransformKind::date:
      return each_element(in, t, false, [&](const json::value& v) { return date_element(t, v); });
    case TransformKind::image:
      return each_element(in, t, false, [&](const json::value& v) { return image_element(t, v); });
    case TransformKind::default_value:
      return is_blank(in) ? resolve(*t.operand, content) : in;
    case TransformKind::first: {
      const auto* list = in.missing() ? nullptr : in.json->if_array();
      if (!list) return in;
      if (list->empty() || list->front().is_null()) return Value{};
      return Value{list->front(), in.html};
    }
    case TransformKind::truncate:
      return each_element(in, t, in.html, on_text([&](const std::string& s) {
                            return truncate_code_points(s, t.count, t.text);
                          }));
    case TransformKind::trim:
      return each_element(in, t, in.html,
                          on_text([](const std::string& s) { return std::string(trim_text(s)); }));
    case TransformKind::number:
      return each_element(in, t, false, number_element);
    case TransformKind::prefix:
      return each_element(in, t, in.html,
                          on_text([&](const std::string& s) { return t.text + s; }));
    case TransformKind::suffix:
      return each_element(in, t, in.html,
                          on_text([&](const std::string& s) { return s + t.text; }));
  }
  return in;
}

}  // namespace

std::optional<std::string> as_text(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: return std::string(value.get_string());
    case json::kind::int64: return std::to_string(value.get_int64());
    case json::kind::uint64: return std::to_string(value.get_uint64());
    case json::kind::double_: return format_json_number(value.get_double());
    case json::kind::bool_: return value.get_bool() ? "true" : "false";
    default: return std::nullopt;
  }
}

bool is_blank(const Value& value) {
  if (value.missing() || value.json->is_null()) return true;
  if (const auto* text = value.json->if_string()) return trim_text(*text).empty();
  if (const auto* list = value.json->if_array()) return list->empty();
  return false;
}

Expected<Value, ExpressionError> evaluate(const CompiledExpression& expression,
                                          const json::object& content) {
  Value value = resolve(expression.source, content);
  for (const auto& transform : expression.transforms) {
    auto next = apply(transform, value, content);
    if (!next) return next;
    value = std::move(*next);
  }
  return value;
}

}  // namespace feedsync::mapping
