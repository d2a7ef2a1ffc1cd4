// Scheduled publishing in RestCmsSink, both dialects: a publishAt ahead of the sink's clock is
// written as status "scheduled" with delayPublishUntil (flat: in the body or the merge-patch;
// v1: :publish with the time), a past or absent one publishes at once, and older versions still
// scheduled go back to draft.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/sink_factory.hpp"
#include "core/time.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using feedsync::testing::flat_record;
using feedsync::testing::kFlatBase;
using feedsync::testing::kKey;
using feedsync::testing::kV1Base;
using feedsync::testing::parse_object;
using feedsync::testing::problem_reply;
using feedsync::testing::run_to_completion;
namespace json = boost::json;

// The FakeClock starts at 2026-11-22T12:00:00Z.
constexpr const char* kFuture = "2026-11-23T08:00:00Z";
constexpr const char* kPast = "2026-11-21T08:00:00Z";

// `publish_at`: RFC 3339, or nullptr for an article without a time.
UpsertRequest scheduled_request(bool known, const char* publish_at) {
  UpsertRequest request = feedsync::testing::upsert_request(known);
  request.document.scheduling = true;
  if (publish_at != nullptr) request.document.publish_at_ms = parse_rfc3339_ms(publish_at);
  return request;
}

json::object scheduled_record(std::string version, std::string at = kFuture) {
  json::object record = flat_record(std::move(version), "scheduled");
  record["delayPublishUntil"] = at;
  return record;
}

class ScheduleSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestCmsSink> sink(config::CmsApi api = config::CmsApi::version2) {
    CmsClientOptions options;
    options.api = api;
    options.base_url = api == config::CmsApi::v1 ? kV1Base : kFlatBase;
    options.sink.fresh_version_delay = std::chrono::milliseconds(1);
    options.sink.clock = &clock_;
    return make_cms_sink(http_, tokens_, options);
  }
  CmsResult upsert(RestCmsSink& s, UpsertRequest request) { return run_to_completion(s.upsert(std::move(request))); }
  const net::Request& call(std::size_t i) const { return cms_.calls.at(i); }
  std::string item() const { return std::string(kFlatBase) + "/content/" + kKey; }

  feedsync::testing::FakeClock clock_;
  feedsync::testing::FakeHttpClient http_{&clock_};
  feedsync::testing::ScriptedCms cms_{http_};
  TokenSource tokens_{http_, clock_, feedsync::testing::test_token_options()};
};

TEST_F(ScheduleSinkTest, AFutureTimeIsWrittenAsScheduledInTheCreateBody) {
  cms_.reply_json(201, scheduled_record("5"));
  auto outcome = upsert(*sink(), scheduled_request(false, kFuture));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::scheduled);
  EXPECT_EQ(outcome->version, "5");
  EXPECT_EQ(outcome->publish_at, parse_rfc3339_ms(kFuture)) << "the pending canonical check looks after it";
  ASSERT_EQ(cms_.calls.size(), 1u);  // a new item has no older schedules to cancel
  const json::object body = parse_object(call(0).body);
  EXPECT_EQ(body.at("status"), "scheduled");
  EXPECT_EQ(body.at("delayPublishUntil"), kFuture);
}

TEST_F(ScheduleSinkTest, APastOrAbsentTimePublishesAtOnce) {
  for (const char* at : {kPast, static_cast<const char*>(nullptr)}) {
    cms_.calls.clear();
    cms_.reply_json(201, flat_record("6", "published"));
    auto outcome = upsert(*sink(), scheduled_request(false, at));
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    EXPECT_EQ(outcome->status, cms::WriteStatus::published);
    EXPECT_FALSE(outcome->publish_at.has_value());
    const json::object body = parse_object(call(0).body);
    EXPECT_EQ(body.at("status"), "published");
    EXPECT_FALSE(body.contains("delayPublishUntil"));
  }
}

