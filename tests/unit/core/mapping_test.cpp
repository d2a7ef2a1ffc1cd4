// compile_mapping + apply_mapping end to end: the vendor's sample entry through the example
// mapping of DESIGN.md §6, locales, and errors that name the feed, the article and the field.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/mapping.hpp"
#include "core/mapping_payload.hpp"

namespace feedsync {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The `content` of the sample in seeds/cmp-feed-api-v2.txt, verbatim except for the "]" that
// the document lost after custom_fields (its JSON does not parse without it).
constexpr const char* kSampleContent = R"({
  "guid": "151a3f3ccda517geab6db0aF5f9be72d9",
  "group_id": "151a3f3ccdaxe751Bu91eab6db0ad4f9be72d9",
  "meta_title": "Feed Article Sample",
  "meta_description": "Lorem ipsum dolor sit amet, consectetur adipiscing...",
  "meta_url": "/",
  "meta_keywords": [],
  "images": [
    {
      "caption": "mango.png",
      "attribution_text": "",
      "description": "",
      "height": "512",
      "width": "369",
      "thumbnail": "https://img.optimizely.com/Zz0yNWU2MzMzNWNkfgYTUxMWV5hOD7QzYzBhMDY3NTYwZjM5Nw==?width=75&height=75",
      "url": "https://img.optimizely.com/Zz0yNWU2MzMzNgfWNkYTUxMWV5hOD7QzYzBhMDY3NTYwZjM5Nw==/mango.png",
      "mimetype": "image/png",
      "source": {
        "name": "Martin's Test Group"
      }
    }
  ],
  "videos": [],
  "authors": null,
  "topics": [],
  "title": "Feed Article Sample",
  "description": "<p>Lorem ipsum dolor sit amet, consectetur adipiscing ...</p>\n<p>...sed do eiusmod tempor incididunt...</p>\n<img src=\"https://pixel.optimizely.com/px.gif?key=YXJ0aWNsZT0xNTFhM2YzY2NkYTUxMWVhYjZkYjBhZDRmOWJlNzJkOQ==\" alt=\"\" height=\"1\" width=\"1\" class=\"nc_pixel\"/>",
  "created_at": "2025-07-24T11:59:10Z",
  "modified_at": "2025-07-24T12:01:43Z",
  "published_at": "2025-07-24T12:01:43Z",
  "link": null,
  "pixel_key": "YXJ0aWNsZThg0xNTFhM2YzY2NkYTUYZxMWVhYjZkYjBhZDRmOWJlNzJkOQ==",
  "customer_canonical_link": null,
  "source": {
    "guid": "5bc5e258e9cb54e3f865b6g2fa98dc4324",
    "name": "Instance"
  },
  "lang_code": "en",
  "custom_fields": [
    {
      "label": "Ad Date",
      "values": [
        "2025-07-24T11:00:00.000Z"
      ]
    }
  ],
  "content_pillar": [
    {
      "label": "BLOG:Social Impact"
    }
  ],
  "content_format": [],
  "custom_label_set": [
    {
      "label": "Short",
      "type": "Article Length"
    }
  ],
  "target_audience": [
    {
      "label": "Parents"
    }
  ],
  "journey_stage": [
    {
      "label": "Top of the Funnel"
    }
  ]
})";

constexpr const char* kGuid = "151a3f3ccda517geab6db0aF5f9be72d9";

FeedEntry sample_entry() {
  FeedEntry entry;
  entry.index.guid = kGuid;
  entry.content = json::parse(kSampleContent).as_object();
  return entry;
}

// DESIGN.md §6, feeds[0].mapping.
MappingSpec design_spec() {
  MappingSpec spec;
  spec.feed = "blog";
  spec.display_name = "title";
  spec.route_segment = "meta_url | slug(title)";
  spec.properties = {
      {"Heading", "title"},
      {"Body", "description | strip_pixel"},
      {"Summary", "meta_description"},
      {"PublishedAt", "published_at"},
      {"HeroImage", "images[0].url | image(width=1200, height=630)"},
      {"Pillar", "content_pillar[*].label | join(\", \")"},
      {"AdDate", "custom_fields[\"Ad Date\"].values[0]"},
      {"Authors", "authors[*].name"},
  };
  spec.locale = "en";
  return spec;
}

CompiledMapping compile(const MappingSpec& spec) {
  auto compiled = compile_mapping(spec);
  if (!compiled) {
    ADD_FAILURE() << compiled.error().front().message;
    return {};
  }
  return std::move(*compiled);
}

