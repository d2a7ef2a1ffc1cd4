// cms/content_schema + cms/mapping_check: a feed's mapping against the CMS's content type,
// container and locales (issue 16, `check --connect`). Pure: definitions are given as the
// vendor's `ContentType` / `Locale` JSON.
#include "cms/mapping_check.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "config/config.hpp"

namespace feedsync::cms {
namespace {

// Line numbers matter: the tests assert positions.
const std::string kConfig =
    "cms:\n"                                                         // 1
    "  api: v1\n"                                                    // 2
    "  client_id: feedsync\n"                                        // 3
    "  client_secret: ${CMS_SECRET}\n"                               // 4
    "feeds:\n"                                                       // 5
    "  - name: blog\n"                                               // 6
    "    feed_id: abc123\n"                                          // 7
    "    content_type: ArticlePage\n"                                // 8
    "    container: 98eb33cfa7df48d1b987442c522984c8\n"              // 9
    "    locale_map: {en: en, de: de-DE, de_AT: de-DE}\n"            // 10
    "    mapping:\n"                                                 // 11
    "      displayName: title\n"                                     // 12
    "      properties:\n"                                            // 13
    "        Heading: title\n"                                       // 14
    "        Body: description | strip_pixel\n"                      // 15
    "        Summary: meta_description | html\n"                     // 16
    "        Tags: tags[*].name\n"                                   // 17
    "        Published: published_at | date\n"                       // 18
    "        Words: word_count | number\n"                           // 19
    "canonical:\n"                                                   // 20
    "  enabled: false\n";                                            // 21

// The vendor's ContentType shape; the mapping above fits it.
const char* kArticlePage = R"({
  "key": "ArticlePage", "displayName": "Article", "baseType": "page", "source": "cms",
  "properties": {
    "Heading": {"type": "string", "isRequired": true, "displayName": "Heading"},
    "Body": {"type": "richText"},
    "Summary": {"type": "richText"},
    "Tags": {"type": "array", "items": {"type": "string"}},
    "Published": {"type": "dateTime"},
    "Words": {"type": "integer"},
    "Hero": {"type": "contentReference"}
  }})";

config::Config load() {
  config::Environment env{[](const std::string& name) -> std::optional<std::string> {
    if (name == "CMS_SECRET") return "secret";
    return std::nullopt;
  }};
  return config::load_config_from_string(kConfig, "feedsync.yaml", env);
}

ContentTypeDefinition type_from(const std::string& text) {
  auto type = read_content_type(boost::json::parse(text));
  EXPECT_TRUE(type) << (type ? "" : type.error());
  return *type;
}

FeedTargetsInCms everything_present() {
  FeedTargetsInCms cms;
  cms.content_type = type_from(kArticlePage);
  cms.locales["en"] = LocaleDefinition{"en", true};
  cms.locales["de-DE"] = LocaleDefinition{"de-DE", true};
  return cms;
}

CompiledMapping compiled(const config::FeedConfig& feed) {
  MappingSpec spec{feed.name, feed.mapping.display_name.text, std::nullopt, {}, feed.locale, feed.locale_map, std::nullopt};
  for (const auto& [name, expression] : feed.mapping.properties) spec.properties.emplace_back(name, expression.text);
  auto mapping = compile_mapping(spec);
  EXPECT_TRUE(mapping);
  return *mapping;
}

std::vector<std::string> problems(const FeedTargetsInCms& cms) {
  const auto config = load();
  const auto& feed = config.feeds.front();
  const auto mapping = compiled(feed);
  std::vector<std::string> out;
  for (const auto& problem : check_feed_against_cms(feed, mapping, cms)) out.push_back(format_problem(problem));
  return out;
}

