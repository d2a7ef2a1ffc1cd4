// core/mapping_kind: what an expression produces, from the expression alone.
#include "core/mapping_kind.hpp"

#include <gtest/gtest.h>

namespace feedsync::mapping {
namespace {

OutputShape shape_of(const std::string& text) {
  auto compiled = compile_expression(text);
  EXPECT_TRUE(compiled) << text;
  return output_shape(*compiled);
}

struct Case {
  const char* expression;
  Listness list;
  ElementShape element;
};

TEST(MappingKind, ShapesFollowTheSourceAndEveryTransform) {
  const Case cases[] = {
      {"title", Listness::unknown, ElementShape::unknown},
      {"'fixed'", Listness::no, ElementShape::text},
      {"42", Listness::no, ElementShape::number},
      {"true", Listness::no, ElementShape::boolean},
      {"null", Listness::no, ElementShape::null},
      {"authors[*].name", Listness::yes, ElementShape::unknown},
      {"authors[*].name | join(\", \")", Listness::no, ElementShape::text},
      {"authors[*].name | first", Listness::no, ElementShape::unknown},
      {"description | html", Listness::unknown, ElementShape::html},
      {"description | strip_pixel", Listness::unknown, ElementShape::html},
      {"description | strip_pixel | truncate(10)", Listness::unknown, ElementShape::html},
      {"description | html | text", Listness::unknown, ElementShape::text},
      {"published_at | date", Listness::unknown, ElementShape::date_time},
      {"published_at | date(\"%Y\")", Listness::unknown, ElementShape::text},
      {"images[*].url | image(width=10)", Listness::yes, ElementShape::text},
      {"word_count | number", Listness::unknown, ElementShape::number},
      {"meta_url | slug(title)", Listness::unknown, ElementShape::text},
      {"title | trim | prefix(\"x\")", Listness::unknown, ElementShape::text},
      {"'a' | default('b')", Listness::no, ElementShape::text},
      {"'a' | default(1)", Listness::no, ElementShape::unknown},
      {"title | default(null)", Listness::unknown, ElementShape::unknown},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(shape_of(c.expression), (OutputShape{c.list, c.element})) << c.expression;
  }
}

TEST(MappingKind, DescriptionsReadAsEnglish) {
  EXPECT_EQ(describe(shape_of("title")), "any value (a bare field)");
  EXPECT_EQ(describe(shape_of("authors[*].name | text")), "a list of text");
  EXPECT_EQ(describe(shape_of("description | html")), "HTML (rich text) (or a list of it)");
  EXPECT_EQ(describe(shape_of("'x'")), "text");
}

}  // namespace
}  // namespace feedsync::mapping