TEST_F(ScheduleSinkTest, TheDecisionFollowsTheClock) {
  auto s = sink();
  cms_.reply_json(201, scheduled_record("7"));
  ASSERT_EQ(upsert(*s, scheduled_request(false, kFuture))->status, cms::WriteStatus::scheduled);
  clock_.advance(std::chrono::hours(21));  // past 08:00 the next day
  cms_.reply_json(201, flat_record("8", "published"));
  ASSERT_EQ(upsert(*s, scheduled_request(false, kFuture))->status, cms::WriteStatus::published);
  EXPECT_EQ(parse_object(call(1).body).at("status"), "published");
}

TEST_F(ScheduleSinkTest, ACmsThatPublishedInsteadHasReachedTheGoal) {
  // The time passed between our decision and the CMS's: it publishes at once (seed).
  cms_.reply_json(201, flat_record("9", "published"));
  auto outcome = upsert(*sink(), scheduled_request(false, kFuture));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::published);
  EXPECT_EQ(cms_.calls.size(), 1u);  // no PATCH back to "scheduled"
}

TEST_F(ScheduleSinkTest, OlderScheduledVersionsOfAKnownItemGoBackToDraft) {
  cms_.reply_json(201, scheduled_record("12"));
  cms_.reply_json(200, {{"items", {scheduled_record("12"), scheduled_record("10", "2026-11-22T18:00:00Z")}}});
  cms_.reply_json(200, flat_record("10", "draft"));
  auto outcome = upsert(*sink(), scheduled_request(true, kFuture));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::scheduled);
  EXPECT_EQ(outcome->version, "12");
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(call(0).url, item() + "/versions");
  EXPECT_EQ(call(1).method, net::Method::get);
  EXPECT_EQ(call(1).url, item() + "/versions?locales=en&statuses=scheduled");
  EXPECT_EQ(call(2).method, net::Method::patch);
  EXPECT_EQ(call(2).url, item() + "/versions/10");
  EXPECT_EQ(call(2).headers.get("Content-Type"), "application/merge-patch+json");
  EXPECT_EQ(parse_object(call(2).body), (json::object{{"status", "draft"}}));
}

TEST_F(ScheduleSinkTest, AnImmediatePublishAlsoCancelsAStaleSchedule) {
  cms_.reply_json(201, flat_record("13", "published"));
  cms_.reply_json(200, {{"items", {scheduled_record("11")}}});
  cms_.reply_json(200, flat_record("11", "draft"));
  ASSERT_TRUE(upsert(*sink(), scheduled_request(true, nullptr)).has_value());
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(call(2).url, item() + "/versions/11");

  // A failed cancel fails the write (retried later: the stale schedule must not survive).
  cms_.reply_json(201, flat_record("14", "published"));
  cms_.reply_json(200, {{"items", {scheduled_record("11")}}});
  cms_.reply(problem_reply(403, {{"title", "Forbidden"}}));
  auto failed = upsert(*sink(), scheduled_request(true, nullptr));
  ASSERT_FALSE(failed.has_value());
  EXPECT_THAT(failed.error().message, HasSubstr("cancel of an older schedule"));
}

TEST_F(ScheduleSinkTest, FeedsThatDoNotScheduleNeverLookForSchedules) {
  cms_.reply_json(201, flat_record("15", "published"));
  ASSERT_TRUE(upsert(*sink(), feedsync::testing::upsert_request(true)).has_value());
  EXPECT_EQ(cms_.calls.size(), 1u);
}