MappedPayload apply(const CompiledMapping& mapping, const FeedEntry& entry) {
  auto payload = apply_mapping(mapping, entry);
  if (!payload) {
    ADD_FAILURE() << payload.error().front().message;
    return {};
  }
  return std::move(*payload);
}

std::vector<std::string> messages(const std::vector<MappingError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.message);
  return out;
}

TEST(Mapping, DocumentedSampleThroughTheDesignMapping) {
  const MappedPayload payload = apply(compile(design_spec()), sample_entry());
  EXPECT_EQ(payload.display_name, "Feed Article Sample");
  EXPECT_EQ(payload.route_segment, "feed-article-sample");  // meta_url "/" has no slug
  EXPECT_EQ(payload.locale, "en");
  EXPECT_EQ(json::serialize(payload.properties),
            R"({"Heading":"Feed Article Sample",)"
            R"("Body":"<p>Lorem ipsum dolor sit amet, consectetur adipiscing ...</p>\n<p>...sed do eiusmod tempor incididunt...</p>",)"
            R"("Summary":"Lorem ipsum dolor sit amet, consectetur adipiscing...",)"
            R"("PublishedAt":"2025-07-24T12:01:43Z",)"
            R"("HeroImage":"https://img.optimizely.com/Zz0yNWU2MzMzNgfWNkYTUxMWV5hOD7QzYzBhMDY3NTYwZjM5Nw==/mango.png?width=1200&height=630",)"
            R"("Pillar":"BLOG:Social Impact",)"
            R"("AdDate":"2025-07-24T11:00:00.000Z"})");
  EXPECT_FALSE(payload.properties.contains("Authors"));  // authors is null: left out
  EXPECT_THAT(payload.rich_text, ElementsAre("Body"));
}

TEST(Mapping, SameEntrySameHashAcrossCompilations) {
  const PayloadTarget target{"0e6b89eb11e05aa1a1e79edccceb2942", "ArticlePage",
                             "98eb33cfa7df48d1b987442c522984c8", "immediate"};
  const auto a = payload_hash(article_document(apply(compile(design_spec()), sample_entry()), target));
  MappingSpec reordered = design_spec();
  std::reverse(reordered.properties.begin(), reordered.properties.end());
  const auto b = payload_hash(article_document(apply(compile(reordered), sample_entry()), target));
  EXPECT_EQ(a, b);
  FeedEntry edited = sample_entry();
  edited.content["title"] = "Feed Article Sample (edited)";
  EXPECT_NE(payload_hash(article_document(apply(compile(design_spec()), edited), target)), a);
}

TEST(Mapping, MissingDisplayNameNamesTheFieldAndTheArticle) {
  FeedEntry entry = sample_entry();
  entry.content.erase("title");
  const auto result = apply_mapping(compile(design_spec()), entry);
  ASSERT_FALSE(result);
  ASSERT_EQ(result.error().size(), 1u);  // Heading, also from title, is simply left out
  EXPECT_EQ(result.error()[0].field, "mapping.displayName");
  EXPECT_EQ(result.error()[0].message,
            "feed blog, article 151a3f3ccda517geab6db0aF5f9be72d9: mapping.displayName: "
            "\"title\" gave no value, and a display name is required");
}

TEST(Mapping, BlankDisplayNameIsMissingToo) {
  FeedEntry entry = sample_entry();
  entry.content["title"] = "  ";
  EXPECT_FALSE(apply_mapping(compile(design_spec()), entry));
}

// Issue 15: escaped control characters in CMP text (\u0000, ESC, BEL) were written verbatim
// into the CMS. They are stripped from every string the mapping produces; tab and line breaks stay.
TEST(Mapping, ControlCharactersNeverReachTheCms) {
  MappingSpec spec = design_spec();
  spec.properties.emplace_back("Tags", "topics");
  FeedEntry entry = sample_entry();
  entry.content["title"] = std::string("Bell\a and NUL") + std::string(1, '\0') + " and ESC\x1b[31m red\x7f";
  entry.content["topics"] = json::array{"ok\tfine", "C1\xC2\x85 next-line", "line\nbreak"};
  const MappedPayload payload = apply(compile(spec), entry);
  EXPECT_EQ(payload.display_name, "Bell and NUL and ESC[31m red");
  EXPECT_EQ(payload.properties.at("Heading"), json::value("Bell and NUL and ESC[31m red"));
  EXPECT_EQ(payload.properties.at("Tags"), (json::value(json::array{"ok\tfine", "C1 next-line", "line\nbreak"})));
  EXPECT_EQ(strip_control_characters("caf\xC3\xA9 \xC2\xA0nbsp"), "caf\xC3\xA9 \xC2\xA0nbsp");  // not C1: kept
}

