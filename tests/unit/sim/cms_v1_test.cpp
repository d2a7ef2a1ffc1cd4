// The CMS simulator's v1 dialect: split content/versions, wrapped values, status actions,
// Prefer/Location, header-driven permanent delete, and the store it shares with the flat one.

#include "unit/sim/cms_test_support.hpp"

#include "core/time.hpp"

namespace feedsync::sim::testing {
namespace {

using net::Method;

constexpr const char* kKey = "6946107a8ad6414f8f1786364dab1ec2";
const net::Header kPrefer{"Prefer", "return=representation"};

class CmsV1Test : public CmsTest {
 protected:
  static std::string v1(const std::string& path) { return std::string(kV1) + path; }
  static std::string item() { return v1("/content/") + kKey; }
  static std::string version(const std::string& id) { return item() + "/versions/" + id; }
  static json::object create_body(json::object properties = {{"Heading", json::object{{"value", "Hello"}}},
                                                             {"Body", json::object{{"value", json::object{{"html", "<p>Hi</p>"}}}}}}) {
    return {{"key", kKey},
            {"contentType", "ArticlePage"},
            {"container", kRoot},
            {"initialVersion",
             json::object{{"locale", "en"}, {"displayName", "Hello"}, {"routeSegment", "hello"}, {"properties", std::move(properties)}}}};
  }
  // Creates kKey and returns the initial version's id.
  std::string create() {
    auto reply = post(v1("/content"), create_body(), {kPrefer});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return std::string(reply.object().at("initialVersion").at("version").as_string());
  }
  Reply action(const std::string& id, const std::string& name, std::vector<net::Header> headers = {}) {
    return call(Method::post, version(id) + ":" + name, {}, std::move(headers));
  }
  std::string status_of(const std::string& id) { return std::string(get(version(id)).object().at("status").as_string()); }
};

TEST_F(CmsV1Test, CreateAnswersWithLocationUnlessARepresentationIsPreferred) {
  auto bare = post(v1("/content"), create_body());
  ASSERT_EQ(bare.status, 201) << bare.body;
  EXPECT_TRUE(bare.body.empty());
  EXPECT_EQ(bare.header("Location"), item());
  EXPECT_FALSE(bare.header("ETag").empty());

  auto listed = get(item() + "/versions").object().at("items").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("status"), "draft");
  EXPECT_EQ(listed[0].at("properties").at("Heading"), (json::object{{"value", "Hello"}}));
  EXPECT_EQ(listed[0].at("properties").at("Body"), (json::object{{"value", json::object{{"html", "<p>Hi</p>"}}}}));
  EXPECT_FALSE(listed[0].as_object().contains("contentType"));