TEST(ContentSchema, ReadsTheVendorsContentTypeAndLocaleShapes) {
  const auto type = type_from(kArticlePage);
  EXPECT_EQ(type.key, "ArticlePage");
  EXPECT_TRUE(type.properties_listed);
  ASSERT_EQ(type.properties.size(), 7u);
  EXPECT_TRUE(type.properties.at("Heading").required);
  EXPECT_FALSE(type.properties.at("Body").required);
  EXPECT_EQ(type.properties.at("Tags").type, "array");
  EXPECT_EQ(type.properties.at("Tags").item_type, "string");

  EXPECT_FALSE(type_from(R"({"key": "Bare", "displayName": "Bare"})").properties_listed);
  EXPECT_FALSE(read_content_type(boost::json::parse(R"({"properties": {"A": {"isRequired": true}}})")));
  EXPECT_FALSE(read_content_type(boost::json::parse("[]")));

  auto locale = read_locale(boost::json::parse(R"({"key": "sv", "displayName": "Svenska", "isEnabled": false,
                                                   "routeSegment": "sv"})"));
  ASSERT_TRUE(locale);
  EXPECT_EQ(locale->key, "sv");
  EXPECT_FALSE(locale->enabled);
  EXPECT_TRUE(read_locale(boost::json::parse(R"({"key": "en", "displayName": "English"})"))->enabled);
}

TEST(ContentSchema, RequestsAreTheDefinitionsPaths) {
  EXPECT_EQ(content_type_request("https://api.cms.optimizely.com/v1", "ArticlePage").url,
            "https://api.cms.optimizely.com/v1/contenttypes/ArticlePage");
  EXPECT_EQ(locale_request("https://api.cms.optimizely.com/v1/", "de-DE").url,
            "https://api.cms.optimizely.com/v1/locales/de-DE");
  EXPECT_EQ(container_request("https://x/_cms/version2", "98eb33cfa7df48d1b987442c522984c8").url,
            "https://x/_cms/version2/content/98eb33cfa7df48d1b987442c522984c8");
}

TEST(MappingCheck, AMappingThatFitsHasNoProblem) {
  EXPECT_EQ(problems(everything_present()), std::vector<std::string>{});
}

TEST(MappingCheck, APropertyMissingOnTheTypeIsReportedAtItsLine) {
  auto cms = everything_present();
  cms.content_type->properties.erase("Summary");
  const auto found = problems(cms);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rfind("feedsync.yaml:16:", 0), 0u) << found[0];
  EXPECT_NE(found[0].find("feed blog: mapping.properties.Summary: content type ArticlePage has no property Summary"),
            std::string::npos) << found[0];
  EXPECT_NE(found[0].find("it has: Body, Heading"), std::string::npos) << found[0];
}

TEST(MappingCheck, AValueOfTheWrongKindNamesWhatTheMappingProducesAndTheFix) {
  auto cms = everything_present();
  cms.content_type->properties["Summary"] = {"string", "", false};  // mapped with | html
  cms.content_type->properties["Body"] = {"richText", "", false};
  cms.content_type->properties["Heading"] = {"richText", "", true};  // mapped from a bare field: sent as text
  const auto found = problems(cms);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].rfind("feedsync.yaml:14:", 0), 0u) << found[0];
  EXPECT_NE(found[0].find("Heading is a richText property: rich text takes HTML: end the expression with `| html`"),
            std::string::npos) << found[0];
  EXPECT_EQ(found[1].rfind("feedsync.yaml:16:", 0), 0u) << found[1];
  EXPECT_NE(found[1].find("`meta_description | html` produces HTML (rich text)"), std::string::npos) << found[1];
}

