// The CMS simulator's flat (version2) dialect: content items.

#include "unit/sim/cms_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

using net::Method;

constexpr const char* kKey = "6946107a8ad6414f8f1786364dab1ec2";
constexpr const char* kOther = "98eb33cfa7df48d1b987442c522984c8";

class CmsFlatTest : public CmsTest {};

TEST_F(CmsFlatTest, CreateReturnsTheVersionRecord) {
  auto reply = post(content(), article(kKey));
  ASSERT_EQ(reply.status, 201) << reply.body;
  auto body = reply.object();
  EXPECT_EQ(body.at("key"), kKey);
  EXPECT_EQ(body.at("contentType"), "ArticlePage");
  EXPECT_EQ(body.at("locale"), "en");
  EXPECT_EQ(body.at("container"), kRoot);
  EXPECT_EQ(body.at("status"), "draft");
  EXPECT_TRUE(body.at("version").is_string());
  EXPECT_EQ(body.at("properties"), (json::object{{"Heading", "Hello"}}));
  EXPECT_EQ(body.at("createdBy"), "sim-client");
  EXPECT_FALSE(reply.header("ETag").empty());
  EXPECT_EQ(reply.header("Location"), content(kKey) + "/versions/" + std::string(body.at("version").as_string()));
}

TEST_F(CmsFlatTest, KeysAreNormalisedOrGenerated) {
  auto dashed = post(content(), article("6946107A-8AD6-414F-8F17-86364DAB1EC2"));
  ASSERT_EQ(dashed.status, 201) << dashed.body;
  EXPECT_EQ(dashed.object().at("key"), kKey);

  auto generated = post(content(), article(""));
  ASSERT_EQ(generated.status, 201);
  std::string key(generated.object().at("key").as_string());
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);

  auto bad = post(content(), article("not-a-key"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.object().at("errors").as_object().contains("key"));
}

TEST_F(CmsFlatTest, CreatingAnExistingKeyIsAConflictEvenWhenSoftDeleted) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  auto again = post(content(), article(kKey));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(again.object().at("code"), "Conflict");

  ASSERT_EQ(del(content(kKey)).status, 200);
  EXPECT_EQ(post(content(), article(kKey)).status, 409);
}

TEST_F(CmsFlatTest, ValidationProblemsListFieldErrorsAsAMap) {
  auto body = article(kKey);
  body["contentType"] = "NoSuchType";
  auto reply = post(content(), body);
  ASSERT_EQ(reply.status, 400);
  auto problem = expect_bad_request_problem(reply);
  auto messages = problem.at("errors").as_object().at("contentType").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(std::string(messages[0].as_string()).find("NoSuchType"), std::string::npos);

  // Several mistakes come back together.
  json::object empty{{"contentType", "ArticlePage"}, {"container", kOther}};
  auto many = post(content(), empty).object().at("errors").as_object();
  EXPECT_TRUE(many.contains("container"));
  EXPECT_TRUE(many.contains("locale"));
  EXPECT_TRUE(many.contains("displayName"));
}

TEST_F(CmsFlatTest, TheSeedsPropertyTypoIsRejected) {
  auto body = article(kKey);
  body.erase("properties");
  body["property"] = json::object{{"heading", "The main story"}};
  auto reply = post(content(), body);
  ASSERT_EQ(reply.status, 400) << reply.body;
  EXPECT_TRUE(reply.object().at("errors").as_object().contains("property"));
  EXPECT_EQ(get(content(kKey)).status, 404);
}

TEST_F(CmsFlatTest, LocaleRulesFollowTheContentType) {
  auto body = article(kKey);
  body.erase("locale");
  auto missing = post(content(), body);
  ASSERT_EQ(missing.status, 400);
  EXPECT_TRUE(missing.object().at("errors").as_object().contains("locale"));

  json::object folder{{"contentType", "SysContentFolder"}, {"container", kRoot}, {"displayName", "Blog"}, {"locale", "en"}};
  EXPECT_EQ(post(content(), folder).status, 400);
  folder.erase("locale");
  auto created = post(content(), folder);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(created.object().contains("locale"));
}