TEST_F(ScheduleSinkTest, StatusRefusedOnCreateSchedulesByMergePatch) {
  cms_.reply(problem_reply(400, {{"title", "Validation failed"},
                                 {"errors", {{"status", {"The status cannot be set on create."}}}}}));
  cms_.reply_json(201, flat_record("16", "draft"));
  cms_.reply_json(200, scheduled_record("16"));
  auto outcome = upsert(*sink(), scheduled_request(false, kFuture));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::scheduled);
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_FALSE(parse_object(call(1).body).contains("delayPublishUntil"));
  EXPECT_FALSE(parse_object(call(1).body).contains("status"));
  EXPECT_EQ(call(2).method, net::Method::patch);
  EXPECT_EQ(call(2).headers.get("Content-Type"), "application/merge-patch+json");
  EXPECT_EQ(parse_object(call(2).body), (json::object{{"status", "scheduled"}, {"delayPublishUntil", kFuture}}));
}

TEST_F(ScheduleSinkTest, V1SchedulesThroughPublishWithTheTime) {
  json::object draft = flat_record("3", "draft");
  draft.erase("properties");
  json::object scheduled = draft;
  scheduled["status"] = "scheduled";
  scheduled["delayPublishUntil"] = kFuture;
  cms_.reply_json(201, {{"key", kKey}, {"initialVersion", draft}});
  cms_.reply_json(200, scheduled);
  auto outcome = upsert(*sink(config::CmsApi::v1), scheduled_request(false, kFuture));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::scheduled);
  ASSERT_EQ(cms_.calls.size(), 2u);
  EXPECT_FALSE(parse_object(call(0).body).contains("status"));
  const net::Request& publish = call(1);
  EXPECT_EQ(publish.method, net::Method::post);
  EXPECT_EQ(publish.url, std::string(kV1Base) + "/content/" + kKey + "/versions/3:publish");
  EXPECT_EQ(publish.headers.get("Content-Type"), "application/json");
  // PublishContentOptions (vendor OpenAPI, components.schemas): {delayUntil, force}.
  EXPECT_EQ(parse_object(publish.body), (json::object{{"delayUntil", kFuture}}));

  // A past time: a plain :publish without a body.
  cms_.reply_json(201, {{"key", kKey}, {"initialVersion", draft}});
  cms_.reply_json(200, flat_record("3", "published"));
  ASSERT_TRUE(upsert(*sink(config::CmsApi::v1), scheduled_request(false, kPast)).has_value());
  EXPECT_TRUE(cms_.calls.back().body.empty());
}

// The pending canonical check's lookup (issue 19): one listing of the locale's published versions.
TEST_F(ScheduleSinkTest, PublishedVersionListsTheLocalesPublishedVersions) {
  auto s = sink();
  const ArticleRef article{"blog", "g1", kKey};
  json::object listing{{"items", json::array{flat_record("7", "published", "live-title")}}};
  cms_.reply_json(200, listing);
  auto found = run_to_completion(s->published_version(article, "en"));
  ASSERT_TRUE(found.has_value()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->version, "7");
  EXPECT_EQ((*found)->route_segment, "live-title");
  EXPECT_EQ(call(0).method, net::Method::get);
  EXPECT_EQ(call(0).url, item() + "/versions?locales=en&statuses=published");
}

TEST_F(ScheduleSinkTest, PublishedVersionIsNoneForADraftOnlyListingOrAMissingItem) {
  auto s = sink();
  const ArticleRef article{"blog", "g1", kKey};
  // A service that ignores the statuses filter lists the draft too: it does not count.
  json::object drafts{{"items", json::array{flat_record("7", "draft")}}};
  cms_.reply_json(200, drafts);
  auto draft_only = run_to_completion(s->published_version(article, "en"));
  ASSERT_TRUE(draft_only.has_value()) << draft_only.error().message;
  EXPECT_FALSE(draft_only->has_value());
  cms_.reply_json(404, json::object{{"title", "Not Found"}});
  auto missing = run_to_completion(s->published_version(article, "en"));
  ASSERT_TRUE(missing.has_value()) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
  cms_.reply_json(400, json::object{{"title", "Bad Request"}});
  EXPECT_FALSE(run_to_completion(s->published_version(article, "en")).has_value());
}

}  // namespace
}  // namespace feedsync::cms