TEST(PropertyMisfit, TableOfTypesAgainstShapes) {
  using mapping::ElementShape;
  using mapping::Listness;
  struct Row {
    PropertyDefinition property;
    mapping::OutputShape shape;
    bool fits;
  };
  const Row rows[] = {
      {{"string", ""}, {Listness::unknown, ElementShape::unknown}, true},
      {{"string", ""}, {Listness::no, ElementShape::text}, true},
      {{"string", ""}, {Listness::unknown, ElementShape::html}, false},
      {{"string", ""}, {Listness::yes, ElementShape::text}, false},
      {{"string", ""}, {Listness::no, ElementShape::number}, false},
      {{"url", ""}, {Listness::yes, ElementShape::text}, false},
      {{"url", ""}, {Listness::unknown, ElementShape::text}, true},
      {{"richText", ""}, {Listness::unknown, ElementShape::html}, true},
      {{"richText", ""}, {Listness::unknown, ElementShape::unknown}, false},
      {{"richText", ""}, {Listness::unknown, ElementShape::text}, false},
      {{"dateTime", ""}, {Listness::unknown, ElementShape::date_time}, true},
      {{"dateTime", ""}, {Listness::unknown, ElementShape::number}, false},
      {{"integer", ""}, {Listness::unknown, ElementShape::number}, true},
      {{"float", ""}, {Listness::unknown, ElementShape::text}, false},
      {{"boolean", ""}, {Listness::no, ElementShape::boolean}, true},
      {{"boolean", ""}, {Listness::no, ElementShape::text}, false},
      {{"json", ""}, {Listness::yes, ElementShape::html}, true},
      {{"link", ""}, {Listness::unknown, ElementShape::text}, false},
      {{"contentReference", ""}, {Listness::unknown, ElementShape::text}, false},
      {{"array", "string"}, {Listness::yes, ElementShape::text}, true},
      {{"array", "string"}, {Listness::unknown, ElementShape::unknown}, true},
      {{"array", "string"}, {Listness::no, ElementShape::text}, false},
      {{"array", "integer"}, {Listness::yes, ElementShape::text}, false},
      {{"array", ""}, {Listness::yes, ElementShape::html}, true},
      {{"someFutureType", ""}, {Listness::no, ElementShape::text}, true},
      {{"string", ""}, {Listness::no, ElementShape::null}, true},
  };
  for (const auto& row : rows) {
    const auto why = property_misfit(row.property, row.shape);
    EXPECT_EQ(!why.has_value(), row.fits) << row.property.type << "/" << row.property.item_type << " vs "
                                          << mapping::describe(row.shape) << ": " << why.value_or("fits");
  }
}

TEST(MappingCheck, ARequiredPropertyTheMappingDoesNotSetIsReported) {
  auto cms = everything_present();
  cms.content_type->properties["Author"] = {"string", "", true};
  const auto found = problems(cms);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rfind("feedsync.yaml:6:", 0), 0u) << found[0];
  EXPECT_NE(found[0].find("content type ArticlePage requires property Author (string), which the mapping does not set"),
            std::string::npos) << found[0];
}

TEST(MappingCheck, ATypeWithoutListedPropertiesIsNotCheckedPropertyByProperty) {
  auto cms = everything_present();
  cms.content_type = type_from(R"({"key": "ArticlePage", "displayName": "Article"})");
  EXPECT_EQ(problems(cms), std::vector<std::string>{});
}

TEST(MappingCheck, MissingTypeContainerAndLocalesAreReportedAtTheirKeys) {
  FeedTargetsInCms cms;
  cms.content_type = std::nullopt;
  cms.container_found = false;
  cms.locales["en"] = std::nullopt;
  cms.locales["de-DE"] = LocaleDefinition{"de-DE", false};
  const auto found = problems(cms);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0], "feedsync.yaml:8:19: feed blog: content_type: content type ArticlePage does not exist in the CMS");
  EXPECT_EQ(found[1].rfind("feedsync.yaml:9:16: feed blog: container: no content item 98eb33cfa7df48d1b987442c522984c8", 0),
            0u) << found[1];
  EXPECT_EQ(found[2].rfind("feedsync.yaml:10:", 0), 0u) << found[2];
  EXPECT_NE(found[2].find("locale_map: locale de-DE is not enabled in the CMS"), std::string::npos) << found[2];
  EXPECT_EQ(found[3], "feedsync.yaml:10:22: feed blog: locale_map: locale en does not exist in the CMS");
}

TEST(MappingCheck, TargetLocalesAreEachMappedLocaleOnce) {
  const auto config = load();
  EXPECT_EQ(target_locales(config.feeds.front()), (std::vector<std::string>{"de-DE", "en"}));
}

}  // namespace
}  // namespace feedsync::cms
