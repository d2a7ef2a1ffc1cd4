// The CMS simulator's flat (version2) dialect: versions, statuses, merge patches, ETags, quirks.

#include "unit/sim/cms_test_support.hpp"

#include "core/time.hpp"

namespace feedsync::sim::testing {
namespace {

using net::Method;

constexpr const char* kKey = "6946107a8ad6414f8f1786364dab1ec2";
constexpr const char* kOther = "98eb33cfa7df48d1b987442c522984c8";

class CmsFlatVersionsTest : public CmsTest {
 protected:
  std::string versions() { return content(kKey) + "/versions"; }
  std::string version(const std::string& id) { return versions() + "/" + id; }
  // Creates kKey (en) and returns its first version's id.
  std::string create(const std::string& status = "draft") {
    auto body = article(kKey);
    body["status"] = status;
    auto reply = post(content(), body);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return std::string(reply.object().at("version").as_string());
  }
  std::string add(const std::string& locale, const std::string& status = "draft", const std::string& name = "Hello") {
    json::object body{{"locale", locale}, {"displayName", name}, {"properties", json::object{{"Heading", name}}},
                      {"status", status}};
    auto reply = post(versions(), body);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return std::string(reply.object().at("version").as_string());
  }
  std::string status_of(const std::string& id) {
    return std::string(get(version(id)).object().at("status").as_string());
  }
  std::string in(std::chrono::seconds d) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>((clock_.system_now() + d).time_since_epoch());
    return format_rfc3339_ms(ms.count());
  }
};

TEST_F(CmsFlatVersionsTest, VersionsAreListedNewestFirstAndFiltered) {
  std::string v1 = create("published");
  std::string v2 = add("en");
  std::string v3 = add("sv", "ready");
  std::string v4 = add("de");
  auto all = get(versions()).object().at("items").as_array();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(str(all[0].at("version")), v4);
  EXPECT_EQ(str(all[1].at("version")), v3);
  EXPECT_EQ(str(all[2].at("version")), v2);
  EXPECT_EQ(str(all[3].at("version")), v1);

  auto comma = get(versions() + "?locales=sv,de").object().at("items").as_array();
  ASSERT_EQ(comma.size(), 2u);
  EXPECT_EQ(str(comma[0].at("version")), v4);
  auto repeated = get(versions() + "?locales=en&locales=sv&statuses=draft&statuses=ready").object().at("items").as_array();
  ASSERT_EQ(repeated.size(), 2u);
  EXPECT_EQ(str(repeated[0].at("version")), v3);
  EXPECT_EQ(str(repeated[1].at("version")), v2);
  EXPECT_EQ(get(versions() + "?statuses=published").object().at("totalItemCount"), 1);
  EXPECT_EQ(get(versions() + "?statuses=bogus").status, 400);
}

TEST_F(CmsFlatVersionsTest, VersionNumbersComeFromOneInstanceWideCounter) {
  std::string a = create();
  auto other = post(content(), article(kOther));
  std::string b(other.object().at("version").as_string());
  std::string c = add("en");
  EXPECT_LT(std::stoi(a), std::stoi(b));
  EXPECT_LT(std::stoi(b), std::stoi(c));
}

TEST_F(CmsFlatVersionsTest, PublishingDemotesThePreviouslyPublishedVersionOfThatLocale) {
  std::string first = create("published");
  std::string swedish = add("sv", "published");
  std::string second = add("en", "draft", "Second take");
  EXPECT_EQ(status_of(first), "published");

  auto published = merge_patch(version(second), json::object{{"status", "published"}});
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(published.object().at("status"), "published");
  EXPECT_EQ(published.object().at("routeSegment"), "second-take");
  EXPECT_EQ(status_of(first), "previous");
  EXPECT_EQ(status_of(swedish), "published");
  EXPECT_EQ(get(versions() + "?locales=en&statuses=published").object().at("totalItemCount"), 1);

  // A previous version can be published again; the current one steps back.
  ASSERT_EQ(merge_patch(version(first), json::object{{"status", "published"}}).status, 200);
  EXPECT_EQ(status_of(second), "previous");
}

TEST_F(CmsFlatVersionsTest, ScheduledVersionsPublishWhenTheClockPasses) {
  std::string first = create("published");
  std::string second = add("en");
  auto scheduled = merge_patch(version(second), json::object{{"status", "scheduled"}, {"delayPublishUntil", in(3600s)}});
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;
  EXPECT_EQ(scheduled.object().at("status"), "scheduled");
  EXPECT_TRUE(scheduled.object().contains("delayPublishUntil"));

  advance(3599s);
  EXPECT_EQ(status_of(second), "scheduled");
  advance(1s);
  EXPECT_EQ(status_of(second), "published");
  EXPECT_EQ(status_of(first), "previous");
  auto views = on_loop([](CmsSim& cms) { return cms.items(); });
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].route_segment, "hello");

  // The seed: a time already past publishes at once. A schedule needs its time.
  std::string third = add("en");
  auto past = merge_patch(version(third), json::object{{"status", "scheduled"}, {"delayPublishUntil", in(-10s)}});
  ASSERT_EQ(past.status, 200);
  EXPECT_EQ(past.object().at("status"), "published");
  std::string fourth = add("en");
  EXPECT_EQ(merge_patch(version(fourth), json::object{{"status", "scheduled"}}).status, 400);
  EXPECT_EQ(merge_patch(version(fourth), json::object{{"delayPublishUntil", in(60s)}}).status, 400);
}

