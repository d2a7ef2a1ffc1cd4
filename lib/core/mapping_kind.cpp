#include "core/mapping_kind.hpp"

#include <algorithm>

namespace feedsync::mapping {
namespace {

OutputShape literal_shape(const boost::json::value& value) {
  if (value.is_string()) return {Listness::no, ElementShape::text};
  if (value.is_bool()) return {Listness::no, ElementShape::boolean};
  if (value.is_null()) return {Listness::no, ElementShape::null};
  if (value.is_number()) return {Listness::no, ElementShape::number};
  return {};
}

OutputShape source_shape(const Operand& operand) {
  if (const auto* literal = operand.literal()) return literal_shape(*literal);
  const auto& steps = std::get<Path>(operand.source).steps;
  const bool fans_out =
      std::any_of(steps.begin(), steps.end(), [](const PathStep& step) { return step.kind == PathStep::Kind::each; });
  return {fans_out ? Listness::yes : Listness::unknown, ElementShape::unknown};
}

// `default(x)`: the input, or x when the input is blank; known only where both agree.
OutputShape either(const OutputShape& a, const OutputShape& b) {
  return {a.list == b.list ? a.list : Listness::unknown,
          a.element == b.element ? a.element : ElementShape::unknown};
}

// Transforms that keep an HTML mark (truncate, trim, prefix, suffix) make text of anything else.
ElementShape text_keeping_html(ElementShape in) {
  return in == ElementShape::html ? ElementShape::html : ElementShape::text;
}

OutputShape apply(const Transform& t, OutputShape in) {
  switch (t.kind) {
    case TransformKind::text: return {in.list, ElementShape::text};
    case TransformKind::html:
    case TransformKind::strip_pixel: return {in.list, ElementShape::html};
    case TransformKind::slug: return {in.list, ElementShape::text};
    case TransformKind::join: return {Listness::no, ElementShape::text};
    case TransformKind::date:
      return {in.list, t.text.empty() ? ElementShape::date_time : ElementShape::text};
    case TransformKind::image: return {in.list, ElementShape::text};
    case TransformKind::default_value: return either(in, source_shape(*t.operand));
    case TransformKind::first: return {Listness::no, in.element};
    case TransformKind::truncate:
    case TransformKind::trim:
    case TransformKind::prefix:
    case TransformKind::suffix: return {in.list, text_keeping_html(in.element)};
    case TransformKind::number: return {in.list, ElementShape::number};
  }
  return {};
}

const char* element_name(ElementShape element) {
  switch (element) {
    case ElementShape::unknown: return "any value";
    case ElementShape::text: return "text";
    case ElementShape::html: return "HTML (rich text)";
    case ElementShape::date_time: return "a date-time";
    case ElementShape::number: return "a number";
    case ElementShape::boolean: return "a boolean";
    case ElementShape::null: return "null";
  }
  return "?";
}

}  // namespace

OutputShape output_shape(const CompiledExpression& expression) {
  OutputShape shape = source_shape(expression.source);
  for (const auto& transform : expression.transforms) shape = apply(transform, shape);
  return shape;
}

std::string describe(const OutputShape& shape) {
  const std::string element = element_name(shape.element);
  switch (shape.list) {
    case Listness::yes: return "a list of " + element;
    case Listness::no: return element;
    case Listness::unknown: break;
  }
  return shape.element == ElementShape::unknown ? "any value (a bare field)" : element + " (or a list of it)";
}

}  // namespace feedsync::mapping
