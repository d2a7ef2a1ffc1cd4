#include "feed/page_parser.hpp"

#include "core/time.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::feed {
namespace {

using ::testing::HasSubstr;

// The vendor's sample (seeds/cmp-feed-api-v2.txt) with its missing "]" after custom_fields
// restored: every documented content field, strings for width/height, authors null.
constexpr const char* kDocumentedSample = R"({
"title": "NM Feed Sample",
"modified_at": "2025-07-24T12:01:44Z",
"entries": [
 {
   "content": {
     "guid": "151a3f3ccda517geab6db0aF5f9be72d9",
     "group_id": "151a3f3ccdaxe751Bu91eab6db0ad4f9be72d9",
     "meta_title": "Feed Article Sample",
     "meta_url": "/",
     "meta_keywords": [],
     "images": [{"caption": "mango.png", "height": "512", "width": "369",
                 "url": "https://img.optimizely.com/Zz0y/mango.png", "mimetype": "image/png",
                 "source": {"name": "Martin's Test Group"}}],
     "videos": [],
     "authors": null,
     "topics": [],
     "title": "Feed Article Sample",
     "description": "<p>Lorem</p><img src=\"https://pixel.optimizely.com/px.gif?key=YXJ0\" class=\"nc_pixel\"/>",
     "created_at": "2025-07-24T11:59:10Z",
     "modified_at": "2025-07-24T12:01:43Z",
     "published_at": "2025-07-24T12:01:43Z",
     "link": null,
     "pixel_key": "YXJ0aWNsZThg0xNTFhM2YzY2NkYTUYZxMWVhYjZkYjBhZDRmOWJlNzJkOQ==",
     "customer_canonical_link": null,
     "source": {"guid": "5bc5e258e9cb54e3f865b6g2fa98dc4324", "name": "Instance"},
     "lang_code": "en",
     "custom_fields": [{"label": "Ad Date", "values": ["2025-07-24T11:00:00.000Z"]}],
     "content_pillar": [{"label": "BLOG:Social Impact"}],
     "custom_label_set": [{"label": "Short", "type": "Article Length"}]
   }
 }
]
})";

TEST(ParseFeedPage, DocumentedSampleParsesWithContent) {
  auto page = parse_feed_page(kDocumentedSample, ParseContent::yes);
  ASSERT_TRUE(page.has_value()) << page.error();
  EXPECT_EQ(page->title, "NM Feed Sample");
  EXPECT_EQ(page->modified_at, 1753358504000);
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->raw_entry_count, 1u);
  const auto& entry = page->entries[0];
  EXPECT_EQ(entry.guid, "151a3f3ccda517geab6db0aF5f9be72d9");
  EXPECT_EQ(entry.content_modified_at, 1753358503000);
  EXPECT_EQ(entry.entry_modified_at, 0);  // the sample has no entry-level timestamps
  EXPECT_EQ(entry.newest_modified_at(), 1753358503000);
  ASSERT_EQ(page->full_entries.size(), 1u);
  EXPECT_EQ(page->full_entries[0].content.at("lang_code").as_string(), "en");
  EXPECT_TRUE(page->full_entries[0].content.at("authors").is_null());
}

TEST(ParseFeedPage, VerbatimBrokenSampleFailsTheWholePage) {
  // The sample as the document prints it lacks a "]": such a page must fail, not half-parse.
  std::string broken = kDocumentedSample;
  const std::string closed = "\"values\": [\"2025-07-24T11:00:00.000Z\"]}],";
  const auto at = broken.find(closed);
  ASSERT_NE(at, std::string::npos);
  broken.replace(at, closed.size(), "\"values\": [\"2025-07-24T11:00:00.000Z\"]},");
  auto page = parse_feed_page(broken, ParseContent::no);
  ASSERT_FALSE(page.has_value());
  EXPECT_THAT(page.error(), HasSubstr("not valid JSON"));
}

