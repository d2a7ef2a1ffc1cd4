// Pure parts of lib/cms: problem details, the payload document, version records.
#include "cms/problem_details.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/payload.hpp"
#include "cms/version_record.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace json = boost::json;

TEST(ProblemDetails, FlatErrorsAreAFieldToMessagesMap) {
  auto problem = parse_problem(R"({"type":"https://x/validation","title":"Validation failed","status":400,
    "detail":"One or more fields are invalid.","code":"ValidationFailed",
    "errors":{"properties.Heading":["The Heading field is required.","Too short."],"displayName":"Too long."}})");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->status, 400);
  EXPECT_EQ(problem->code, "ValidationFailed");
  ASSERT_EQ(problem->errors.size(), 3u);
  EXPECT_EQ(problem->errors[0].field, "properties.Heading");
  EXPECT_EQ(problem->errors[1].message, "Too short.");
  EXPECT_EQ(problem->errors[2].field, "displayName");
}

TEST(ProblemDetails, V1ErrorsAreAList) {
  auto problem = parse_problem(R"({"title":"Bad","errors":[{"field":"locale","detail":"Unknown locale."},"free text"]})");
  ASSERT_TRUE(problem.has_value());
  ASSERT_EQ(problem->errors.size(), 2u);
  EXPECT_EQ(problem->errors[0].field, "locale");
  EXPECT_EQ(problem->errors[0].message, "Unknown locale.");
  EXPECT_EQ(problem->errors[1].field, "");
}

TEST(ProblemDetails, OtherErrorShapesAndNonProblems) {
  auto oauth = parse_problem(R"({"error":"invalid_client","error_description":"Nope"})");
  ASSERT_TRUE(oauth.has_value());
  EXPECT_EQ(oauth->code, "invalid_client");
  EXPECT_EQ(oauth->detail, "Nope");
  auto nested = parse_problem(R"({"error":{"code":404,"message":"Collection not found"}})");
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->code, "404");
  EXPECT_EQ(nested->detail, "Collection not found");
  EXPECT_FALSE(parse_problem("<html>Bad gateway</html>").has_value());
  EXPECT_FALSE(parse_problem(R"({"unrelated":1})").has_value());
}

TEST(ProblemDetails, ErrorMessagesNameContextStatusTitleDetailAndFields) {
  auto response = feedsync::testing::problem_reply(
      422, {{"title", "Unprocessable"}, {"detail", "Bad content."}, {"code", "X1"},
            {"errors", {{"properties.Body", {"Not HTML."}}}}});
  CmsError error = error_from_response(response, "CMS create of feed=blog guid=g key=k (POST /content)");
  EXPECT_EQ(error.kind, CmsErrorKind::permanent);
  EXPECT_EQ(error.status, 422);
  EXPECT_EQ(error.code, "X1");
  EXPECT_EQ(error.message,
            "CMS create of feed=blog guid=g key=k (POST /content): HTTP 422 Unprocessable: Bad content. (code X1); "
            "properties.Body: Not HTML.");
  EXPECT_EQ(error_from_response(net::Response{503, {}, {}}, "c").kind, CmsErrorKind::retryable);
  EXPECT_EQ(error_from_response(net::Response{401, {}, {}}, "c").kind, CmsErrorKind::auth);
}

TEST(ProblemDetails, HtmlBodiesAreNotQuotedButShortTextIs) {
  net::Response html{502, {}, "<html><body>secret internals</body></html>"};
  html.headers.set("Content-Type", "text/html");
  EXPECT_THAT(error_from_response(html, "c").message, Not(HasSubstr("internals")));
  net::Response text{400, {}, "Bad request: missing key\nstack trace..."};
  text.headers.set("Content-Type", "text/plain; charset=utf-8");
  EXPECT_EQ(error_from_response(text, "c").message, "c: HTTP 400: Bad request: missing key");
}

TEST(ProblemDetails, ClipNeverSplitsACharacter) {
  EXPECT_EQ(clip("abcdef", 10), "abcdef");
  EXPECT_EQ(clip("ab\xC3\xA9z", 3), "ab…");
}

TEST(Payload, TargetStatusFollowsThePublishMode) {
  const std::vector<std::pair<std::string, std::string>> modes = {
      {"immediate", "published"}, {"draft", "draft"}, {"ready", "ready"}, {"", "published"}};
  for (const auto& [mode, status] : modes) {
    const Payload payload = payload_for(feedsync::testing::sample_document(mode));
    EXPECT_EQ(payload.target_status, status) << mode;
    EXPECT_EQ(payload.key, feedsync::testing::kKey);
    EXPECT_EQ(payload.route_segment, "hello-world");
    EXPECT_TRUE(payload.is_rich_text("Body"));
    EXPECT_FALSE(payload.is_rich_text("Heading"));
  }
}

