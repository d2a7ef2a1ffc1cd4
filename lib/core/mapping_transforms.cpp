// Binding transforms: every name and argument of an expression is checked here, once, when the
// configuration loads, so that a typo is a start-up error with a position rather than a
// failure on the first article.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/canonical_json.hpp"
#include "core/mapping_date.hpp"
#include "core/mapping_expr.hpp"
#include "core/strings.hpp"

namespace feedsync::mapping {
namespace {

constexpr std::string_view kImageUsage = "image(width=, height=, center_width=, center_height=)";

struct TransformInfo {
  std::string_view name;
  TransformKind kind;
  std::size_t min_args;
  std::size_t max_args;
  std::string_view usage;
};

constexpr std::array<TransformInfo, 14> kTransforms = {{
    {"text", TransformKind::text, 0, 0, "text"},
    {"html", TransformKind::html, 0, 0, "html"},
    {"strip_pixel", TransformKind::strip_pixel, 0, 0, "strip_pixel"},
    {"slug", TransformKind::slug, 0, 1, "slug or slug(fallback)"},
    {"join", TransformKind::join, 0, 1, "join or join(\", \")"},
    {"date", TransformKind::date, 0, 1, "date or date(\"%Y-%m-%d\")"},
    {"image", TransformKind::image, 1, 4, kImageUsage},
    {"default", TransformKind::default_value, 1, 1, "default(value)"},
    {"first", TransformKind::first, 0, 0, "first"},
    {"truncate", TransformKind::truncate, 1, 2, "truncate(n) or truncate(n, \"…\")"},
    {"trim", TransformKind::trim, 0, 0, "trim"},
    {"number", TransformKind::number, 0, 0, "number"},
    {"prefix", TransformKind::prefix, 1, 1, "prefix(\"text\")"},
    {"suffix", TransformKind::suffix, 1, 1, "suffix(\"text\")"},
}};

constexpr std::array<std::string_view, 4> kImageParameters = {"width", "height", "center_width",
                                                              "center_height"};

// Thrown and caught inside this file only (see compile_expression): a check deep in an
// argument's validation can stop binding without error plumbing through every helper.
struct Failure {
  ExpressionError error;
};
[[noreturn]] void fail(std::size_t offset, std::string message) {
  throw Failure{{offset, std::move(message)}};
}

// "; did you mean \"slug\"?" for the closest candidate within two edits, else "".
template <class Names>
std::string suggestion(std::string_view word, const Names& names) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (const std::string_view candidate : names) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance && d < candidate.size()) best = candidate, best_distance = d;
  }
  return best.empty() ? std::string() : "; did you mean \"" + std::string(best) + "\"?";
}

std::string known_transforms() {
  std::string out;
  for (const auto& info : kTransforms) out += (out.empty() ? "" : ", ") + std::string(info.name);
  return out;
}

std::string require_string(const Argument& argument, std::string_view transform,
                           std::string_view what) {
  const auto* literal = argument.value.literal();
  if (!literal || !literal->is_string()) {
    fail(argument.offset, std::string(transform) + ": " + std::string(what) +
                              " must be a quoted string");
  }
  return std::string(literal->get_string());
}

