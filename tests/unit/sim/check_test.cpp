// GET /_sim/check against a stand-in CMS whose items the test sets directly, so the report's
// rules are tested apart from the CMS part.
#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;

struct FakeCms {
  std::vector<CmsItemSnapshot> items;

  // A harness setup that attaches this stand-in.
  std::function<void(Simulator&)> attach() {
    return [this](Simulator& sim) { sim.attach_cms(hooks()); };
  }
  CmsHooks hooks() {
    CmsHooks h;
    h.items = [this] { return items; };
    h.items_json = [this] {
      json::array out;
      for (const auto& i : items) out.push_back(json::object{{"key", i.key}, {"deleted", i.deleted}});
      return json::value(std::move(out));
    };
    return h;
  }
  void add(std::string key, std::optional<std::string> guid, bool deleted = false, bool wrapped = false) {
    CmsItemSnapshot item;
    item.key = std::move(key);
    item.deleted = deleted;
    json::object props{{"Heading", "x"}};
    if (guid) props["CmpGuid"] = wrapped ? json::value(json::object{{"value", *guid}}) : json::value(*guid);
    item.latest_properties = props;
    items.push_back(std::move(item));
  }
};

std::vector<std::string> three(SimHarness& h) {
  std::vector<std::string> out;
  for (const char* g : {"g1", "g2", "g3"}) {
    EXPECT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", std::string(R"({"guid":")") + g + "\"}").status, 201);
    out.emplace_back(g);
  }
  return out;
}

TEST(SimCheck, CleanWhenEveryLiveArticleHasExactlyOneItem) {
  FakeCms cms;
  SimHarness h({}, cms.attach());
  three(h);
  h.on_loop([&](Simulator&) {
    cms.add("k1", "g1");
    cms.add("k2", "g2", false, true);  // v1-style wrapped value
    cms.add("k3", "g3");
    return 0;
  });
  auto report = h.get("/_sim/check").json();
  EXPECT_TRUE(report.at("ok").as_bool()) << json::serialize(report);
  EXPECT_TRUE(report.at("cms_attached").as_bool());
  EXPECT_EQ(report.at("guid_property").as_string(), "CmpGuid");
  EXPECT_EQ(report.at("counts").at("live_articles").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(report.at("counts").at("cms_items").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(h.get("/_sim/cms/items").json().as_array().size(), 3u);
}

TEST(SimCheck, ReportsDuplicatesMissingStaleAndItemsWithoutGuid) {
  FakeCms cms;
  SimHarness h({}, cms.attach());
  three(h);
  ASSERT_EQ(h.post("/_sim/articles/g3:unpublish").status, 200);
  ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"g4"})").status, 201);
  ASSERT_EQ(h.del("/_sim/articles/g4").status, 204);
  h.on_loop([&](Simulator&) {
    cms.add("k1", "g1");
    cms.add("k1b", "g1");        // duplicate of g1
    cms.add("k3", "g3");         // its article sits in the Deleted Feed: stale
    cms.add("k4", "g4");         // its article is gone: stale
    cms.add("k5", "g5", true);   // deleted item: never stale
    cms.add("k6", std::nullopt); // no guid property
    return 0;
  });
  auto report = h.get("/_sim/check").json();
  EXPECT_FALSE(report.at("ok").as_bool());

  auto duplicates = report.at("duplicates").as_array();
  ASSERT_EQ(duplicates.size(), 1u);
  EXPECT_EQ(duplicates[0].at("guid").as_string(), "g1");
  EXPECT_EQ(duplicates[0].at("items").as_array().size(), 2u);

  auto missing = report.at("missing_in_cms").as_array();
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].at("guid").as_string(), "g2");
  EXPECT_EQ(missing[0].at("feed_id").as_string(), kFeed);

  auto stale = report.at("stale_in_cms").as_array();
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].at("key").as_string(), "k3");
  EXPECT_EQ(stale[0].at("article").as_string(), "deleted_feed");
  EXPECT_EQ(stale[1].at("key").as_string(), "k4");
  EXPECT_EQ(stale[1].at("article").as_string(), "gone");

  EXPECT_EQ(report.at("without_guid").as_array(), json::array{"k6"});
  EXPECT_EQ(report.at("counts").at("cms_items_deleted").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(report.at("counts").at("deleted_feed_articles").to_number<std::uint64_t>(), 1u);
}

