#pragma once
// One mapping expression (DESIGN.md §6): a source, then a pipeline of transforms.
//
//   expression := operand ( "|" transform )*
//   operand    := path | literal
//   path       := ( name | "[" string "]" ) ( "." name | "[" index "]" )*      no spaces inside
//   index      := integer (negative counts from the end) | "*" | string
//   literal    := string ("..." or '...', escapes \" \' \\ \n \t \r \uXXXX) | number
//                 | true | false | null
//   transform  := name [ "(" [ argument ( "," argument )* ] ")" ]
//   argument   := [ name "=" ] operand
//
// Offsets in errors are 0-based byte offsets into the expression text. The behaviour of paths and
// of every transform is documented in mapping.hpp, next to the public entry points.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/expected.hpp"

namespace feedsync::mapping {

struct ExpressionError {
  std::size_t offset = 0;
  std::string message;
};

struct PathStep {
  enum class Kind {
    field,  // .name (and a leading name)
    index,  // [n]
    each,   // [*]
    label,  // ["Label"]: an object key, or the element of a list of {label, ...} objects
  };
  Kind kind = Kind::field;
  std::string name;
  std::int64_t index = 0;
  std::size_t offset = 0;
};

struct Path {
  std::vector<PathStep> steps;
};

struct Operand {
  std::variant<Path, boost::json::value> source;  // a path into the content, or a literal
  std::size_t offset = 0;
  const boost::json::value* literal() const { return std::get_if<boost::json::value>(&source); }
};

struct Argument {
  std::string name;  // empty when positional
  Operand value;
  std::size_t offset = 0;  // of the name when named, else of the value
};

// A transform as written, before its name and arguments are checked.
struct Call {
  std::string name;
  std::vector<Argument> arguments;
  std::size_t offset = 0;
};

struct ParsedExpression {
  Operand source;
  std::vector<Call> calls;
};

Expected<ParsedExpression, ExpressionError> parse_expression(std::string_view text);

enum class TransformKind {
  text, html, strip_pixel, slug, join, date, image, default_value, first, truncate, trim, number,
  prefix, suffix
};

// A transform with its arguments checked and pre-digested, ready to run.
struct Transform {
  TransformKind kind = TransformKind::text;
  std::string name;
  std::size_t offset = 0;
  std::optional<Operand> operand;  // slug's fallback, default's value
  std::string text;                // join's separator, date's format, truncate's suffix, prefix...
  std::size_t count = 0;           // truncate's limit
  std::vector<std::pair<std::string, std::string>> query;  // image's parameters, in order
};

struct CompiledExpression {
  std::string text;
  Operand source;
  std::vector<Transform> transforms;
};

// Parses and checks every transform name and argument, once, at configuration load.
Expected<CompiledExpression, ExpressionError> compile_expression(std::string_view text);

// What an expression produces. "Missing" (no json) is not an error: a field that is absent or
// null in the feed is missing, and so is everything computed from it until `default` supplies a
// value. Lists are JSON arrays. `html` marks a value that is an HTML fragment (produced by
// `html` or `strip_pixel`), which CMS dialects with rich-text properties send as such.
struct Value {
  std::optional<boost::json::value> json;
  bool html = false;
  bool missing() const { return !json.has_value(); }
};

// Strings as they are, numbers and booleans as JSON writes them (canonical_json.hpp); nullopt for
// null, objects and lists.
std::optional<std::string> as_text(const boost::json::value& value);

// Missing, null, a string that is empty or only whitespace, or an empty list: what `default`
// and slug's fallback replace.
bool is_blank(const Value& value);

// Runs an expression over an entry's `content`. Errors are values that the transforms cannot
// work with (a date that is not RFC 3339, a URL that does not parse, an object where text is
// needed); offset is the failing transform's.
Expected<Value, ExpressionError> evaluate(const CompiledExpression& expression,
                                          const boost::json::object& content);

}  // namespace feedsync::mapping