TEST(ParseFeedPage, FieldLimitedIndexPageKeepsBothTimestamps) {
  auto page = parse_feed_page(R"({"title":"t","modified_at":"2025-11-06T09:48:36Z","entries":[
      {"content":{"guid":"a","modified_at":"2025-11-06T09:48:36Z"},
       "created_at":"2013-12-09T15:47:29Z","modified_at":"2025-11-06T09:12:57Z"},
      {"content":{"guid":"b","modified_at":"2025-11-06T08:37:55+00:00"}}]})",
                              ParseContent::no);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].guid, "a");
  EXPECT_EQ(page->entries[0].content_modified_at, *parse_rfc3339_ms("2025-11-06T09:48:36Z"));
  EXPECT_EQ(page->entries[0].entry_modified_at, *parse_rfc3339_ms("2025-11-06T09:12:57Z"));
  EXPECT_EQ(page->entries[0].newest_modified_at(), page->entries[0].content_modified_at);
  EXPECT_TRUE(page->full_entries.empty());
}

// Issue 17: what `fields` does is not documented. The parser says how the entries were shaped so
// the client can log it, and reads each shape the same way.
TEST(ParseFeedPage, SaysHowIndexEntriesWereShaped) {
  auto limited = parse_feed_page(R"({"entries":[
      {"content":{"guid":"a","modified_at":"2025-11-06T09:48:36Z"},"modified_at":"2025-11-06T09:12:57Z"}]})",
                                 ParseContent::no);
  ASSERT_TRUE(limited.has_value()) << limited.error();
  EXPECT_FALSE(limited->extra_content_fields);
  EXPECT_FALSE(limited->entry_modified_at_missing);
  EXPECT_FALSE(limited->content_wrapper_missing);

  auto ignored = parse_feed_page(R"({"entries":[
      {"content":{"guid":"a","title":"T","modified_at":"2025-11-06T09:48:36Z"},"modified_at":"2025-11-06T09:12:57Z"}]})",
                                 ParseContent::no);
  ASSERT_TRUE(ignored.has_value()) << ignored.error();
  EXPECT_TRUE(ignored->extra_content_fields);

  auto dropped = parse_feed_page(R"({"entries":[{"content":{"guid":"a","modified_at":"2025-11-06T09:48:36Z"}}]})",
                                 ParseContent::no);
  ASSERT_TRUE(dropped.has_value()) << dropped.error();
  EXPECT_TRUE(dropped->entry_modified_at_missing);
  EXPECT_EQ(dropped->entries[0].entry_modified_at, 0);

  auto flat = parse_feed_page(R"({"entries":[{"guid":"a","modified_at":"2025-11-06T09:12:57Z"},
                                             {"guid":"b"}]})",
                              ParseContent::yes);
  ASSERT_TRUE(flat.has_value()) << flat.error();
  EXPECT_TRUE(flat->content_wrapper_missing);
  EXPECT_FALSE(flat->extra_content_fields);
  ASSERT_EQ(flat->entries.size(), 1u);
  EXPECT_EQ(flat->entries[0].guid, "a");
  EXPECT_EQ(flat->entries[0].entry_modified_at, *parse_rfc3339_ms("2025-11-06T09:12:57Z"));
  EXPECT_EQ(flat->full_entries[0].content.at("guid").as_string(), "a");
  ASSERT_EQ(flat->rejected.size(), 1u);
  EXPECT_EQ(flat->rejected[0].guid, "b");
  EXPECT_THAT(flat->rejected[0].reason, HasSubstr("neither modified_at"));
}

