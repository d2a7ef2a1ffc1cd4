// Mapping expressions are compiled when the configuration loads: a bad one is a ConfigError at
// the offending token (file:line:col), with the key path. Positions refer to the numbered lines
// of kMinimal (config_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace feedsync::config {
namespace {

using testing::error_of;
using testing::fake_env;
using testing::feed_block;
using testing::kMinimal;
using testing::replaced;

const std::string kBase = kMinimal;

std::string with_display_name(const std::string& expression) {
  return replaced(kBase, "      displayName: title\n", "      displayName: " + expression + "\n");
}

TEST(MappingConfigErrors, TheDesignExampleMappingLoads) {
  EXPECT_EQ(error_of(kBase +
                     "      routeSegment: meta_url | slug(title)\n"
                     "      properties:\n"
                     "        Heading: title\n"
                     "        Body: description | strip_pixel   # comment\n"
                     "        HeroImage: images[0].url | image(width=1200, height=630)\n"
                     "        Pillar: content_pillar[*].label | join(\", \")\n"
                     "        AdDate: custom_fields[\"Ad Date\"].values[0]\n"
                     "        Authors: authors[*].name\n"),
            "");
}

TEST(MappingConfigErrors, PointsAtTheTokenInAPlainScalar) {
  // "      displayName: " is 19 characters: the expression starts in column 20.
  EXPECT_EQ(error_of(with_display_name("title | slgu")),
            "feedsync.yaml:15:28: feeds[0].mapping.displayName: unknown transform \"slgu\"; did "
            "you mean \"slug\"?");
  EXPECT_EQ(error_of(with_display_name("title author")),
            "feedsync.yaml:15:26: feeds[0].mapping.displayName: expected '|' or the end of the "
            "expression, found 'author'");
}

TEST(MappingConfigErrors, NamesThePropertyAndTheRouteSegment) {
  EXPECT_EQ(error_of(kBase + "      properties:\n        Heading: title | join(1)\n"),
            "feedsync.yaml:17:31: feeds[0].mapping.properties.Heading: join: the separator must "
            "be a quoted string");
  EXPECT_EQ(error_of(kBase + "      routeSegment: meta_url | slug(title, x)\n"),
            "feedsync.yaml:16:44: feeds[0].mapping.routeSegment: slug takes 0 to 1 arguments, "
            "got 2 (usage: slug or slug(fallback))");
}

TEST(MappingConfigErrors, CountsTheOpeningQuoteOfAQuotedScalar) {
  // "        Pillar: " is 16 characters: the quote is in column 17, the expression in 18.
  EXPECT_EQ(error_of(kBase + "      properties:\n"
                             "        Pillar: 'content_pillar[*].label | joinn(\", \")'\n"),
            "feedsync.yaml:17:44: feeds[0].mapping.properties.Pillar: unknown transform "
            "\"joinn\"; did you mean \"join\"?");
  EXPECT_EQ(error_of(kBase + "      properties:\n        Pillar: \"title | nope\"\n"),
            "feedsync.yaml:17:26: feeds[0].mapping.properties.Pillar: unknown transform \"nope\" "
            "(known: text, html, strip_pixel, slug, join, date, image, default, first, truncate, "
            "trim, number, prefix, suffix)");
}

TEST(MappingConfigErrors, FallsBackToTheScalarWhenTheTextWasRewritten) {
  // Escapes, ${VAR} and folded lines make offsets in the expression differ from the file.
  EXPECT_EQ(error_of(kBase + "      properties:\n        Heading: \"title \\x7c slgu\"\n"),
            "feedsync.yaml:17:18: feeds[0].mapping.properties.Heading: unknown transform "
            "\"slgu\"; did you mean \"slug\"?");
  EXPECT_EQ(error_of(kBase + "      properties:\n        Heading: ${EXPR}\n",
                     fake_env({{"CMS_SECRET", testing::kSecret}, {"EXPR", "title | slgu"}})),
            "feedsync.yaml:17:18: feeds[0].mapping.properties.Heading: unknown transform "
            "\"slgu\"; did you mean \"slug\"?");
  EXPECT_EQ(error_of(kBase + "      properties:\n        Heading: title |\n          slgu\n"),
            "feedsync.yaml:17:18: feeds[0].mapping.properties.Heading: unknown transform "
            "\"slgu\"; did you mean \"slug\"?");
}

TEST(MappingConfigErrors, NamesTheFeedByIndex) {
  const std::string second = replaced(feed_block("news"), "      displayName: title\n",
                                      "      displayName: images[0\n");
  EXPECT_EQ(error_of(kBase + second),
            "feedsync.yaml:22:28: feeds[1].mapping.displayName: expected ']', found the end of "
            "the expression");
}

TEST(MappingConfigErrors, ExpressionStartingWithAQuoteNeedsYamlQuoting) {
  // YAML takes the quotes of "fixed" for its own: the expression is the path `fixed`, valid.
  EXPECT_EQ(error_of(kBase + "      properties:\n        Kind: \"fixed\"\n"), "");
  EXPECT_EQ(error_of(kBase + "      properties:\n        Kind: '\"fixed\" | slug'\n"), "");
}

}  // namespace
}  // namespace feedsync::config