TEST_F(CmsFlatTest, BodiesMustBeJsonObjects) {
  auto text = call(Method::post, content(), json::serialize(article(kKey)), {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415);
  auto broken = call(Method::post, content(), "{\"key\":", {{"Content-Type", "application/json"}});
  EXPECT_EQ(broken.status, 400);
  auto wrong_type = post(content(), json::object{{"contentType", 7}});
  EXPECT_EQ(wrong_type.status, 400);
}

TEST_F(CmsFlatTest, CreateWithStatus) {
  auto body = article(kKey, "My First Story!");
  body["status"] = "published";
  auto published = post(content(), body);
  ASSERT_EQ(published.status, 201) << published.body;
  EXPECT_EQ(published.object().at("status"), "published");
  EXPECT_EQ(published.object().at("routeSegment"), "my-first-story");
  EXPECT_TRUE(published.object().contains("published"));

  auto scheduled = article(kOther);
  scheduled["status"] = "scheduled";
  auto no_time = post(content(), scheduled);
  EXPECT_EQ(no_time.status, 400);
  EXPECT_TRUE(no_time.object().at("errors").as_object().contains("delayPublishUntil"));

  auto previous = article(kOther);
  previous["status"] = "previous";
  EXPECT_EQ(post(content(), previous).status, 400);
}

TEST_F(CmsFlatTest, GetReturnsMetadataOnly) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  auto reply = get(content(kKey));
  ASSERT_EQ(reply.status, 200);
  auto body = reply.object();
  EXPECT_EQ(body.at("key"), kKey);
  EXPECT_EQ(body.at("contentType"), "ArticlePage");
  EXPECT_EQ(body.at("container"), kRoot);
  EXPECT_TRUE(body.contains("created"));
  EXPECT_FALSE(body.contains("properties"));
  EXPECT_FALSE(body.contains("displayName"));
  EXPECT_FALSE(reply.header("ETag").empty());
  EXPECT_EQ(get(content(kOther)).status, 404);
}

TEST_F(CmsFlatTest, SoftDeleteHidesTheItemUntilUndeleted) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  auto deleted = del(content(kKey));
  ASSERT_EQ(deleted.status, 200);
  EXPECT_TRUE(deleted.object().contains("deleted"));
  EXPECT_EQ(get(content(kKey)).status, 404);
  EXPECT_EQ(del(content(kKey)).status, 404);
  auto allowed = get(content(kKey) + "?allowDeleted=true");
  ASSERT_EQ(allowed.status, 200);
  EXPECT_TRUE(allowed.object().contains("deleted"));
  EXPECT_EQ(get(content(kRoot) + "/items").object().at("totalItemCount"), 0);

  auto restored = call(Method::post, content(kKey) + ":undelete");
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_FALSE(restored.object().contains("deleted"));
  EXPECT_EQ(get(content(kKey)).status, 200);
  EXPECT_EQ(call(Method::post, content(kKey) + ":undelete").status, 409);
}

TEST_F(CmsFlatTest, PermanentDeleteForgetsTheKey) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  ASSERT_EQ(del(content(kKey)).status, 200);
  EXPECT_EQ(del(content(kKey) + "?permanent=true").status, 204);  // soft-deleted first: still allowed
  EXPECT_EQ(get(content(kKey) + "?allowDeleted=true").status, 404);
  EXPECT_EQ(call(Method::post, content(kKey) + ":undelete").status, 404);
  EXPECT_EQ(post(content(), article(kKey)).status, 201);
  EXPECT_EQ(del(content(kKey) + "?permanent=true").status, 204);
}

