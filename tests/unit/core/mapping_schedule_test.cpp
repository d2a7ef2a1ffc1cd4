// Scheduled publishing in the mapping: mapping.publishAt (only for feeds that schedule) becomes
// the payload document's "publishAt", part of the payload hash; bad values are errors naming
// the feed, the article, the field and the value.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/mapping.hpp"
#include "core/mapping_payload.hpp"

namespace feedsync {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kAdDate = R"(custom_fields["Ad Date"].values[0])";

json::object content(json::value ad_date) {
  json::object c{{"title", "Hello"}, {"published_at", "2025-07-24T12:01:43+02:00"}};
  c["custom_fields"] = json::array{json::object{{"label", "Ad Date"}, {"values", json::array{ad_date}}}};
  return c;
}

MappingSpec spec(std::optional<std::string> publish_at) {
  MappingSpec s;
  s.feed = "blog";
  s.display_name = "title";
  s.properties = {{"Heading", "title"}};
  s.locale = "en";
  s.publish_at = std::move(publish_at);
  return s;
}

Expected<MappedPayload, std::vector<MappingError>> map_one(const MappingSpec& s, const json::object& c) {
  auto compiled = compile_mapping(s);
  if (!compiled) throw std::runtime_error(compiled.error().front().message);
  return apply_mapping(*compiled, c, "g-1");
}

const PayloadTarget kTarget{"0e6b89eb11e05aa1a1e79edccceb2942", "ArticlePage", "98eb33cfa7df48d1b987442c522984c8",
                            "immediate"};

TEST(MappingSchedule, PublishTimeIsNormalisedToUtcInTheDocument) {
  auto mapped = map_one(spec("published_at"), content(nullptr));
  ASSERT_TRUE(mapped.has_value()) << mapped.error().front().message;
  EXPECT_TRUE(mapped->scheduling);
  ASSERT_TRUE(mapped->publish_at_ms.has_value());
  const auto doc = to_json(article_document(*mapped, kTarget));
  EXPECT_EQ(doc.at("publishAt"), json::value("2025-07-24T10:01:43Z"));
  EXPECT_EQ(doc.at("publish"), json::value("immediate"));
}

TEST(MappingSchedule, ABareDateIsMidnightUtc) {
  auto mapped = map_one(spec(kAdDate), content("2025-12-25"));
  ASSERT_TRUE(mapped.has_value()) << mapped.error().front().message;
  EXPECT_EQ(to_json(article_document(*mapped, kTarget)).at("publishAt"), json::value("2025-12-25T00:00:00Z"));
  // Surrounding whitespace, as editors type it, is tolerated.
  auto padded = map_one(spec(kAdDate), content(" 2025-12-25T07:00:00.000+00:00 "));
  ASSERT_TRUE(padded.has_value()) << padded.error().front().message;
  EXPECT_EQ(to_json(article_document(*padded, kTarget)).at("publishAt"), json::value("2025-12-25T07:00:00Z"));
}

TEST(MappingSchedule, NoTimeIsNullAndFeedsThatDoNotScheduleHaveNoMember) {
  auto blank = map_one(spec(kAdDate), content(""));
  ASSERT_TRUE(blank.has_value());
  EXPECT_TRUE(blank->scheduling);
  EXPECT_FALSE(blank->publish_at_ms.has_value());
  EXPECT_TRUE(to_json(article_document(*blank, kTarget)).at("publishAt").is_null());
  auto missing = map_one(spec(kAdDate), json::object{{"title", "Hello"}});
  ASSERT_TRUE(missing.has_value());
  EXPECT_TRUE(to_json(article_document(*missing, kTarget)).at("publishAt").is_null());

  auto unscheduled = map_one(spec(std::nullopt), content("2025-12-25"));
  ASSERT_TRUE(unscheduled.has_value());
  EXPECT_FALSE(unscheduled->scheduling);
  EXPECT_FALSE(to_json(article_document(*unscheduled, kTarget)).contains("publishAt"));
}

TEST(MappingSchedule, AChangedScheduleChangesTheHash) {
  const auto hash = [](const json::value& ad_date, std::optional<std::string> publish_at = kAdDate) {
    return payload_hash(article_document(*map_one(spec(std::move(publish_at)), content(ad_date)), kTarget));
  };
  EXPECT_EQ(hash("2025-12-25"), hash("2025-12-25T00:00:00Z"));  // the same instant
  EXPECT_NE(hash("2025-12-25"), hash("2025-12-26"));
  EXPECT_NE(hash("2025-12-25"), hash(nullptr));
  // Turning scheduling on changes every article once, even one without a time.
  EXPECT_NE(hash(nullptr), hash(nullptr, std::nullopt));
}

TEST(MappingSchedule, AValueThatIsNoDateIsAnErrorNamingFeedFieldAndValue) {
  auto text = map_one(spec(kAdDate), content("next tuesday"));
  ASSERT_FALSE(text.has_value());
  ASSERT_EQ(text.error().size(), 1u);
  EXPECT_EQ(text.error()[0].field, "mapping.publishAt");
  EXPECT_EQ(text.error()[0].message,
            "feed blog, article g-1: mapping.publishAt: \"custom_fields[\"Ad Date\"].values[0]\" gave "
            "\"next tuesday\", which is not a publish time (an RFC 3339 date-time like "
            "\"2025-07-24T12:00:00Z\", or a date like \"2025-07-24\")");

  auto number = map_one(spec(kAdDate), content(20251225));
  ASSERT_FALSE(number.has_value());
  EXPECT_THAT(number.error()[0].message, HasSubstr("gave 20251225, which is not a publish time"));

  auto list = map_one(spec(R"(custom_fields["Ad Date"].values)"), content("2025-12-25"));
  ASSERT_FALSE(list.has_value());
  EXPECT_THAT(list.error()[0].message, HasSubstr("gave [\"2025-12-25\"], which is not a publish time"));

  auto impossible = map_one(spec(kAdDate), content("2025-02-30"));
  ASSERT_FALSE(impossible.has_value());
  EXPECT_THAT(impossible.error()[0].message, HasSubstr("gave \"2025-02-30\""));
}

TEST(MappingSchedule, ABadExpressionIsACompileErrorOfThePublishAtField) {
  auto compiled = compile_mapping(spec("published_at | dat"));
  ASSERT_FALSE(compiled.has_value());
  EXPECT_EQ(compiled.error()[0].field, "mapping.publishAt");
  EXPECT_THAT(compiled.error()[0].message, HasSubstr("feed blog: mapping.publishAt: unknown transform \"dat\""));
}

}  // namespace
}  // namespace feedsync