TEST_F(CmsFlatVersionsTest, ADeletedItemsScheduleWaitsForItsUndelete) {
  std::string id = create();
  ASSERT_EQ(merge_patch(version(id), json::object{{"status", "scheduled"}, {"delayPublishUntil", in(60s)}}).status, 200);
  ASSERT_EQ(del(content(kKey)).status, 200);
  advance(120s);
  EXPECT_EQ(get(version(id) + "?allowDeleted=true").object().at("status"), "scheduled");
  ASSERT_EQ(call(Method::post, content(kKey) + ":undelete").status, 200);
  EXPECT_EQ(status_of(id), "published");
}

TEST_F(CmsFlatVersionsTest, MergePatchEditsDraftsButNotPublishedVersions) {
  std::string id = create();
  auto patched = merge_patch(version(id), json::object{{"displayName", "Renamed"},
                                                       {"properties", json::object{{"Heading", nullptr}, {"Body", "<p>x</p>"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.object().at("displayName"), "Renamed");
  EXPECT_EQ(patched.object().at("properties"), (json::object{{"Body", "<p>x</p>"}}));
  EXPECT_EQ(merge_patch(version(id), json::object{{"displayName", nullptr}}).status, 400);
  EXPECT_EQ(merge_patch(version(id), json::object{{"locale", "sv"}}).status, 400);  // read-only

  ASSERT_EQ(merge_patch(version(id), json::object{{"status", "published"}}).status, 200);
  auto edit = merge_patch(version(id), json::object{{"displayName", "Too late"}});
  EXPECT_EQ(edit.status, 400);
  EXPECT_EQ(merge_patch(version(id), json::object{{"properties", json::object{{"Body", "y"}}}}).status, 400);
  EXPECT_EQ(merge_patch(version(id), json::object{{"routeSegment", "elsewhere"}}).status, 400);
  EXPECT_EQ(merge_patch(version(id), json::object{{"status", "draft"}}).status, 400);
  // Sending the record back unchanged is not an edit.
  auto record = get(version(id)).object();
  EXPECT_EQ(merge_patch(version(id), record).status, 200);
}

TEST_F(CmsFlatVersionsTest, PatchNeedsTheMergePatchMediaType) {
  std::string id = create();
  auto reply = call(Method::patch, version(id), R"({"status":"published"})", {{"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 415);
  EXPECT_EQ(reply.object().at("code"), "UnsupportedMediaType");
  EXPECT_EQ(status_of(id), "draft");
}

TEST_F(CmsFlatVersionsTest, ETagsChangeWithTheVersionAndIfMatchIsHonoured) {
  std::string id = create();
  auto first = get(version(id));
  std::string etag = first.header("ETag");
  ASSERT_FALSE(etag.empty());
  auto ok = merge_patch(version(id), json::object{{"displayName", "Second"}}, {{"If-Match", etag}});
  ASSERT_EQ(ok.status, 200);
  std::string next = ok.header("ETag");
  EXPECT_NE(next, etag);
  EXPECT_EQ(get(version(id)).header("ETag"), next);

  auto stale = merge_patch(version(id), json::object{{"displayName", "Third"}}, {{"If-Match", etag}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.header("Content-Type"), "application/problem+json");
  std::string other = add("en");
  EXPECT_EQ(del(version(other), {{"If-Match", etag}}).status, 412);
  EXPECT_EQ(del(version(other), {{"If-Match", "*"}}).status, 204);
}

TEST_F(CmsFlatVersionsTest, DeletingVersionsAndLocales) {
  std::string published = create("published");
  std::string draft = add("en");
  std::string swedish = add("sv");
  EXPECT_EQ(del(version(published)).status, 400);  // the published version stays
  EXPECT_EQ(del(version(swedish)).status, 400);    // the only version of sv
  EXPECT_EQ(del(version(draft)).status, 204);
  EXPECT_EQ(get(version(draft)).status, 404);
  EXPECT_EQ(del(versions()).status, 400);  // locale parameter missing
  EXPECT_EQ(del(versions() + "?locale=sv").status, 204);
  EXPECT_EQ(get(version(swedish)).status, 404);
  EXPECT_EQ(del(versions() + "?locale=en").status, 400);  // the last locale
}

TEST_F(CmsFlatVersionsTest, NewVersionsMustMatchTheItem) {
  create();
  json::object body{{"key", kKey}, {"contentType", "NewsPage"}, {"locale", "en"}, {"displayName", "x"}};
  auto reply = post(versions(), body);
  EXPECT_EQ(reply.status, 400);
  EXPECT_TRUE(reply.object().at("errors").as_object().contains("contentType"));
  json::object typo{{"locale", "en"}, {"displayName", "x"}, {"property", json::object{{"Heading", "x"}}}};
  EXPECT_EQ(post(versions(), typo).status, 400);
  ASSERT_EQ(del(content(kKey)).status, 200);
  EXPECT_EQ(post(versions(), json::object{{"locale", "en"}, {"displayName", "x"}}).status, 404);
}

TEST_F(CmsFlatVersionsTest, DroppedPropertiesQuirkAndReadBack) {
  on_loop([](CmsSim& cms) {
    cms.drop_properties_next_n(1);
    return 0;
  });
  std::string id = create();
  EXPECT_EQ(get(version(id)).object().at("properties"), json::object());
  std::string next = add("en", "published", "Kept");
  EXPECT_EQ(get(version(next)).object().at("properties"), (json::object{{"Heading", "Kept"}}));

  auto views = on_loop([](CmsSim& cms) { return cms.items(); });
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].key, kKey);
  EXPECT_FALSE(views[0].deleted);
  EXPECT_EQ(views[0].published_properties, (json::object{{"Heading", "Kept"}}));
  EXPECT_EQ(views[0].latest_properties, (json::object{{"Heading", "Kept"}}));
  EXPECT_EQ(views[0].display_name, "Kept");
  EXPECT_EQ(views[0].route_segment, "kept");

  auto dump = on_loop([](CmsSim& cms) { return cms.items_json(); });
  ASSERT_EQ(dump.as_array().size(), 1u);
  EXPECT_EQ(dump.as_array()[0].at("versions").as_array().size(), 2u);
}

}  // namespace
}  // namespace feedsync::sim::testing