  auto body = create_body();
  body["key"] = "0123456789abcdef0123456789abcdef";
  // Its own segment: "hello" is the first item's in this container and locale.
  auto same = post(v1("/content"), body, {kPrefer});
  ASSERT_EQ(same.status, 400) << same.body;
  EXPECT_NE(same.body.find("routeSegment"), std::string::npos) << same.body;
  EXPECT_NE(same.body.find("already in use"), std::string::npos) << same.body;
  body["initialVersion"].as_object()["routeSegment"] = "hello-again";
  auto full = post(v1("/content"), body, {kPrefer});
  ASSERT_EQ(full.status, 201) << full.body;
  EXPECT_EQ(full.header("Preference-Applied"), "return=representation");
  auto created = full.object();
  EXPECT_EQ(created.at("key"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(created.at("contentType"), "ArticlePage");
  EXPECT_EQ(created.at("initialVersion").at("locale"), "en");
  EXPECT_EQ(created.at("initialVersion").at("routeSegment"), "hello-again");
}

// --cms-route-collision 409: a taken segment is a conflict naming routeSegment, on create and on
// a new version alike; the key-exists conflict stays as it was.
TEST_F(CmsV1Test, ATakenRouteSegmentCanBeAnsweredAsAConflict) {
  create();
  on_loop([](CmsSim& cms) {
    cms.set_route_collision_status(409);
    return 0;
  });
  auto body = create_body();
  body["key"] = "0123456789abcdef0123456789abcdef";
  auto same = post(v1("/content"), body);
  ASSERT_EQ(same.status, 409) << same.body;
  auto problem = same.object();
  EXPECT_EQ(problem.at("title"), "Conflict");
  EXPECT_NE(str(problem.at("detail")).find("routeSegment 'hello'"), std::string::npos) << same.body;
  EXPECT_EQ(problem.at("errors").at(0).at("field"), "initialVersion.routeSegment");

  body["initialVersion"].as_object()["routeSegment"] = "other";
  ASSERT_EQ(post(v1("/content"), body).status, 201);
  json::object next{{"locale", "en"}, {"displayName", "Hello"}, {"routeSegment", "hello"},
                    {"properties", json::object{{"Heading", json::object{{"value", "Again"}}}}}};
  auto version = post(v1("/content/0123456789abcdef0123456789abcdef/versions"), next);
  ASSERT_EQ(version.status, 409) << version.body;
  EXPECT_EQ(version.object().at("errors").at(0).at("field"), "routeSegment");

  auto exists = post(v1("/content"), body);  // the key again: a conflict without routeSegment
  ASSERT_EQ(exists.status, 409) << exists.body;
  EXPECT_FALSE(exists.object().contains("errors")) << exists.body;
  EXPECT_EQ(exists.body.find("routeSegment"), std::string::npos) << exists.body;
}

TEST_F(CmsV1Test, UnwrappedValuesAreRejectedWithAFieldList) {
  auto reply = post(v1("/content"), create_body({{"Heading", "Hello"}}));
  ASSERT_EQ(reply.status, 400) << reply.body;
  auto problem = expect_bad_request_problem(reply);
  auto errors = problem.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at("field"), "initialVersion.properties.Heading");
  EXPECT_TRUE(errors[0].at("detail").is_string());
  EXPECT_EQ(get(item()).status, 404);
}

TEST_F(CmsV1Test, StatusIsReadOnlyAndVersionFieldsAreNamedUnderInitialVersion) {
  auto body = create_body();
  body["initialVersion"].as_object()["status"] = "published";
  auto status = post(v1("/content"), body);
  ASSERT_EQ(status.status, 400);
  EXPECT_EQ(status.object().at("errors").as_array()[0].at("field"), "initialVersion.status");

  body = create_body();
  body["initialVersion"].as_object().erase("locale");
  auto locale = post(v1("/content"), body);
  ASSERT_EQ(locale.status, 400);
  EXPECT_EQ(locale.object().at("errors").as_array()[0].at("field"), "initialVersion.locale");

  body = create_body();
  body.erase("initialVersion");
  EXPECT_EQ(post(v1("/content"), body).status, 400);
  ASSERT_EQ(post(v1("/content"), create_body()).status, 201);
  EXPECT_EQ(post(v1("/content"), create_body()).status, 409);
}

TEST_F(CmsV1Test, ActionsPublishAndNewVersionsDemoteThePreviousOne) {
  std::string first = create();
  auto published = action(first, "publish");
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_TRUE(published.body.empty());
  EXPECT_EQ(published.header("Location"), version(first));
  EXPECT_EQ(status_of(first), "published");

  json::object next{{"locale", "en"}, {"displayName", "Hello again"}, {"properties", json::object{{"Heading", json::object{{"value", "Again"}}}}}};
  auto created = post(item() + "/versions", next);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string location = created.header("Location");
  std::string second = location.substr(location.rfind('/') + 1);
  EXPECT_EQ(status_of(second), "draft");
  auto ready = action(second, "ready", {kPrefer});
  ASSERT_EQ(ready.status, 200);
  EXPECT_EQ(ready.object().at("status"), "ready");
  ASSERT_EQ(action(second, "publish").status, 200);
  EXPECT_EQ(status_of(second), "published");
  EXPECT_EQ(status_of(first), "previous");
  EXPECT_EQ(action(second, "draft").status, 400);

  next["status"] = "published";
  EXPECT_EQ(post(item() + "/versions", next).status, 400);

  // The flat dialect reads the same store, values unwrapped.
  auto flat = get(content(kKey) + "/versions/" + second).object();
  EXPECT_EQ(flat.at("properties"), (json::object{{"Heading", "Again"}}));
  EXPECT_EQ(flat.at("status"), "published");
}

TEST_F(CmsV1Test, PublishWithADelaySchedules) {
  std::string id = create();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>((clock_.system_now() + 600s).time_since_epoch());
  // The old, wrong name: the real service would ignore it and publish at once; the simulator
  // refuses it so a client sending it fails (issue 16).
  auto misspelled = post(version(id) + ":publish", json::object{{"delayPublishUntil", format_rfc3339_ms(ms.count())}}, {kPrefer});
  ASSERT_EQ(misspelled.status, 400) << misspelled.body;
  EXPECT_NE(misspelled.body.find("delayPublishUntil"), std::string::npos) << misspelled.body;
  EXPECT_EQ(status_of(id), "draft");
  auto scheduled = post(version(id) + ":publish", json::object{{"delayUntil", format_rfc3339_ms(ms.count())}}, {kPrefer});
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  EXPECT_EQ(scheduled.object().at("status"), "scheduled");
  advance(600s);
  EXPECT_EQ(status_of(id), "published");
}

TEST_F(CmsV1Test, PatchEditsWrappedValuesButNotStatus) {
  std::string id = create();
  auto plain = call(Method::patch, version(id), R"({"displayName":"x"})", {{"Content-Type", "application/json"}});
  EXPECT_EQ(plain.status, 415);
  auto patched = merge_patch(version(id), json::object{{"properties", json::object{{"Heading", json::object{{"value", "New"}}}}}}, {kPrefer});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.object().at("properties").at("Heading"), (json::object{{"value", "New"}}));
  EXPECT_EQ(merge_patch(version(id), json::object{{"properties", json::object{{"Heading", "raw"}}}}).status, 400);
  auto status = merge_patch(version(id), json::object{{"status", "published"}});
  ASSERT_EQ(status.status, 400);
  EXPECT_EQ(status.object().at("errors").as_array()[0].at("field"), "status");
  ASSERT_EQ(action(id, "publish").status, 200);
  EXPECT_EQ(merge_patch(version(id), json::object{{"displayName", "Edited"}}).status, 400);
}

TEST_F(CmsV1Test, IfMatchGuardsVersionWritesAndActions) {
  std::string id = create();
  std::string etag = get(version(id)).header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(merge_patch(version(id), json::object{{"displayName", "A"}}, {{"If-Match", etag}}).status, 200);
  auto stale = action(id, "publish", {{"If-Match", etag}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(status_of(id), "draft");
  std::string item_etag = get(item()).header("ETag");
  EXPECT_EQ(del(item(), {{"If-Match", "\"0\""}}).status, 412);
  EXPECT_EQ(del(item(), {{"If-Match", item_etag}}).status, 204);
}

TEST_F(CmsV1Test, DeleteIsSoftUnlessThePermanentHeaderIsSent) {
  create();
  EXPECT_EQ(del(item()).status, 204);
  EXPECT_EQ(get(item()).status, 404);
  EXPECT_EQ(get(item() + "?allowDeleted=true").status, 200);
  auto restored = call(Method::post, item() + ":undelete");
  ASSERT_EQ(restored.status, 200);
  EXPECT_EQ(restored.header("Location"), item());
  EXPECT_EQ(get(item()).status, 200);

  EXPECT_EQ(del(item(), {{"cms-permanent-delete", "true"}}).status, 204);
  EXPECT_EQ(get(item() + "?allowDeleted=true").status, 404);
  EXPECT_EQ(post(v1("/content"), create_body()).status, 201);  // the key is free again
}

TEST_F(CmsV1Test, ItemsCreatedFlatAreReadableInV1) {
  ASSERT_EQ(post(content(), article(kKey)).status, 201);
  auto versions = get(item() + "/versions").object().at("items").as_array();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].at("properties"), (json::object{{"Heading", json::object{{"value", "Hello"}}}}));
  EXPECT_EQ(get(item()).object().at("contentType"), "ArticlePage");
  EXPECT_EQ(call(Method::delete_, item() + "/locales/en").status, 400);  // its only locale
}

}  // namespace
}  // namespace feedsync::sim::testing