TEST(Payload, APublishTimeAheadIsScheduled) {
  constexpr std::int64_t kNow = 1'000'000;
  struct Case {
    std::string publish;
    std::optional<std::int64_t> publish_at_ms;
    std::string status;
  };
  const std::vector<Case> cases = {
      {"immediate", kNow + 1, "scheduled"},
      {"immediate", kNow, "published"},
      {"immediate", kNow - 1, "published"},
      {"immediate", std::nullopt, "published"},
      {"draft", kNow + 1, "draft"},
  };
  for (const auto& c : cases) {
    ArticleDocument doc = feedsync::testing::sample_document(c.publish);
    doc.scheduling = true;
    doc.publish_at_ms = c.publish_at_ms;
    EXPECT_EQ(status_at(payload_for(doc), kNow), c.status) << c.publish << " " << c.publish_at_ms.value_or(-1);
  }
}

TEST(WriteStatus, SpellingsOfTheJournalAndTheCms) {
  const std::vector<std::pair<WriteStatus, std::string_view>> spellings = {
      {WriteStatus::draft, "draft"},         {WriteStatus::ready, "ready"},
      {WriteStatus::published, "published"}, {WriteStatus::scheduled, "scheduled"},
      {WriteStatus::previous, "previous"},   {WriteStatus::rejected, "rejected"},
      {WriteStatus::in_review, "inReview"},  {WriteStatus::unknown, "unknown"},
      {WriteStatus::deleted, "deleted"},     {WriteStatus::absent, "absent"},
      {WriteStatus::restored, "restored"},   {WriteStatus::not_deleted, "not_deleted"},
  };
  for (const auto& [status, word] : spellings) EXPECT_EQ(to_string(status), word);
  // Version statuses as the CMS spells them; the words of remove and undelete are not versions'.
  EXPECT_EQ(version_status("published"), WriteStatus::published);
  EXPECT_EQ(version_status("inReview"), WriteStatus::in_review);
  EXPECT_EQ(version_status("scheduled"), WriteStatus::scheduled);
  EXPECT_EQ(version_status("absent"), WriteStatus::unknown);
  EXPECT_EQ(version_status("Published"), WriteStatus::unknown);
  EXPECT_EQ(version_status(""), WriteStatus::unknown);
}

TEST(VersionRecord, ReadsRecordsNestedRecordsAndListings) {
  auto flat = read_version_record(json::serialize(feedsync::testing::flat_record("5", "draft")), false);
  ASSERT_TRUE(flat.has_value());
  EXPECT_EQ(flat->version, "5");
  EXPECT_EQ(flat->properties->at("Heading"), "Hello world");
  auto numeric = read_version_record(R"({"version":12,"status":"published"})", false);
  EXPECT_EQ(numeric->version, "12");
  auto nested = read_version_record(R"({"key":"k","initialVersion":{"version":"2","properties":{"A":{"value":1}}}})", true);
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->version, "2");
  EXPECT_EQ(nested->properties->at("A"), 1);
  EXPECT_FALSE(read_version_record(R"({"key":"k","contentType":"T"})", false).has_value());

  auto newest = newest_version(R"({"items":[{"locale":"sv","version":"9"},{"locale":"en","version":"8"}]})", "en", false);
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(newest->version, "8");
  // The listing's order is not specified: the newest is the highest number wherever it stands.
  for (const char* listing : {R"([{"version":"9"},{"version":"12"},{"version":"10"}])",
                              R"([{"version":"12"},{"version":"9"},{"version":"10"}])",
                              R"({"items":[{"version":"10"},{"version":"9"},{"version":"012"}]})"}) {
    auto found = newest_version(listing, "", false);
    ASSERT_TRUE(found.has_value()) << listing;
    EXPECT_EQ(std::stoi(found->version), 12) << listing;
  }
}

TEST(VersionRecord, LocationAndDroppedProperties) {
  EXPECT_EQ(version_from_location("https://x/v1/content/abc/versions/17"), "17");
  EXPECT_EQ(version_from_location("/v1/content/abc"), std::nullopt);
  EXPECT_EQ(version_from_location("/v1/content/abc/versions"), std::nullopt);
  json::object sent{{"A", 1}, {"B", "x"}, {"C", nullptr}, {"D", "y"}};
  json::object stored{{"A", 1}, {"B", nullptr}};
  EXPECT_EQ(dropped_properties(sent, stored), (std::vector<std::string>{"B", "D"}));
}

}  // namespace
}  // namespace feedsync::cms
