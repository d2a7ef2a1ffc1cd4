// RestCmsSink with the version2 (flat) dialect: request sequences and how answers are read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/sink_factory.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using feedsync::testing::flat_record;
using feedsync::testing::kContainer;
using feedsync::testing::kFlatBase;
using feedsync::testing::kKey;
using feedsync::testing::parse_object;
using feedsync::testing::problem_reply;
using feedsync::testing::run_to_completion;
using feedsync::testing::upsert_request;
namespace json = boost::json;

const std::string kContent = std::string(kFlatBase) + "/content";
const std::string kItem = kContent + "/" + kKey;

class FlatSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestCmsSink> sink(bool verify = false) {
    CmsClientOptions options;
    options.api = config::CmsApi::version2;
    options.base_url = kFlatBase;
    options.sink.verify_writes = verify;
    options.sink.fresh_version_delay = std::chrono::milliseconds(1);
    return make_cms_sink(http_, tokens_, options);
  }
  CmsResult upsert(RestCmsSink& s, UpsertRequest request) { return run_to_completion(s.upsert(std::move(request))); }
  const net::Request& call(std::size_t i) const { return cms_.calls.at(i); }

  // Every PATCH any test made is JSON Merge Patch (plain JSON has produced 415).
  void TearDown() override {
    for (const auto& request : cms_.calls) {
      if (request.method == net::Method::patch) {
        EXPECT_EQ(request.headers.get("Content-Type"), "application/merge-patch+json") << request.url;
      }
    }
  }

  feedsync::testing::FakeClock clock_;
  feedsync::testing::FakeHttpClient http_{&clock_};
  feedsync::testing::ScriptedCms cms_{http_};
  TokenSource tokens_{http_, clock_, feedsync::testing::test_token_options()};
};

TEST_F(FlatSinkTest, CreateSendsTheFlatRecordWithItsStatusInOneRequest) {
  cms_.reply_json(201, flat_record("5", "published", "hello-world-2"));
  auto outcome = upsert(*sink(), upsert_request(false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->key, kKey);
  EXPECT_EQ(outcome->version, "5");
  EXPECT_EQ(outcome->status, cms::WriteStatus::published);
  EXPECT_EQ(outcome->route_segment, "hello-world-2");  // as the CMS derived it, not as sent
  EXPECT_TRUE(outcome->created);

  ASSERT_EQ(cms_.calls.size(), 1u);
  const net::Request& create = call(0);
  EXPECT_EQ(create.method, net::Method::post);
  EXPECT_EQ(create.url, kContent);
  EXPECT_EQ(create.headers.get("Authorization"), "Bearer token-1");
  EXPECT_EQ(create.headers.get("Accept"), "application/json");
  EXPECT_EQ(create.headers.get("Content-Type"), "application/json");
  EXPECT_TRUE(create.is_idempotent());  // deterministic key: a replay gets 409
  EXPECT_EQ(parse_object(create.body),
            (json::object{{"key", kKey},
                          {"contentType", "ArticlePage"},
                          {"container", kContainer},
                          {"locale", "en"},
                          {"displayName", "Hello world"},
                          {"routeSegment", "hello-world"},
                          {"properties", {{"Heading", "Hello world"}, {"Body", "<p>Hi</p>"}}},
                          {"status", "published"}}));
}

TEST_F(FlatSinkTest, ConflictOnCreateContinuesAsANewVersion) {
  cms_.reply(problem_reply(409, {{"title", "Conflict"}}));
  cms_.reply_json(201, flat_record("6", "published"));
  auto outcome = upsert(*sink(), upsert_request(false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_FALSE(outcome->created);
  EXPECT_EQ(outcome->version, "6");
  ASSERT_EQ(cms_.calls.size(), 2u);
  const net::Request& version = call(1);
  EXPECT_EQ(version.method, net::Method::post);
  EXPECT_EQ(version.url, kItem + "/versions");
  EXPECT_FALSE(version.is_idempotent());
  EXPECT_EQ(parse_object(version.body), (json::object{{"locale", "en"},
                                                      {"displayName", "Hello world"},
                                                      {"routeSegment", "hello-world"},
                                                      {"properties", {{"Heading", "Hello world"}, {"Body", "<p>Hi</p>"}}},
                                                      {"status", "published"}}));
}

TEST_F(FlatSinkTest, KnownItemGetsANewVersionAndReadyMode) {
  cms_.reply_json(201, flat_record("7", "ready"));
  auto outcome = upsert(*sink(), upsert_request(true, "ready"));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::ready);
  ASSERT_EQ(cms_.calls.size(), 1u);
  EXPECT_EQ(call(0).url, kItem + "/versions");
  EXPECT_EQ(parse_object(call(0).body).at("status"), "ready");
}

TEST_F(FlatSinkTest, AVersionLeftAsDraftIsPublishedByMergePatch) {
  cms_.reply_json(201, flat_record("8", "draft"));  // the service ignored the status
  cms_.reply_json(200, flat_record("8", "published", "hello-world"));
  auto outcome = upsert(*sink(), upsert_request(true));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->status, cms::WriteStatus::published);
  ASSERT_EQ(cms_.calls.size(), 2u);
  const net::Request& patch = call(1);
  EXPECT_EQ(patch.method, net::Method::patch);
  EXPECT_EQ(patch.url, kItem + "/versions/8");
  EXPECT_EQ(patch.headers.get("Content-Type"), "application/merge-patch+json");
  EXPECT_EQ(parse_object(patch.body), (json::object{{"status", "published"}}));
}

TEST_F(FlatSinkTest, StatusRefusedInTheBodyFallsBackToDraftPlusPatchForGood) {
  auto s = sink();
  cms_.reply(problem_reply(400, {{"title", "Validation failed"},
                                 {"errors", {{"status", {"The status cannot be set on create."}}}}}));
  cms_.reply_json(201, flat_record("9", "draft"));
  cms_.reply_json(200, flat_record("9", "published"));
  auto first = upsert(*s, upsert_request(true));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(parse_object(call(0).body).at("status"), "published");
  EXPECT_FALSE(parse_object(call(1).body).contains("status"));  // refused whatever its value
  EXPECT_EQ(call(2).method, net::Method::patch);

  cms_.reply_json(201, flat_record("10", "draft"));
  cms_.reply_json(200, flat_record("10", "published"));
  ASSERT_TRUE(upsert(*s, upsert_request(true)).has_value());
  ASSERT_EQ(cms_.calls.size(), 5u);  // straight to draft + PATCH now
  EXPECT_FALSE(parse_object(call(3).body).contains("status"));
  EXPECT_EQ(call(4).headers.get("Content-Type"), "application/merge-patch+json");
}

TEST_F(FlatSinkTest, DraftModeNeedsNoTransition) {
  cms_.reply_json(201, flat_record("3", "draft"));
  auto outcome = upsert(*sink(), upsert_request(false, "draft"));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->status, cms::WriteStatus::draft);
  EXPECT_EQ(cms_.calls.size(), 1u);
}

