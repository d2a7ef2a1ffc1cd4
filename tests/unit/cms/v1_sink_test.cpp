// RestCmsSink with the v1 (split) dialect: wrapped properties, initialVersion, status actions,
// Prefer/Location, the permanent-delete header, [{field, detail}] errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/sink_factory.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using feedsync::testing::kContainer;
using feedsync::testing::kKey;
using feedsync::testing::kV1Base;
using feedsync::testing::parse_object;
using feedsync::testing::problem_reply;
using feedsync::testing::run_to_completion;
using feedsync::testing::upsert_request;
namespace json = boost::json;

const std::string kContent = std::string(kV1Base) + "/content";
const std::string kItem = kContent + "/" + kKey;

// v1's version resource: no contentType/container, values wrapped.
json::object v1_record(std::string version, std::string status, std::string route = "hello-world") {
  return {{"key", kKey},
          {"locale", "en"},
          {"version", version},
          {"displayName", "Hello world"},
          {"status", status},
          {"routeSegment", route},
          {"properties", {{"Heading", {{"value", "Hello world"}}}, {"Body", {{"value", {{"html", "<p>Hi</p>"}}}}}}}};
}

const json::object kWrapped{{"Heading", {{"value", "Hello world"}}}, {"Body", {{"value", {{"html", "<p>Hi</p>"}}}}}};

class V1SinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestCmsSink> sink(bool verify = false) {
    CmsClientOptions options;
    options.api = config::CmsApi::v1;
    options.base_url = kV1Base;
    options.sink.verify_writes = verify;
    options.sink.fresh_version_delay = std::chrono::milliseconds(1);
    return make_cms_sink(http_, tokens_, options);
  }
  CmsResult upsert(RestCmsSink& s, UpsertRequest request) { return run_to_completion(s.upsert(std::move(request))); }
  const net::Request& call(std::size_t i) const { return cms_.calls.at(i); }

  feedsync::testing::FakeClock clock_;
  feedsync::testing::FakeHttpClient http_{&clock_};
  feedsync::testing::ScriptedCms cms_{http_};
  TokenSource tokens_{http_, clock_, feedsync::testing::test_token_options()};
};

