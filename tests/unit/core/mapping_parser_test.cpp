// The expression grammar and compile-time checks: every source form, and errors with offsets.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/mapping_expr.hpp"

namespace feedsync::mapping {
namespace {

using ::testing::HasSubstr;
using Kind = PathStep::Kind;

ParsedExpression parse(std::string_view text) {
  auto parsed = parse_expression(text);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : ParsedExpression{};
}

const Path& path_of(const ParsedExpression& e) { return std::get<Path>(e.source.source); }

TEST(MappingParser, PlainAndDottedPaths) {
  const auto e = parse("title");
  ASSERT_EQ(path_of(e).steps.size(), 1u);
  EXPECT_EQ(path_of(e).steps[0].name, "title");
  EXPECT_TRUE(e.calls.empty());

  const auto nested = parse("source.name");
  ASSERT_EQ(path_of(nested).steps.size(), 2u);
  EXPECT_EQ(path_of(nested).steps[1].kind, Kind::field);
  EXPECT_EQ(path_of(nested).steps[1].name, "name");
  EXPECT_EQ(path_of(nested).steps[1].offset, 7u);
}

TEST(MappingParser, IndexFanOutAndLabelSteps) {
  const auto parsed = parse("custom_fields[\"Ad Date\"].values[0]");
  const auto& steps = path_of(parsed).steps;
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[1].kind, Kind::label);
  EXPECT_EQ(steps[1].name, "Ad Date");
  EXPECT_EQ(steps[1].offset, 13u);
  EXPECT_EQ(steps[3].kind, Kind::index);
  EXPECT_EQ(steps[3].index, 0);

  const auto fan_out = parse("content_pillar[*].label");
  const auto& fan = path_of(fan_out).steps;
  ASSERT_EQ(fan.size(), 3u);
  EXPECT_EQ(fan[1].kind, Kind::each);

  EXPECT_EQ(path_of(parse("images[-1]")).steps[1].index, -1);
  EXPECT_EQ(path_of(parse("images[ 2 ]")).steps[1].index, 2);
  EXPECT_EQ(path_of(parse("a['single']")).steps[1].name, "single");
}

TEST(MappingParser, PathMayStartWithABracketedKey) {
  const auto parsed = parse("[\"odd key\"].x");
  const auto& steps = path_of(parsed).steps;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, Kind::label);
  EXPECT_EQ(steps[0].name, "odd key");
}