TEST_F(FlatSinkTest, FreshVersionThatAnswers404IsRetriedBriefly) {
  cms_.reply_json(201, flat_record("11", "draft"));
  cms_.reply(404);
  cms_.reply(404);
  cms_.reply_json(200, flat_record("11", "published"));
  auto outcome = upsert(*sink(), upsert_request(false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(cms_.calls.size(), 4u);

  cms_.reply_json(201, flat_record("12", "draft"));
  for (int i = 0; i < 4; ++i) cms_.reply(problem_reply(404, {{"title", "Not Found"}}));
  auto failed = upsert(*sink(), upsert_request(true));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_EQ(failed.error().status, 404);
  EXPECT_THAT(failed.error().message, HasSubstr("CMS publish of feed=blog guid=guid-1 key="));
  EXPECT_EQ(cms_.calls.size(), 4u + 5u);  // one version, four PATCH attempts
}

TEST_F(FlatSinkTest, KnownItemMissingFromTheCmsIsCreatedAgain) {
  cms_.reply(404);
  cms_.reply_json(201, flat_record("1", "published"));
  auto outcome = upsert(*sink(), upsert_request(true));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_TRUE(outcome->created);
  ASSERT_EQ(cms_.calls.size(), 2u);
  EXPECT_EQ(call(1).url, kContent);
}

TEST_F(FlatSinkTest, ExistingKeyThatTakesNoVersionIsReportedAsSoftDeleted) {
  cms_.reply(409);
  cms_.reply(404);
  auto failed = upsert(*sink(), upsert_request(false));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(failed.error().message, HasSubstr("restore it (undelete)"));
  EXPECT_EQ(cms_.calls.size(), 2u);
}

TEST_F(FlatSinkTest, NoBodyFindsTheVersionFromLocationOrTheListing) {
  net::Response created{201, {}, {}};
  created.headers.set("Location", std::string(kItem) + "/versions/21");
  cms_.reply(created);
  cms_.reply_json(200, flat_record("21", "draft"));                    // GET: what was written
  cms_.reply(204);                                                     // PATCH without a body
  cms_.reply_json(200, flat_record("21", "published", "re-derived"));  // GET for the route
  auto outcome = upsert(*sink(), upsert_request(true));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->version, "21");
  EXPECT_EQ(outcome->route_segment, "re-derived");
  ASSERT_EQ(cms_.calls.size(), 4u);
  EXPECT_EQ(call(1).method, net::Method::get);
  EXPECT_EQ(call(1).url, kItem + "/versions/21");
  EXPECT_EQ(call(2).method, net::Method::patch);
  EXPECT_EQ(call(2).url, kItem + "/versions/21");
  EXPECT_EQ(call(3).method, net::Method::get);

  cms_.reply(201);  // no body, no Location
  cms_.reply_json(200, {{"items", {flat_record("22", "published")}}, {"totalItemCount", 1}});
  auto listed = upsert(*sink(), upsert_request(true));
  ASSERT_TRUE(listed.has_value()) << listed.error().message;
  EXPECT_EQ(listed->version, "22");
  EXPECT_EQ(cms_.calls.back().url, kItem + "/versions?locales=en");
}

TEST_F(FlatSinkTest, ReadBackCatchesADroppedProperty) {
  cms_.reply_json(201, flat_record("30", "published"));
  auto stored = flat_record("30", "published");
  stored["properties"] = {{"Heading", "Hello world"}};  // Body silently dropped
  cms_.reply_json(200, stored);
  auto failed = upsert(*sink(true), upsert_request(false));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(failed.error().message, HasSubstr("without the properties Body"));
  EXPECT_THAT(failed.error().message, HasSubstr("feed=blog guid=guid-1"));
  ASSERT_EQ(failed.error().field_errors.size(), 1u);
  EXPECT_EQ(failed.error().field_errors[0].field, "properties.Body");
  EXPECT_EQ(call(1).url, kItem + "/versions/30");

  cms_.reply_json(201, flat_record("31", "published"));
  cms_.reply_json(200, flat_record("31", "published"));
  EXPECT_TRUE(upsert(*sink(true), upsert_request(false)).has_value());
}

// translations: group (issue 23): one locale of an item, DELETE /content/{key}/versions?locale=
// (api-notes.md, flat endpoints), no body; 404 (no such locale any more) counts as done.
TEST_F(FlatSinkTest, DeleteOfOneLocaleUsesTheVersionsQuery) {
  auto s = sink();
  cms_.reply(204);
  auto done = run_to_completion(s->remove_locale(feedsync::testing::sample_article(), "de"));
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->status, cms::WriteStatus::deleted);
  EXPECT_EQ(call(0).method, net::Method::delete_);
  EXPECT_EQ(call(0).url, kItem + "/versions?locale=de");
  EXPECT_EQ(call(0).body, "");

  cms_.reply(problem_reply(404, {{"title", "Not Found"}}));
  auto again = run_to_completion(s->remove_locale(feedsync::testing::sample_article(), "de"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, cms::WriteStatus::absent);

  cms_.reply(problem_reply(400, {{"title", "Bad Request"}, {"detail", "The item's only locale cannot be deleted."}}));
  auto refused = run_to_completion(s->remove_locale(feedsync::testing::sample_article(), "de"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message, HasSubstr("CMS delete of locale de of feed=blog guid=guid-1"));
}

TEST_F(FlatSinkTest, DeleteIsSoftOrPermanentAnd404CountsAsDone) {
  auto s = sink();
  cms_.reply(204);
  auto soft = run_to_completion(s->remove(feedsync::testing::sample_article(), false));
  ASSERT_TRUE(soft.has_value());
  EXPECT_EQ(soft->status, cms::WriteStatus::deleted);
  EXPECT_EQ(call(0).method, net::Method::delete_);
  EXPECT_EQ(call(0).url, kItem);

  cms_.reply(problem_reply(404, {{"title", "Not Found"}}));
  auto gone = run_to_completion(s->remove(feedsync::testing::sample_article(), true));
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->status, cms::WriteStatus::absent);
  EXPECT_EQ(call(1).url, kItem + "?permanent=true");
  EXPECT_FALSE(call(1).headers.contains("cms-permanent-delete"));

  cms_.reply(problem_reply(403, {{"title", "Forbidden"}, {"detail", "No delete right on the folder."}}));
  auto refused = run_to_completion(s->remove(feedsync::testing::sample_article(), false));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(refused.error().message,
              HasSubstr("CMS delete of feed=blog guid=guid-1 key=" + std::string(kKey) +
                        " (DELETE /_cms/version2/content/" + kKey + "): HTTP 403 Forbidden: No delete right"));
}

TEST_F(FlatSinkTest, UndeleteRestoresAndSaysWhenTheItemIsGone) {
  auto s = sink();
  cms_.reply(200);
  auto restored = run_to_completion(s->undelete(feedsync::testing::sample_article()));
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->status, cms::WriteStatus::restored);
  EXPECT_EQ(call(0).method, net::Method::post);
  EXPECT_EQ(call(0).url, kItem + ":undelete");

  cms_.reply(404);
  auto gone = run_to_completion(s->undelete(feedsync::testing::sample_article()));
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(gone.error().message, HasSubstr("gone from the CMS"));

  // Refused (409 or 400: which one is not specified): the item is read; live means nothing to
  // restore, and the upsert that follows carries on.
  for (int refusal : {409, 400}) {
    const auto before = cms_.calls.size();
    cms_.reply(refusal);
    cms_.reply(200);
    auto live = run_to_completion(s->undelete(feedsync::testing::sample_article()));
    ASSERT_TRUE(live.has_value()) << refusal;
    EXPECT_EQ(live->status, cms::WriteStatus::not_deleted);
    ASSERT_EQ(cms_.calls.size(), before + 2);
    EXPECT_EQ(call(before + 1).method, net::Method::get);
    EXPECT_EQ(call(before + 1).url, kItem);
  }
  // Refused and not readable either: the refusal is the error.
  cms_.reply(400);
  cms_.reply(404);
  auto refused = run_to_completion(s->undelete(feedsync::testing::sample_article()));
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message, HasSubstr("400"));
}

}  // namespace
}  // namespace feedsync::cms