TEST_F(CmsFlatTest, MoveIsAMergePatchOfTheContainer) {
  json::object folder{{"key", kOther}, {"contentType", "SysContentFolder"}, {"container", kRoot}, {"displayName", "Blog"}};
  ASSERT_EQ(post(content(), folder).status, 201);
  ASSERT_EQ(post(content(), article(kKey)).status, 201);

  auto plain = call(Method::patch, content(kKey), json::serialize(json::object{{"container", kOther}}),
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(plain.status, 415);
  EXPECT_EQ(plain.header("Content-Type"), "application/problem+json");

  auto moved = merge_patch(content(kKey), json::object{{"container", kOther}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.object().at("container"), kOther);
  EXPECT_EQ(get(content(kOther) + "/items").object().at("totalItemCount"), 1);

  EXPECT_EQ(merge_patch(content(kKey), json::object{{"container", "0123456789abcdef0123456789abcdef"}}).status, 400);
  EXPECT_EQ(merge_patch(content(kOther), json::object{{"container", kKey}}).status, 400);  // a cycle
  EXPECT_EQ(merge_patch(content(kKey), json::object{{"contentType", "NewsPage"}}).status, 400);  // read-only
}

TEST_F(CmsFlatTest, IfMatchGuardsItemWrites) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  std::string etag = get(content(kKey)).header("ETag");
  auto stale = merge_patch(content(kKey), json::object{{"container", kRoot}}, {{"If-Match", "\"999999\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.object().at("code"), "PreconditionFailed");
  EXPECT_EQ(del(content(kKey), {{"If-Match", "\"999999\""}}).status, 412);
  EXPECT_EQ(del(content(kKey), {{"If-Match", "W/" + etag}}).status, 412);  // weak tags never match
  EXPECT_EQ(del(content(kKey), {{"If-Match", "\"1\", " + etag}}).status, 200);
}

TEST_F(CmsFlatTest, CopyDuplicatesTheTreeAsDrafts) {
  json::object folder{{"key", kOther}, {"contentType", "SysContentFolder"}, {"container", kRoot}, {"displayName", "Blog"}};
  ASSERT_EQ(post(content(), folder).status, 201);
  auto child = article(kKey);
  child["container"] = kOther;
  child["status"] = "published";
  ASSERT_EQ(post(content(), child).status, 201);

  auto copied = call(Method::post, content(kOther) + ":copy");
  ASSERT_EQ(copied.status, 201) << copied.body;
  std::string copy_key(copied.object().at("key").as_string());
  EXPECT_NE(copy_key, kOther);
  EXPECT_EQ(copied.object().at("container"), kRoot);
  auto children = get(content(copy_key) + "/items").object().at("items").as_array();
  ASSERT_EQ(children.size(), 1u);
  std::string child_copy(children[0].at("key").as_string());
  auto versions = get(content(child_copy) + "/versions").object().at("items").as_array();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].at("status"), "draft");
  EXPECT_EQ(versions[0].at("properties"), (json::object{{"Heading", "Hello"}}));

  auto kept = post(content(kKey) + ":copy", json::object{{"keepPublishedStatus", true}, {"container", kRoot}});
  ASSERT_EQ(kept.status, 201) << kept.body;
  auto kept_versions = get(content(std::string(kept.object().at("key").as_string())) + "/versions");
  EXPECT_EQ(kept_versions.object().at("items").as_array()[0].at("status"), "published");
}

TEST_F(CmsFlatTest, ItemsListsLiveChildrenFilteredByContentType) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  json::object news{{"contentType", "NewsPage"}, {"locale", "en"}, {"container", kRoot}, {"displayName", "News"}};
  ASSERT_EQ(post(content(), news).status, 201);
  auto all = get(content(kRoot) + "/items").object();
  EXPECT_EQ(all.at("totalItemCount"), 2);
  auto filtered = get(content(kRoot) + "/items?contentTypes=NewsPage").object();
  ASSERT_EQ(filtered.at("items").as_array().size(), 1u);
  EXPECT_EQ(filtered.at("items").as_array()[0].at("contentType"), "NewsPage");
  auto paged = get(content(kRoot) + "/items?pageSize=1&pageIndex=1").object();
  EXPECT_EQ(paged.at("items").as_array().size(), 1u);
  EXPECT_EQ(get(content(kRoot) + "/items?pageSize=0").status, 400);
}

// --cms-refuse-status-on-create: a stricter service that takes a status only by PATCH.
class CmsStrictStatusTest : public CmsTest {
 protected:
  CmsStrictStatusTest() : CmsTest(options()) {}
  static CmsSimOptions options() {
    CmsSimOptions o;
    o.refuse_status_on_create = true;
    return o;
  }
};

TEST_F(CmsStrictStatusTest, StatusInCreateOrVersionBodiesIsAProblemNamingTheField) {
  auto body = article(kKey);
  body["status"] = "published";
  auto refused = post(content(), body);
  ASSERT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.header("Content-Type"), "application/problem+json");
  EXPECT_TRUE(refused.object().at("errors").as_object().contains("status")) << refused.body;

  auto created = post(content(), article(kKey));  // no status: a draft
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string version(created.object().at("version").as_string());
  json::object next{{"locale", "en"}, {"displayName", "Next"}, {"status", "scheduled"},
                    {"delayPublishUntil", "2030-01-01T00:00:00Z"}};
  auto refused_version = post(content(kKey) + "/versions", next);
  ASSERT_EQ(refused_version.status, 400) << refused_version.body;
  const auto errors = refused_version.object().at("errors").as_object();
  EXPECT_TRUE(errors.contains("status"));
  EXPECT_TRUE(errors.contains("delayPublishUntil"));

  // The status changes by merge patch as usual.
  auto published = merge_patch(content(kKey) + "/versions/" + version, json::object{{"status", "published"}});
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.object().at("status"), "published");

  // Switched off at run time (the control API's setter), bodies take a status again.
  on_loop([](CmsSim& cms) {
    cms.set_refuse_status_on_create(false);
    return 0;
  });
  EXPECT_EQ(post(content(kKey) + "/versions", next).status, 201);
}

}  // namespace
}  // namespace feedsync::sim::testing