TEST_F(V1SinkTest, CreateWithInitialVersionThenPublishAction) {
  cms_.reply_json(201, {{"key", kKey}, {"contentType", "ArticlePage"}, {"container", kContainer},
                        {"initialVersion", v1_record("3", "draft")}});
  cms_.reply_json(200, v1_record("3", "published", "hello-world-3"));
  auto outcome = upsert(*sink(), upsert_request(false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->version, "3");
  EXPECT_EQ(outcome->status, cms::WriteStatus::published);
  EXPECT_EQ(outcome->route_segment, "hello-world-3");
  EXPECT_TRUE(outcome->created);

  ASSERT_EQ(cms_.calls.size(), 2u);
  const net::Request& create = call(0);
  EXPECT_EQ(create.url, kContent);
  EXPECT_EQ(create.headers.get("Prefer"), "return=representation");
  EXPECT_EQ(create.headers.get("Authorization"), "Bearer token-1");
  EXPECT_TRUE(create.is_idempotent());
  // The vendor's OpenAPI definition (components.schemas): NewContent {key, contentType, container,
  // initialVersion: ContentVersion {locale, displayName, routeSegment, properties: {name:
  // PropertyData {value}}}}; rich text values are RichText {html}. status is read-only there.
  EXPECT_EQ(parse_object(create.body), (json::object{{"key", kKey},
                                                     {"contentType", "ArticlePage"},
                                                     {"container", kContainer},
                                                     {"initialVersion", {{"locale", "en"},
                                                                         {"displayName", "Hello world"},
                                                                         {"routeSegment", "hello-world"},
                                                                         {"properties", kWrapped}}}}));
  const net::Request& publish = call(1);
  EXPECT_EQ(publish.method, net::Method::post);
  EXPECT_EQ(publish.url, kItem + "/versions/3:publish");
  EXPECT_EQ(publish.body, "");  // PublishContentOptions is optional: nothing to say for "now"
}

TEST_F(V1SinkTest, ConflictWritesAWrappedVersionWithoutStatus) {
  cms_.reply(problem_reply(409, {{"title", "Conflict"}}));
  cms_.reply_json(201, v1_record("4", "draft"));
  cms_.reply_json(200, v1_record("4", "published"));
  auto outcome = upsert(*sink(), upsert_request(false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_FALSE(outcome->created);
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(call(1).url, kItem + "/versions");
  // ContentVersion (vendor OpenAPI): no status (read-only), no version (read-only).
  EXPECT_EQ(parse_object(call(1).body), (json::object{{"locale", "en"},
                                                      {"displayName", "Hello world"},
                                                      {"routeSegment", "hello-world"},
                                                      {"properties", kWrapped}}));
  EXPECT_EQ(call(2).url, kItem + "/versions/4:publish");
}

// Issue 16: a service may answer a taken route segment with 409. On create that is not "the key
// exists": the create is sent again with the derived segment, never continued as a new version.
const std::string kDerived = "hello-world-" + std::string(kKey).substr(0, 6);

TEST_F(V1SinkTest, AConflictNamingTheRouteSegmentIsATakenSegmentNotAnExistingKey) {
  const json::object taken{{"title", "Conflict"},
                           {"detail", "The routeSegment 'hello-world' is already in use in this container."}};
  cms_.reply(problem_reply(409, taken));
  cms_.reply_json(201, {{"key", kKey}, {"initialVersion", v1_record("3", "draft", kDerived)}});
  cms_.reply_json(200, v1_record("3", "published", kDerived));
  auto outcome = upsert(*sink(), upsert_request(false));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_TRUE(outcome->created);
  EXPECT_EQ(outcome->route_segment, kDerived);
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(call(1).url, kContent);  // created again, not a version of an item that does not exist
  EXPECT_EQ(parse_object(call(1).body).at("initialVersion").at("routeSegment").as_string(), kDerived);

  // The derived segment taken as well: the write fails with the CMS's words, it does not go on
  // as if the key existed.
  cms_.reply(problem_reply(409, taken));
  cms_.reply(problem_reply(409, taken));
  auto failed = upsert(*sink(), upsert_request(false));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().status, 409);
  EXPECT_THAT(failed.error().message, HasSubstr("already in use"));
  EXPECT_EQ(cms_.calls.size(), 5u);
}

// The same on a new version of a known item.
TEST_F(V1SinkTest, AConflictNamingTheRouteSegmentOnANewVersionIsWrittenAgainWithTheDerivedOne) {
  cms_.reply(problem_reply(409, {{"title", "Conflict"},
                                 {"errors", {{{"field", "routeSegment"}, {"detail", "already in use"}}}}}));
  cms_.reply_json(201, v1_record("4", "draft", kDerived));
  cms_.reply_json(200, v1_record("4", "published", kDerived));
  auto outcome = upsert(*sink(), upsert_request(true));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(call(1).url, kItem + "/versions");
  EXPECT_EQ(parse_object(call(1).body).at("routeSegment").as_string(), kDerived);
}

TEST_F(V1SinkTest, PublishModesMapToActions) {
  cms_.reply_json(201, v1_record("5", "draft"));
  cms_.reply_json(200, v1_record("5", "ready"));
  auto ready = upsert(*sink(), upsert_request(true, "ready"));
  ASSERT_TRUE(ready.has_value()) << ready.error().message;
  EXPECT_EQ(ready->status, cms::WriteStatus::ready);
  EXPECT_EQ(call(1).url, kItem + "/versions/5:ready");

  cms_.reply_json(201, v1_record("6", "draft"));
  auto draft = upsert(*sink(), upsert_request(true, "draft"));
  ASSERT_TRUE(draft.has_value());
  EXPECT_EQ(draft->status, cms::WriteStatus::draft);
  EXPECT_EQ(cms_.calls.size(), 3u);  // a new v1 version is a draft already
}

TEST_F(V1SinkTest, WithoutRepresentationLocationAndAReadGiveTheVersion) {
  net::Response created{201, {}, {}};
  created.headers.set("Location", std::string("/v1/content/") + kKey + "/versions/9");
  cms_.reply(created);
  cms_.reply_json(200, v1_record("9", "draft"));
  cms_.reply(204);
  cms_.reply_json(200, v1_record("9", "published", "derived"));
  auto outcome = upsert(*sink(), upsert_request(true));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  EXPECT_EQ(outcome->version, "9");
  EXPECT_EQ(outcome->route_segment, "derived");
  ASSERT_EQ(cms_.calls.size(), 4u);
  EXPECT_EQ(call(1).url, kItem + "/versions/9");
  EXPECT_EQ(call(2).url, kItem + "/versions/9:publish");
  EXPECT_EQ(call(3).method, net::Method::get);
}

// Issue 21: a garbled answer to a create (no representation, no Location) and to the version
// lookup after it is the answer's trouble: retried (the write is idempotent), not dead-lettered.
TEST_F(V1SinkTest, AGarbledVersionLookupIsRetriedNotDeadLettered) {
  cms_.reply(net::Response{201, {}, R"({"key":"x","ver)"});
  cms_.reply(net::Response{200, {}, R"([{"version":"3","loc)"});
  auto outcome = upsert(*sink(), upsert_request(true));
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().kind, cms::CmsErrorKind::retryable);
  EXPECT_THAT(outcome.error().message, HasSubstr("the answer is not a version listing"));
  // A listing that parses but holds no version of the locale is still the CMS's word: permanent.
  cms_.reply(net::Response{201, {}, {}});
  cms_.reply_json(200, boost::json::object{{"items", boost::json::array{}}});
  auto missing = upsert(*sink(), upsert_request(true));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, cms::CmsErrorKind::permanent);
}

TEST_F(V1SinkTest, PublishRightAfterCreateRetriesA404) {
  cms_.reply_json(201, v1_record("7", "draft"));
  cms_.reply(404);
  cms_.reply_json(200, v1_record("7", "published"));
  ASSERT_TRUE(upsert(*sink(), upsert_request(true)).has_value());
  EXPECT_EQ(cms_.calls.size(), 3u);
}

TEST_F(V1SinkTest, ValidationErrorsListTheFieldsAndNameTheArticle) {
  cms_.reply(problem_reply(400, {{"title", "One or more validation errors occurred."},
                                 {"errors", {{{"field", "properties.Heading"}, {"detail", "The Heading field is required."}},
                                             {{"field", "displayName"}, {"detail", "Too long."}}}}}));
  auto failed = upsert(*sink(), upsert_request(false));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_EQ(failed.error().status, 400);
  ASSERT_EQ(failed.error().field_errors.size(), 2u);
  EXPECT_EQ(failed.error().field_errors[0].field, "properties.Heading");
  EXPECT_THAT(failed.error().message, HasSubstr("CMS create of feed=blog guid=guid-1 key=" + std::string(kKey)));
  EXPECT_THAT(failed.error().message, HasSubstr("properties.Heading: The Heading field is required."));
  EXPECT_THAT(failed.error().message, HasSubstr("displayName: Too long."));
}

TEST_F(V1SinkTest, ReadBackUnwrapsValuesToFindDroppedOnes) {
  cms_.reply_json(201, v1_record("8", "draft"));
  cms_.reply_json(200, v1_record("8", "published"));
  auto stored = v1_record("8", "published");
  stored["properties"] = {{"Heading", {{"value", "Hello world"}}}, {"Body", {{"value", nullptr}}}};
  cms_.reply_json(200, stored);
  auto failed = upsert(*sink(true), upsert_request(true));
  ASSERT_FALSE(failed.has_value());
  EXPECT_THAT(failed.error().message, HasSubstr("without the properties Body"));
  EXPECT_EQ(call(2).url, kItem + "/versions/8");
}

TEST_F(V1SinkTest, DeleteUsesTheHeaderForPermanent) {
  auto s = sink();
  cms_.reply(204);
  cms_.reply(204);
  ASSERT_TRUE(run_to_completion(s->remove(feedsync::testing::sample_article(), false)).has_value());
  ASSERT_TRUE(run_to_completion(s->remove(feedsync::testing::sample_article(), true)).has_value());
  EXPECT_EQ(call(0).url, kItem);
  EXPECT_FALSE(call(0).headers.contains("cms-permanent-delete"));
  EXPECT_EQ(call(1).url, kItem);
  EXPECT_EQ(call(1).headers.get("cms-permanent-delete"), "true");
}

// translations: group (issue 23): Content_DeleteLocale, DELETE /content/{key}/locales/{locale},
// no request body (the vendor's OpenAPI definition: requestBody never); 200 or 204 is done.
TEST_F(V1SinkTest, DeleteOfOneLocaleIsContentDeleteLocale) {
  auto s = sink();
  cms_.reply_json(200, v1_record("9", "published"));
  auto done = run_to_completion(s->remove_locale(feedsync::testing::sample_article(), "fr"));
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->status, cms::WriteStatus::deleted);
  EXPECT_EQ(call(0).method, net::Method::delete_);
  EXPECT_EQ(call(0).url, kItem + "/locales/fr");
  EXPECT_EQ(call(0).body, "");
  EXPECT_FALSE(call(0).headers.contains("cms-permanent-delete"));
}

// translations: group: a later translation of a group whose item exists is a locale version:
// the create's 409, then Content_CreateVersion with a ContentVersion in the new locale (no status,
// no version: both read-only), then its own :publish.
TEST_F(V1SinkTest, ALaterTranslationIsAContentVersionInItsLocale) {
  cms_.reply(problem_reply(409, {{"title", "Conflict"}}));
  auto record = v1_record("5", "draft");
  record["locale"] = "de";
  cms_.reply_json(201, record);
  record["status"] = "published";
  cms_.reply_json(200, record);
  auto request = upsert_request(false);
  request.document.locale = "de";
  auto outcome = upsert(*sink(), std::move(request));
  ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
  ASSERT_EQ(cms_.calls.size(), 3u);
  EXPECT_EQ(call(1).method, net::Method::post);
  EXPECT_EQ(call(1).url, kItem + "/versions");
  EXPECT_EQ(parse_object(call(1).body), (json::object{{"locale", "de"},
                                                      {"displayName", "Hello world"},
                                                      {"routeSegment", "hello-world"},
                                                      {"properties", kWrapped}}));
  EXPECT_EQ(call(2).url, kItem + "/versions/5:publish");
}

TEST_F(V1SinkTest, UndeleteIsTheSameAction) {
  cms_.reply(200);
  auto restored = run_to_completion(sink()->undelete(feedsync::testing::sample_article()));
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(call(0).url, kItem + ":undelete");
}

// Issue 16: the vendor's definition lists 400 (no 409) for :undelete; "an error is returned" for
// an item that is not deleted. The item is read (Content_GetNode): live, so the upsert carries on.
TEST_F(V1SinkTest, AnUndeleteRefusedWith400ReadsTheItemAndCarriesOnWhenItIsLive) {
  cms_.reply(400);
  cms_.reply(200);
  auto live = run_to_completion(sink()->undelete(feedsync::testing::sample_article()));
  ASSERT_TRUE(live.has_value()) << live.error().message;
  EXPECT_EQ(live->status, cms::WriteStatus::not_deleted);
  ASSERT_EQ(cms_.calls.size(), 2u);
  EXPECT_EQ(call(1).method, net::Method::get);
  EXPECT_EQ(call(1).url, kItem);
}

}  // namespace
}  // namespace feedsync::cms