TEST(ParseFeedPage, UnusableEntriesAreRejectedButStillCountTowardsThePageSize) {
  auto page = parse_feed_page(R"({"entries":[
      {"content":{"guid":"ok","modified_at":"2025-11-06T09:48:36Z"}},
      {"content":{"modified_at":"2025-11-06T09:48:36Z"}},
      {"content":{"guid":"","modified_at":"2025-11-06T09:48:36Z"}},
      {"content":{"guid":42,"modified_at":"2025-11-06T09:48:36Z"}},
      {"content":{"guid":"late"}},
      {"content":{"guid":"garbled","modified_at":"last tuesday"}},
      {"content":{"guid":"mixed","modified_at":"2025-11-06T09:48:36Z"},"modified_at":17},
      {"content":["nocontent"]},
      "not an object"]})",
                              ParseContent::yes);
  ASSERT_TRUE(page.has_value()) << page.error();
  EXPECT_EQ(page->raw_entry_count, 9u);
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].guid, "ok");
  EXPECT_EQ(page->full_entries.size(), 1u);
  ASSERT_EQ(page->rejected.size(), 8u);
  EXPECT_EQ(page->rejected[0].position, 1u);
  EXPECT_THAT(page->rejected[0].reason, HasSubstr("content.guid is missing"));
  EXPECT_THAT(page->rejected[1].reason, HasSubstr("content.guid is empty"));
  EXPECT_THAT(page->rejected[2].reason, HasSubstr("content.guid is not a string"));
  EXPECT_EQ(page->rejected[3].guid, "late");
  EXPECT_THAT(page->rejected[3].reason, HasSubstr("neither modified_at"));
  EXPECT_EQ(page->rejected[4].guid, "garbled");
  EXPECT_THAT(page->rejected[4].reason, HasSubstr("\"last tuesday\" is not an RFC 3339"));
  EXPECT_THAT(page->rejected[5].reason, HasSubstr("modified_at is not a string"));
  EXPECT_THAT(page->rejected[6].reason, HasSubstr("no content object"));
  EXPECT_THAT(page->rejected[7].reason, HasSubstr("not an object"));
}

// Issue 15: one article with broken text (invalid UTF-8, a raw control character, an unpaired
// surrogate escape) made the whole page "not valid JSON", so every poll of its feed failed. Now
// only that entry is rejected, with its position and guid; the rest of the page is read.
std::string entry(const std::string& guid, const std::string& title) {
  return R"({"content":{"guid":")" + guid + R"(","title":")" + title + R"(","modified_at":"2025-11-06T09:48:36Z"}})";
}

std::string page_of(const std::vector<std::string>& entries) {
  std::string body = R"({"title":"t","entries":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) body += (i ? "," : "") + entries[i];
  return body + "]}";
}

TEST(ParseFeedPage, BrokenTextRejectsOnlyItsEntry) {
  const std::vector<std::pair<std::string, std::string>> broken{
      {"invalid UTF-8", "caf\xC3 au lait"},
      {"an overlong encoding", "\xC0\xAF"},
      {"an encoded surrogate", "\xED\xA0\x80"},
      {"a raw NUL", std::string("nul\0here", 8)},
      {"a raw newline", "line\nbreak"},
      {"a lone lead surrogate escape", "\\ud800 alone"},
      {"a lone trail surrogate escape", "\\udc00 alone"},
      {"a lead escape followed by no trail", "\\ud83d\\u0041"},
  };
  for (const auto& [what, title] : broken) {
    std::vector<std::string> entries;
    for (int i = 0; i < 100; ++i) entries.push_back(entry("g" + std::to_string(i), i == 41 ? title : "fine é 😀 \\ud83d\\ude00"));
    auto page = parse_feed_page(page_of(entries), ParseContent::yes);
    ASSERT_TRUE(page.has_value()) << what << ": " << page.error();
    EXPECT_EQ(page->raw_entry_count, 100u) << what;
    EXPECT_EQ(page->entries.size(), 99u) << what;
    EXPECT_EQ(page->full_entries.size(), 99u) << what;
    ASSERT_EQ(page->rejected.size(), 1u) << what;
    EXPECT_EQ(page->rejected[0].position, 41u) << what;
    EXPECT_EQ(page->rejected[0].guid, "g41") << what;
    EXPECT_THAT(page->rejected[0].reason, HasSubstr("invalid UTF-8, a raw control character")) << what;
  }
}

TEST(ParseFeedPage, ProperTextIsUntouchedAndBrokenStructureStillFailsThePage) {
  auto page = parse_feed_page(page_of({entry("a", "caf\xC3\xA9 \\ud83d\\ude00 \\u0000 escaped NUL is valid JSON")}),
                              ParseContent::yes);
  ASSERT_TRUE(page.has_value()) << page.error();
  EXPECT_TRUE(page->rejected.empty());
  EXPECT_EQ(page->full_entries[0].content.at("title").as_string(),
            std::string("caf\xC3\xA9 \xF0\x9F\x98\x80 ") + std::string(1, '\0') + " escaped NUL is valid JSON");
  // Broken outside any string: the page as a whole is unreadable.
  EXPECT_FALSE(parse_feed_page("{\"entries\":[\xC3]}", ParseContent::no).has_value());
  auto cut = parse_feed_page(page_of({entry("a", "x\xC3")}).substr(0, 40), ParseContent::no);
  ASSERT_FALSE(cut.has_value());
  EXPECT_THAT(cut.error(), HasSubstr("not valid JSON"));
}