// A number written as a number or as a quoted number ("1200"): both appear in configurations.
std::optional<double> numeric(const Argument& argument) {
  const auto* literal = argument.value.literal();
  if (!literal) return std::nullopt;
  if (literal->is_int64()) return static_cast<double>(literal->get_int64());
  if (literal->is_double()) return literal->get_double();
  if (!literal->is_string()) return std::nullopt;
  const auto& text = literal->get_string();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

void bind_image(const Call& call, Transform& transform) {
  for (const auto& argument : call.arguments) {
    if (argument.name.empty()) {
      fail(argument.offset, "image takes named arguments: " + std::string(kImageUsage));
    }
    if (std::find(kImageParameters.begin(), kImageParameters.end(), argument.name) ==
        kImageParameters.end()) {
      fail(argument.offset, "image has no parameter \"" + argument.name + "\"" +
                                suggestion(argument.name, kImageParameters) +
                                " (known: width, height, center_width, center_height)");
    }
    const bool seen = std::any_of(transform.query.begin(), transform.query.end(),
                                  [&](const auto& p) { return p.first == argument.name; });
    if (seen) fail(argument.offset, "image: " + argument.name + " is given twice");
    const auto value = numeric(argument);
    const bool size = argument.name == "width" || argument.name == "height";
    if (!value || !std::isfinite(*value) || *value < 0 || (size && *value < 1) ||
        (size && std::floor(*value) != *value) || *value > 1e9) {
      fail(argument.value.offset,
           "image: " + argument.name + " must be " +
               (size ? "a whole number of pixels (1 or more)" : "a number of 0 or more"));
    }
    transform.query.emplace_back(argument.name, format_json_number(*value));
  }
}

void bind_arguments(const Call& call, const TransformInfo& info, Transform& transform) {
  const auto& args = call.arguments;
  switch (info.kind) {
    case TransformKind::slug:
      if (!args.empty()) transform.operand = args[0].value;
      break;
    case TransformKind::default_value:
      transform.operand = args[0].value;
      break;
    case TransformKind::join:
      transform.text = args.empty() ? ", " : require_string(args[0], "join", "the separator");
      break;
    case TransformKind::date:
      if (!args.empty()) {
        transform.text = require_string(args[0], "date", "the format");
        if (const auto bad = invalid_date_specifier(transform.text)) {
          const std::string spec = transform.text.substr(*bad, 2);
          fail(args[0].offset, "date: unsupported format specifier \"" + spec +
                                   "\" (known: %Y %y %m %d %e %j %H %I %p %M %S %s %a %A %b %B "
                                   "%F %T %z %Z %%)");
        }
      }
      break;
    case TransformKind::truncate: {
      const auto n = numeric(args[0]);
      if (!n || *n < 0 || std::floor(*n) != *n || *n > 1e9) {
        fail(args[0].offset, "truncate: the length must be a whole number of 0 or more");
      }
      transform.count = static_cast<std::size_t>(*n);
      if (args.size() > 1) transform.text = require_string(args[1], "truncate", "the suffix");
      break;
    }
    case TransformKind::image:
      bind_image(call, transform);
      break;
    case TransformKind::prefix:
    case TransformKind::suffix:
      transform.text = require_string(args[0], call.name, "the text");
      break;
    default:
      break;
  }
}

Transform bind(const Call& call) {
  const auto info = std::find_if(kTransforms.begin(), kTransforms.end(),
                                 [&](const auto& t) { return t.name == call.name; });
  if (info == kTransforms.end()) {
    std::vector<std::string_view> names;
    for (const auto& t : kTransforms) names.push_back(t.name);
    const std::string hint = suggestion(call.name, names);
    fail(call.offset, "unknown transform \"" + call.name + "\"" +
                          (hint.empty() ? " (known: " + known_transforms() + ")" : hint));
  }
  const auto& args = call.arguments;
  if (info->kind != TransformKind::image) {
    for (const auto& argument : args) {
      if (!argument.name.empty()) {
        fail(argument.offset, call.name + " takes no named arguments (usage: " +
                                  std::string(info->usage) + ")");
      }
    }
  }
  if (args.size() < info->min_args || args.size() > info->max_args) {
    const std::size_t offset = args.size() > info->max_args ? args[info->max_args].offset
                                                            : call.offset;
    const std::string expected =
        info->max_args == 0 ? "no arguments"
        : info->min_args == info->max_args
            ? std::to_string(info->min_args) + " argument" + (info->min_args == 1 ? "" : "s")
            : std::to_string(info->min_args) + " to " + std::to_string(info->max_args) +
                  " arguments";
    fail(offset, call.name + " takes " + expected + ", got " + std::to_string(args.size()) +
                     " (usage: " + std::string(info->usage) + ")");
  }
  Transform transform;
  transform.kind = info->kind;
  transform.name = call.name;
  transform.offset = call.offset;
  bind_arguments(call, *info, transform);
  return transform;
}

}  // namespace

Expected<CompiledExpression, ExpressionError> compile_expression(std::string_view text) {
  auto parsed = parse_expression(text);
  if (!parsed) return unexpected(std::move(parsed).error());
  CompiledExpression compiled{std::string(text), std::move(parsed->source), {}};
  try {
    for (const auto& call : parsed->calls) compiled.transforms.push_back(bind(call));
  } catch (const Failure& failure) {
    return unexpected(failure.error);
  }
  return compiled;
}

}  // namespace feedsync::mapping
