#pragma once
// What a compiled mapping expression produces, worked out from the expression alone (no article):
// `check --connect` compares it with the type of the CMS property it is mapped to, so a mapping
// that would send plain text to a rich-text property, or a list to a string, is reported before
// anything is written. Pure.
//
// The answer is as precise as the expression allows: a bare path (`title`) can hold anything in
// the feed, so its shape is `unknown` and fits every property type; transforms narrow it (`html`
// makes HTML, `date` a date-time, `number` a number, `join` one string, `[*]` a list).

#include <string>

#include "core/mapping_expr.hpp"

namespace feedsync::mapping {

enum class ElementShape {
  unknown,    // whatever the feed holds there
  text,       // a string (slug, join, truncate, a string literal, ...)
  html,       // an HTML fragment: `html` / `strip_pixel` (sent as rich text)
  date_time,  // an RFC 3339 date-time: `date` without a format
  number,
  boolean,
  null,
};

enum class Listness { no, yes, unknown };

struct OutputShape {
  Listness list = Listness::unknown;
  ElementShape element = ElementShape::unknown;
  friend bool operator==(const OutputShape&, const OutputShape&) = default;
};

OutputShape output_shape(const CompiledExpression& expression);

// "HTML text", "a list of text", "a number", "any value (a bare field)", ... for messages.
std::string describe(const OutputShape& shape);

}  // namespace feedsync::mapping