TEST(ParseFeedPage, AnUnreadableGuidIsReportedWithoutOne) {
  auto page = parse_feed_page(page_of({entry("ok", "t"), entry("bad\xFFguid", "t")}), ParseContent::no);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->rejected.size(), 1u);
  EXPECT_EQ(page->rejected[0].guid, "");  // the caller cannot protect it: its scan is incomplete
  EXPECT_EQ(page->rejected[0].position, 1u);
}

TEST(ParseFeedPage, DuplicateGuidsAreReportedWithBothPositionsAndTheNewestIsUsed) {
  auto page = parse_feed_page(R"({"entries":[
      {"content":{"guid":"a","title":"older","modified_at":"2025-11-06T09:00:00Z"}},
      {"content":{"guid":"b","modified_at":"2025-11-06T09:00:00Z"}},
      {"content":{"guid":"a","title":"newer","modified_at":"2025-11-06T10:00:00Z"}},
      {"content":{"guid":"b","modified_at":"2025-11-06T08:00:00Z"}}]})",
                              ParseContent::yes);
  ASSERT_TRUE(page.has_value()) << page.error();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].guid, "a");
  EXPECT_EQ(page->full_entries[0].content.at("title").as_string(), "newer");
  ASSERT_EQ(page->rejected.size(), 2u);
  EXPECT_EQ(page->rejected[0].position, 0u);
  EXPECT_EQ(page->rejected[0].guid, "a");
  EXPECT_THAT(page->rejected[0].reason, HasSubstr("duplicate guid: also at position 2 of the page, which is newer"));
  EXPECT_EQ(page->rejected[1].position, 3u);
  EXPECT_EQ(page->rejected[1].guid, "b");
  EXPECT_THAT(page->rejected[1].reason, HasSubstr("also at position 1"));
}

TEST(ParseFeedPage, TimestampsBefore2000AreRejectedForWhatTheyAre) {
  auto page = parse_feed_page(R"({"entries":[{"content":{"guid":"epoch","modified_at":"1970-01-01T00:00:00Z"}}]})",
                              ParseContent::no);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->rejected.size(), 1u);
  EXPECT_THAT(page->rejected[0].reason, HasSubstr("\"1970-01-01T00:00:00Z\" is before 2000-01-01"));
}

TEST(ParseFeedPage, EnvelopeProblemsFailThePage) {
  EXPECT_THAT(parse_feed_page("", ParseContent::no).error(), HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_feed_page(R"({"entries": [ {"content": )", ParseContent::no).error(),
              HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_feed_page("[]", ParseContent::no).error(), HasSubstr("not a JSON object"));
  EXPECT_THAT(parse_feed_page(R"({"title":"x"})", ParseContent::no).error(),
              HasSubstr("no \"entries\" array"));
  EXPECT_THAT(parse_feed_page(R"({"entries":{}})", ParseContent::no).error(),
              HasSubstr("no \"entries\" array"));
}

TEST(ParseFeedPage, PagePastTheEndIsEmptyNotAnError) {
  auto page = parse_feed_page(R"({"title":"t","entries":[]})", ParseContent::no);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->raw_entry_count, 0u);
}

TEST(ParseFeedError, DocumentedNotFoundBodyWithStringOrNumericCode) {
  EXPECT_EQ(parse_feed_error(R"({"error":{"code":"404","message":"Collection with guid x not found"}})"),
            "Collection with guid x not found");
  EXPECT_EQ(parse_feed_error(R"({"error":{"code":404,"message":"m"}})"), "m");
  EXPECT_FALSE(parse_feed_error("<html>Not Found</html>").has_value());
  EXPECT_FALSE(parse_feed_error(R"({"error":"nope"})").has_value());
}

}  // namespace
}  // namespace feedsync::feed