TEST(Mapping, DefaultRescuesMissingValues) {
  MappingSpec spec = design_spec();
  spec.display_name = "title | default(meta_title) | default(\"Untitled\")";
  spec.properties.emplace_back("Byline", "authors[*].name | join | default(\"Staff\")");
  FeedEntry entry = sample_entry();
  entry.content.erase("title");
  const MappedPayload payload = apply(compile(spec), entry);
  EXPECT_EQ(payload.display_name, "Feed Article Sample");
  EXPECT_EQ(payload.properties.at("Byline"), json::value("Staff"));
  entry.content.erase("meta_title");
  EXPECT_EQ(apply(compile(spec), entry).display_name, "Untitled");
}

TEST(Mapping, RouteSegmentIsOptional) {
  MappingSpec spec = design_spec();
  spec.route_segment = "meta_url | slug";
  EXPECT_EQ(apply(compile(spec), sample_entry()).route_segment, std::nullopt);
  spec.route_segment.reset();
  EXPECT_EQ(apply(compile(spec), sample_entry()).route_segment, std::nullopt);
}

TEST(Mapping, ListValuesFlowIntoProperties) {
  FeedEntry entry = sample_entry();
  entry.content["authors"] = json::parse(R"([{"name": "Ada"}, {"name": "Grace"}])");
  const MappedPayload payload = apply(compile(design_spec()), entry);
  EXPECT_EQ(payload.properties.at("Authors"), json::parse(R"(["Ada", "Grace"])"));
}

TEST(Mapping, AllRuntimeErrorsAreReportedWithFieldAndArticle) {
  MappingSpec spec = design_spec();
  spec.display_name = "authors[*].name";
  spec.properties.emplace_back("Created", "created_at | date(\"%F\")");
  spec.properties.emplace_back("Image", "images[0] | image(width=5)");
  FeedEntry entry = sample_entry();
  entry.content["authors"] = json::parse(R"([{"name": "Ada"}])");
  entry.content["created_at"] = "last tuesday";
  const auto result = apply_mapping(compile(spec), entry);
  ASSERT_FALSE(result);
  EXPECT_THAT(
      messages(result.error()),
      ElementsAre(
          "feed blog, article 151a3f3ccda517geab6db0aF5f9be72d9: mapping.displayName: "
          "\"authors[*].name\" gave a list, but text is needed (add | join or | first)",
          "feed blog, article 151a3f3ccda517geab6db0aF5f9be72d9: mapping.properties.Created: "
          "date: \"last tuesday\" is not an RFC 3339 date-time (in \"created_at | date(\"%F\")\")",
          "feed blog, article 151a3f3ccda517geab6db0aF5f9be72d9: mapping.properties.Image: "
          "image: expected an image URL, got an object (in \"images[0] | image(width=5)\")"));
  EXPECT_EQ(result.error()[1].field, "mapping.properties.Created");
  EXPECT_EQ(result.error()[1].offset, 13u);
}

TEST(Mapping, ApplyToBareContentUsesTheGivenGuid) {
  const auto result = apply_mapping(compile(design_spec()), json::object{}, "g-1");
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error()[0].message, HasSubstr("feed blog, article g-1: mapping.displayName"));
}

MappingSpec locale_map_spec() {
  MappingSpec spec = design_spec();
  spec.locale.reset();
  spec.locale_map = {{"en", "en"}, {"FR", "fr-FR"}, {"deu", "de"}};
  return spec;
}

std::string locale_for(const json::value& lang_code) {
  FeedEntry entry = sample_entry();
  entry.content["lang_code"] = lang_code;
  const auto result = apply_mapping(compile(locale_map_spec()), entry);
  return result ? result->locale : "error: " + result.error().front().message;
}

TEST(MappingLocale, FromLocaleMapByLangCode) {
  EXPECT_EQ(locale_for("en"), "en");
  EXPECT_EQ(locale_for("fr"), "fr-FR");       // keys ignore case
  EXPECT_EQ(locale_for("EN"), "en");
  EXPECT_EQ(locale_for("deu"), "de");         // three-letter codes
  EXPECT_EQ(locale_for("en-US"), "en");       // region falls back to the language
  EXPECT_EQ(locale_for("fr_CA"), "fr-FR");
}

