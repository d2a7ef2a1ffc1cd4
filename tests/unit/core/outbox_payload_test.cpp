// The outbox payload's JSON: databases written by earlier versions hold it, so payloads in that
// format must keep reading back, and what is written must keep its field names.
#include "core/outbox_payload.hpp"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time.hpp"

namespace feedsync {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An upsert payload exactly as the outbox stored it before ArticleDocument existed (written by
// engine/outbox_payload.cpp's encode() from core's payload_document()).
constexpr const char* kStoredUpsert =
    R"({"document":{"key":"0e6b89eb11e05aa1a1e79edccceb2942","contentType":"ArticlePage",)"
    R"("container":"98eb33cfa7df48d1b987442c522984c8","locale":"en","displayName":"Feed Article Sample",)"
    R"("routeSegment":"feed-article-sample","properties":{"Heading":"Feed Article Sample",)"
    R"("Body":"<p>Lorem</p>","Width":369},"publish":"immediate","publishAt":"2025-12-25T07:00:00Z",)"
    R"("richText":["Body"]},"meta_url":"https://cmp.example/blog/sample"})";

TEST(OutboxPayload, ReadsAnUpsertPayloadStoredInTodaysFormat) {
  auto payload = decode_upsert(kStoredUpsert);
  ASSERT_TRUE(payload.has_value()) << payload.error();
  const ArticleDocument& doc = payload->document;
  EXPECT_EQ(doc.key, "0e6b89eb11e05aa1a1e79edccceb2942");
  EXPECT_EQ(doc.content_type, "ArticlePage");
  EXPECT_EQ(doc.container, "98eb33cfa7df48d1b987442c522984c8");
  EXPECT_EQ(doc.locale, "en");
  EXPECT_EQ(doc.display_name, "Feed Article Sample");
  EXPECT_EQ(doc.route_segment, "feed-article-sample");
  EXPECT_EQ(doc.properties.at("Width"), 369);
  EXPECT_EQ(doc.publish, "immediate");
  EXPECT_TRUE(doc.scheduling);
  EXPECT_EQ(doc.publish_at_ms, parse_rfc3339_ms("2025-12-25T07:00:00Z"));
  EXPECT_EQ(publish_at_text(doc), "2025-12-25T07:00:00Z");
  EXPECT_THAT(doc.rich_text, ElementsAre("Body"));
  EXPECT_TRUE(doc.is_rich_text("Body"));
  EXPECT_FALSE(doc.is_rich_text("Heading"));
  EXPECT_EQ(payload->meta_url, "https://cmp.example/blog/sample");
}

TEST(OutboxPayload, WritesTheSameDocumentItReads) {
  // Re-encoding gives back the stored JSON value: same field names, same values.
  auto payload = decode_upsert(kStoredUpsert);
  ASSERT_TRUE(payload.has_value()) << payload.error();
  EXPECT_EQ(json::parse(encode(*payload)), json::parse(kStoredUpsert));
}

TEST(OutboxPayload, DeleteAndCanonicalPayloadsReadTodaysFormat) {
  auto removal = decode_delete(R"({"key":"0e6b89eb11e05aa1a1e79edccceb2942","permanent":true})");
  ASSERT_TRUE(removal.has_value()) << removal.error();
  EXPECT_EQ(removal->key, "0e6b89eb11e05aa1a1e79edccceb2942");
  EXPECT_TRUE(removal->permanent);
  EXPECT_FALSE(decode_delete(R"({"key":"k"})")->permanent);
  EXPECT_EQ(json::parse(encode(*removal)), json::parse(R"({"key":"0e6b89eb11e05aa1a1e79edccceb2942","permanent":true})"));

  auto canonical = decode_canonical(R"({"url":"https://www.example.com/en/a","pixel_key":"PIXELKEY"})");
  ASSERT_TRUE(canonical.has_value()) << canonical.error();
  EXPECT_EQ(canonical->url, "https://www.example.com/en/a");
  EXPECT_EQ(canonical->pixel_key, "PIXELKEY");
  EXPECT_EQ(json::parse(encode(*canonical)), json::parse(R"({"url":"https://www.example.com/en/a","pixel_key":"PIXELKEY"})"));
}

// translations: group (issue 23): a translation's deletion names its locale; without one the
// payload is byte for byte what earlier versions wrote.
TEST(OutboxPayload, DeleteOfATranslationCarriesItsLocale) {
  const DeletePayload translation{"0e6b89eb11e05aa1a1e79edccceb2942", false, std::string("de")};
  EXPECT_EQ(json::parse(encode(translation)),
            json::parse(R"({"key":"0e6b89eb11e05aa1a1e79edccceb2942","permanent":false,"translation_locale":"de"})"));
  auto back = decode_delete(encode(translation));
  ASSERT_TRUE(back.has_value()) << back.error();
  EXPECT_EQ(back->translation_locale, "de");
  EXPECT_EQ(encode(DeletePayload{"k", true, std::nullopt}), R"({"key":"k","permanent":true})");
  EXPECT_FALSE(decode_delete(R"({"key":"k"})")->translation_locale.has_value());
  EXPECT_FALSE(decode_delete(R"({"key":"k","translation_locale":""})").has_value());
  EXPECT_FALSE(decode_delete(R"({"key":"k","translation_locale":3})").has_value());
}

// translations: group (issue 23): an article moving to its group's item retires its old item.
TEST(OutboxPayload, AnUpsertCanRetireTheArticlesOldItem) {
  auto payload = decode_upsert(R"({"document":{"key":"k","contentType":"T","container":"c","displayName":"D"}})");
  ASSERT_TRUE(payload.has_value()) << payload.error();
  EXPECT_FALSE(payload->retire.has_value());
  EXPECT_EQ(json::parse(encode(*payload)).as_object().count("retire"), 0u);
  payload->retire = DeletePayload{"old", true, std::nullopt};
  auto back = decode_upsert(encode(*payload));
  ASSERT_TRUE(back.has_value()) << back.error();
  ASSERT_TRUE(back->retire.has_value());
  EXPECT_EQ(back->retire->key, "old");
  EXPECT_TRUE(back->retire->permanent);
  EXPECT_EQ(json::parse(encode(*back)).at("retire"), json::parse(R"({"key":"old","permanent":true})"));
  EXPECT_FALSE(decode_upsert(R"({"document":{"key":"k","contentType":"T","container":"c","displayName":"D"},"retire":{}})")
                   .has_value());
}

TEST(OutboxPayload, OptionalMembersHaveTheirDefaults) {
  auto payload = decode_upsert(R"({"document":{"key":"k","contentType":"T","container":"c","displayName":"D"}})");
  ASSERT_TRUE(payload.has_value()) << payload.error();
  EXPECT_EQ(payload->document.locale, "");
  EXPECT_FALSE(payload->document.route_segment.has_value());
  EXPECT_TRUE(payload->document.properties.empty());
  EXPECT_EQ(payload->document.publish, "immediate");
  EXPECT_FALSE(payload->document.scheduling);
  EXPECT_TRUE(payload->document.rich_text.empty());
  EXPECT_FALSE(payload->meta_url.has_value());
  // A feed that schedules, this article without a time: null, and it stays null when written.
  auto untimed = decode_upsert(R"({"document":{"key":"k","contentType":"T","container":"c","displayName":"D",)"
                               R"("publishAt":null}})");
  ASSERT_TRUE(untimed.has_value()) << untimed.error();
  EXPECT_TRUE(untimed->document.scheduling);
  EXPECT_FALSE(untimed->document.publish_at_ms.has_value());
  EXPECT_EQ(publish_at_text(untimed->document), "");
  EXPECT_TRUE(to_json(untimed->document).at("publishAt").is_null());
  EXPECT_FALSE(to_json(payload->document).contains("publishAt"));
}

TEST(OutboxPayload, MalformedPayloadsAreErrorsNamingWhatIsWrong) {
  const std::string base = R"("key":"k","contentType":"T","container":"c","displayName":"D")";
  struct Case {
    std::string payload;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"not json", "outbox payload is not JSON"},
      {"[1]", "outbox payload is not a JSON object"},
      {R"({"meta_url":"x"})", "outbox payload has no \"document\" object"},
      {R"({"document":"x"})", "outbox payload has no \"document\" object"},
      {R"({"document":{"contentType":"T","container":"c","displayName":"D"}})", "outbox payload document has no \"key\""},
      {R"({"document":{"key":"","contentType":"T","container":"c","displayName":"D"}})",
       "outbox payload document has no \"key\""},
      {R"({"document":{"key":"k","container":"c","displayName":"D"}})", "payload has no \"contentType\""},
      {R"({"document":{"key":"k","contentType":"T","displayName":"D"}})", "payload has no \"container\""},
      {R"({"document":{"key":"k","contentType":"T","container":"c"}})", "payload has no \"displayName\""},
      {R"({"document":{)" + base + R"(,"locale":7}})", "payload member \"locale\" is not a string"},
      {R"({"document":{)" + base + R"(,"properties":[]}})", "payload member \"properties\" is not an object"},
      {R"({"document":{)" + base + R"(,"publish":"sometimes"}})", "payload has an unknown publish mode \"sometimes\""},
      {R"({"document":{)" + base + R"(,"publishAt":"soon"}})", "payload member \"publishAt\" is not an RFC 3339 date-time"},
      {R"({"document":{)" + base + R"(,"publishAt":5}})", "payload member \"publishAt\" is not an RFC 3339 date-time"},
  };
  for (const auto& c : cases) {
    auto decoded = decode_upsert(c.payload);
    ASSERT_FALSE(decoded.has_value()) << c.payload;
    EXPECT_THAT(decoded.error(), HasSubstr(c.error)) << c.payload;
  }
  EXPECT_EQ(decode_delete(R"({"permanent":true})").error(), "outbox payload has no string \"key\"");
  EXPECT_EQ(decode_canonical(R"({"url":"u"})").error(), "outbox payload has no string \"pixel_key\"");
}

TEST(OutboxPayload, PublishModesAreTheFeedsThree) {
  for (const std::string mode : {"immediate", "draft", "ready"}) {
    auto decoded = decode_upsert(R"({"document":{"key":"k","contentType":"T","container":"c","displayName":"D",)"
                                 R"("publish":")" + mode + R"("}})");
    ASSERT_TRUE(decoded.has_value()) << decoded.error();
    EXPECT_EQ(decoded->document.publish, mode);
  }
}

}  // namespace
}  // namespace feedsync