TEST(MappingParser, Literals) {
  EXPECT_EQ(*parse("\"text\"").source.literal(), boost::json::value("text"));
  EXPECT_EQ(*parse("'it\\'s'").source.literal(), boost::json::value("it's"));
  EXPECT_EQ(*parse("\"a\\\"b\\\\c\\n\\t\\u00e9\"").source.literal(),
            boost::json::value("a\"b\\c\n\t\xC3\xA9"));
  EXPECT_EQ(*parse("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").source.literal(),
            boost::json::value("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_EQ(*parse("42").source.literal(), boost::json::value(42));
  EXPECT_EQ(*parse("-7").source.literal(), boost::json::value(-7));
  EXPECT_EQ(*parse("1.5").source.literal(), boost::json::value(1.5));
  EXPECT_EQ(*parse("2e3").source.literal(), boost::json::value(2000.0));
  EXPECT_EQ(*parse("true").source.literal(), boost::json::value(true));
  EXPECT_EQ(*parse("false").source.literal(), boost::json::value(false));
  EXPECT_TRUE(parse("null").source.literal()->is_null());
  // Followed by a step, a keyword is a field name.
  EXPECT_EQ(path_of(parse("null.x")).steps[0].name, "null");
}

TEST(MappingParser, PipelineWithPositionalAndNamedArguments) {
  const auto e = parse("  images[0].url|image( width = 1200 ,height=\"630\")  |  first ");
  ASSERT_EQ(e.calls.size(), 2u);
  EXPECT_EQ(e.calls[0].name, "image");
  EXPECT_EQ(e.calls[0].offset, 16u);
  ASSERT_EQ(e.calls[0].arguments.size(), 2u);
  EXPECT_EQ(e.calls[0].arguments[0].name, "width");
  EXPECT_EQ(e.calls[0].arguments[0].offset, 23u);
  EXPECT_EQ(*e.calls[0].arguments[0].value.literal(), boost::json::value(1200));
  EXPECT_EQ(e.calls[0].arguments[1].name, "height");
  EXPECT_EQ(e.calls[1].name, "first");
  EXPECT_TRUE(e.calls[1].arguments.empty());

  const auto slug = parse("meta_url | slug(title)");
  ASSERT_EQ(slug.calls.size(), 1u);
  ASSERT_EQ(slug.calls[0].arguments.size(), 1u);
  EXPECT_TRUE(slug.calls[0].arguments[0].name.empty());
  EXPECT_EQ(std::get<Path>(slug.calls[0].arguments[0].value.source).steps[0].name, "title");
  EXPECT_TRUE(parse("title | first()").calls[0].arguments.empty());
}

TEST(MappingParser, DesignExamplesCompile) {
  for (const char* text :
       {"title", "meta_url | slug(title)", "description | strip_pixel", "meta_description",
        "published_at", "images[0].url | image(width=1200, height=630)",
        "content_pillar[*].label | join(\", \")", "custom_fields[\"Ad Date\"].values[0]",
        "authors[*].name", "description | text | truncate(160, \"\xE2\x80\xA6\")",
        "published_at | date(\"%d %B %Y\")", "authors[*].name | default(\"Staff\")",
        "images[0].width | number", "title | html", "title | trim | first"}) {
    const auto compiled = compile_expression(text);
    EXPECT_TRUE(compiled) << text << ": " << (compiled ? "" : compiled.error().message);
  }
}

struct BadExpression {
  const char* text;
  std::size_t offset;
  const char* message_part;
};

class MappingCompileError : public ::testing::TestWithParam<BadExpression> {};

TEST_P(MappingCompileError, NamesTheProblemAtItsOffset) {
  const auto& bad = GetParam();
  const auto compiled = compile_expression(bad.text);
  ASSERT_FALSE(compiled) << bad.text;
  EXPECT_EQ(compiled.error().offset, bad.offset) << bad.text << ": " << compiled.error().message;
  EXPECT_THAT(compiled.error().message, HasSubstr(bad.message_part)) << bad.text;
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, MappingCompileError,
    ::testing::Values(
        BadExpression{"", 0, "empty expression"},
        BadExpression{"   ", 3, "empty expression"},
        BadExpression{"title |", 7, "expected a transform name after '|'"},
        BadExpression{"title | | text", 8, "expected a transform name"},
        BadExpression{"title author", 6, "expected '|' or the end"},
        BadExpression{"title ~", 6, "found '~'"},
        BadExpression{"titl\xC3\xA9", 4, "found '\xC3\xA9'"},
        BadExpression{"images[0", 8, "expected ']'"},
        BadExpression{"images[x]", 7, "expected an index, * or a quoted label"},
        BadExpression{"images[1.5]", 7, "whole number"},
        BadExpression{"images.[0]", 7, "expected a field name after '.'"},
        BadExpression{"images.", 7, "expected a field name after '.'"},
        BadExpression{"\"abc", 0, "unterminated string"},
        BadExpression{"title | join(\", \"", 12, "unclosed '('"},
        BadExpression{"title | join(\", \" \";\")", 18, "expected ',' or ')'"},
        BadExpression{"\"a\\qb\"", 2, "unknown escape \\q"},
        BadExpression{"\"\\u12\"", 1, "four hexadecimal digits"},
        BadExpression{"\"\\ud800\"", 1, "surrogates"},
        BadExpression{"12abc", 2, "in a number"},
        BadExpression{"1e", 2, "exponent"},
        BadExpression{"| text", 0, "expected a field path or a literal"}));

INSTANTIATE_TEST_SUITE_P(
    Transforms, MappingCompileError,
    ::testing::Values(
        BadExpression{"title | slgu", 8, "unknown transform \"slgu\"; did you mean \"slug\"?"},
        BadExpression{"title | strip_pixels", 8, "did you mean \"strip_pixel\"?"},
        BadExpression{"title | frobnicate", 8,
                      "(known: text, html, strip_pixel, slug, join, date, image, default, first, "
                      "truncate, trim, number, prefix, suffix)"},
        BadExpression{"title | text(1)", 13, "text takes no arguments, got 1"},
        BadExpression{"title | default", 8, "default takes 1 argument, got 0"},
        BadExpression{"title | default(1, 2)", 19, "default takes 1 argument, got 2"},
        BadExpression{"title | join(\", \", \"x\")", 19, "join takes 0 to 1 arguments"},
        BadExpression{"title | join(1)", 13, "join: the separator must be a quoted string"},
        BadExpression{"title | join(sep)", 13, "must be a quoted string"},
        BadExpression{"title | slug(fallback=title)", 13, "slug takes no named arguments"},
        BadExpression{"published_at | date(\"%Y-%Q\")", 20, "unsupported format specifier \"%Q\""},
        BadExpression{"published_at | date(\"100%\")", 20, "unsupported format specifier"},
        BadExpression{"published_at | date(1)", 20, "the format must be a quoted string"},
        BadExpression{"title | truncate", 8, "truncate takes 1 to 2 arguments, got 0"},
        BadExpression{"title | truncate(-1)", 17, "whole number of 0 or more"},
        BadExpression{"title | truncate(2.5)", 17, "whole number"},
        BadExpression{"title | truncate(\"x\")", 17, "whole number"},
        BadExpression{"title | truncate(5, 1)", 20, "the suffix must be a quoted string"},
        BadExpression{"u | image", 4, "image takes 1 to 4 arguments, got 0"},
        BadExpression{"u | image()", 4, "image takes 1 to 4 arguments"},
        BadExpression{"u | image(1200)", 10, "image takes named arguments"},
        BadExpression{"u | image(widht=5)", 10, "no parameter \"widht\"; did you mean \"width\"?"},
        BadExpression{"u | image(size=5)", 10,
                      "(known: width, height, center_width, center_height)"},
        BadExpression{"u | image(width=1, width=2)", 19, "width is given twice"},
        BadExpression{"u | image(width=0)", 16, "whole number of pixels"},
        BadExpression{"u | image(height=12.5)", 17, "whole number of pixels"},
        BadExpression{"u | image(width=\"wide\")", 16, "whole number of pixels"},
        BadExpression{"u | image(width=w)", 16, "whole number of pixels"},
        BadExpression{"u | image(center_width=-1)", 23, "a number of 0 or more"},
        BadExpression{"u | prefix(1)", 11, "prefix: the text must be a quoted string"},
        BadExpression{"u | suffix", 4, "suffix takes 1 argument, got 0"}));

}  // namespace
}  // namespace feedsync::mapping