TEST(MappingLocale, UnmappedOrMissingLangCodeIsAnError) {
  EXPECT_EQ(locale_for("eng"),
            "error: feed blog, article 151a3f3ccda517geab6db0aF5f9be72d9: locale_map: lang_code "
            "\"eng\" is not in the feed's locale_map (mapped: FR, deu, en)");
  EXPECT_THAT(locale_for(nullptr), HasSubstr("locale_map: the article has no lang_code"));
  EXPECT_THAT(locale_for(""), HasSubstr("the article has no lang_code"));
}

// The fallbacks themselves are core/locale_match's (locale_match_test.cpp); here, that the
// mapping uses them and names the article in what it reports.
TEST(MappingLocale, BareLanguageFallsBackToTheOnlyRegionalEntry) {
  MappingSpec spec = locale_map_spec();
  spec.locale_map = {{"en_US", "en-US"}, {"de-DE", "de"}};
  FeedEntry entry = sample_entry();
  entry.content["lang_code"] = "en";
  EXPECT_EQ(apply(compile(spec), entry).locale, "en-US");
}

TEST(MappingLocale, AmbiguousLanguageIsAnErrorNamingArticleCodeAndKey) {
  MappingSpec spec = locale_map_spec();
  spec.locale_map = {{"en_US", "en-US"}, {"en-GB", "en-GB"}};
  FeedEntry entry = sample_entry();
  entry.content["lang_code"] = "en";
  const auto result = apply_mapping(compile(spec), entry);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().front().field, "locale_map");
  EXPECT_EQ(result.error().front().message,
            "feed blog, article 151a3f3ccda517geab6db0aF5f9be72d9: locale_map: lang_code \"en\" has no entry of "
            "its own in feeds[].locale_map and matches several (en-GB, en_US); add an entry for \"en\"");
}

TEST(MappingLocale, FixedLocaleIgnoresLangCode) {
  FeedEntry entry = sample_entry();
  entry.content["lang_code"] = "xx";
  EXPECT_EQ(apply(compile(design_spec()), entry).locale, "en");
}

TEST(MappingCompile, ReportsEveryBadExpressionWithFieldAndOffset) {
  MappingSpec spec = design_spec();
  spec.display_name = "title | slgu";
  spec.properties.emplace_back("Broken", "images[0].url | image(widht=5)");
  const auto result = compile_mapping(spec);
  ASSERT_FALSE(result);
  ASSERT_EQ(result.error().size(), 2u);
  EXPECT_EQ(result.error()[0].field, "mapping.displayName");
  EXPECT_EQ(result.error()[0].offset, 8u);
  EXPECT_EQ(result.error()[0].message,
            "feed blog: mapping.displayName: unknown transform \"slgu\"; did you mean \"slug\"? "
            "(at offset 8 of \"title | slgu\")");
  EXPECT_EQ(result.error()[1].field, "mapping.properties.Broken");
  EXPECT_EQ(result.error()[1].offset, 22u);
}

TEST(MappingCompile, RejectsDuplicatePropertiesAndMissingLocale) {
  MappingSpec spec = design_spec();
  spec.properties.emplace_back("Heading", "meta_title");
  spec.locale.reset();
  const auto result = compile_mapping(spec);
  ASSERT_FALSE(result);
  EXPECT_THAT(messages(result.error()),
              ElementsAre("feed blog: mapping.properties.Heading: the property is mapped twice",
                          "feed blog: locale: set locale or locale_map"));
}

TEST(MappingCompile, LangCodesDifferingOnlyInCaseMustAgree) {
  MappingSpec spec = locale_map_spec();
  spec.locale_map["EN"] = "en-GB";
  const auto result = compile_mapping(spec);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error()[0].message, HasSubstr("is mapped twice"));
}

TEST(MappingCompile, LangCodesDifferingOnlyInSeparatorMustAgree) {
  MappingSpec spec = locale_map_spec();
  spec.locale_map = {{"en_US", "en-US"}, {"en-us", "en-GB"}};
  const auto result = compile_mapping(spec);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error()[0].message, HasSubstr("is mapped twice (lang_codes ignore case, and _ equals -)"));
  // Written twice alike is no conflict, and counts once (not two competing "en-*" entries).
  spec.locale_map = {{"en_US", "en-US"}, {"en-us", "en-US"}};
  FeedEntry entry = sample_entry();
  entry.content["lang_code"] = "en";
  EXPECT_EQ(apply(compile(spec), entry).locale, "en-US");
}

}  // namespace
}  // namespace feedsync