TEST(SimCheck, DriftComparesAPropertyWithAnArticleFieldWhenAsked) {
  FakeCms cms;
  SimHarness h({}, cms.attach());
  ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"g1","title":"x"})").status, 201);
  ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"g2","title":"new title"})").status, 201);
  h.on_loop([&](Simulator&) {
    cms.add("k1", "g1");  // Heading "x": matches
    cms.add("k2", "g2");  // Heading "x": the update to "new title" never arrived
    return 0;
  });
  EXPECT_TRUE(h.get("/_sim/check").json().at("ok").as_bool());  // not asked: no comparison
  auto report = h.get("/_sim/check?property=Heading&field=title").json();
  EXPECT_FALSE(report.at("ok").as_bool());
  const auto drift = report.at("drift").as_array();
  ASSERT_EQ(drift.size(), 1u);
  EXPECT_EQ(drift[0].at("guid").as_string(), "g2");
  EXPECT_EQ(drift[0].at("cms").as_string(), "x");
  EXPECT_EQ(drift[0].at("feed").as_string(), "new title");
  EXPECT_EQ(h.get("/_sim/check?property=Heading").status, 400);
}

TEST(SimCheck, DeletedItemsDoNotSatisfyALiveArticleButDuplicateIt) {
  FakeCms cms;
  SimHarness h({}, cms.attach());
  ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", R"({"guid":"g1"})").status, 201);
  h.on_loop([&](Simulator&) {
    cms.add("old", "g1", true);
    return 0;
  });
  auto report = h.get("/_sim/check").json();
  EXPECT_EQ(report.at("missing_in_cms").as_array().size(), 1u);
  h.on_loop([&](Simulator&) {
    cms.add("new", "g1");
    return 0;
  });
  report = h.get("/_sim/check").json();
  EXPECT_TRUE(report.at("missing_in_cms").as_array().empty());
  EXPECT_EQ(report.at("duplicates").as_array().size(), 1u);
}

TEST(SimCheck, GuidPropertyIsConfigurable) {
  FakeCms cms;
  SimulatorOptions options;
  options.guid_property = "Heading";
  SimHarness h(options, cms.attach());
  h.on_loop([&](Simulator&) {
    cms.add("k1", "g1");  // Heading = "x", not a live guid
    return 0;
  });
  auto report = h.get("/_sim/check").json();
  EXPECT_EQ(report.at("guid_property").as_string(), "Heading");
  ASSERT_EQ(report.at("stale_in_cms").as_array().size(), 1u);
  EXPECT_EQ(report.at("stale_in_cms").at(0).at("guid").as_string(), "x");
}

TEST(SimCheck, WithoutACmsOnlyTheFeedSideIsCounted) {
  SimHarness h;
  three(h);
  auto report = h.get("/_sim/check").json();
  EXPECT_FALSE(report.at("cms_attached").as_bool());
  EXPECT_TRUE(report.at("ok").as_bool());
  EXPECT_EQ(report.at("counts").at("live_articles").to_number<std::uint64_t>(), 3u);
}

// Translations (issue 23): each locale version of an item is looked at on its own; with
// ?groups=true a group split over two items is not ok.
TEST(SimCheck, LocaleVersionsCountAsTheirArticlesAndGroupsAreChecked) {
  FakeCms cms;
  SimHarness h({}, cms.attach());
  for (const char* g : {"g1", "g2", "g3"}) {
    auto body = std::string(R"({"guid":")") + g + R"(","group_id":"grp","lang_code":")" + g + "\"}";
    ASSERT_EQ(h.post("/_sim/feeds/" + kFeed + "/articles", body).status, 201);
  }
  h.on_loop([&](Simulator&) {
    cms.add("k1", "g1");
    cms.add("k1", "g2");  // a second locale version of k1
    cms.items.back().locale = "de";
    cms.add("k2", "g3");
    return 0;
  });
  auto report = h.get("/_sim/check").json();
  EXPECT_TRUE(report.at("ok").as_bool()) << json::serialize(report);
  EXPECT_EQ(report.at("counts").at("cms_items").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(report.at("counts").at("cms_locale_versions").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(report.at("counts").at("groups").to_number<std::uint64_t>(), 1u);
  auto grouped = h.get("/_sim/check?groups=true").json();
  EXPECT_FALSE(grouped.at("ok").as_bool());
  ASSERT_EQ(grouped.at("split_groups").as_array().size(), 1u);
  EXPECT_EQ(grouped.at("split_groups").at(0).at("group_id").as_string(), "grp");
  EXPECT_EQ(h.get("/_sim/check?groups=maybe").status, 400);

  h.on_loop([&](Simulator&) {
    cms.items.back().key = "k1";  // g3 becomes k1's fr version
    cms.items.back().locale = "fr";
    return 0;
  });
  auto joined = h.get("/_sim/check?groups=true").json();
  EXPECT_TRUE(joined.at("ok").as_bool()) << json::serialize(joined);
  EXPECT_EQ(joined.at("counts").at("cms_items").to_number<std::uint64_t>(), 1u);

  h.on_loop([&](Simulator&) {
    cms.add("k3", "g2");  // g2 in a second item: a duplicate, even though k1 holds it in a locale
    return 0;
  });
  auto dup = h.get("/_sim/check").json();
  EXPECT_FALSE(dup.at("ok").as_bool());
  EXPECT_EQ(dup.at("duplicates").as_array().size(), 1u);
}

}  // namespace
}  // namespace feedsync::sim::testing
