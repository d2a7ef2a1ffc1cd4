// Translations (issue 23), the built feedsyncd against the built feedsync-sim: 100 CMP groups in
// three languages with `translations: group` become 100 CMS items with three published locale
// versions each and 300 canonical links, each at its own locale's URL. An edit of the German
// article changes only `de`; the French article moved to the Deleted Feed deletes only `fr`;
// re-publishing restores it; kill -9 during the import converges. Both CMS dialects.
#include <csignal>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::ProcessResult;
using testing::SimProcess;

constexpr const char* kFeed = "simfeed0000000000000000000000001";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("config has no " + from);
  return text.replace(at, from.size(), to);
}

// demo.yaml in the dialect asked for, grouping translations.
std::string group_config(const std::string& api) {
  std::string config = testing::demo_config();
  if (api == "v1" && config.find("api: v1") == std::string::npos) {
    config = replaced(config, "api: version2", "api: v1");
    config = replaced(config, "base_url: ${SIM_URL}/_cms/version2", "base_url: ${SIM_URL}/v1");
    config = replaced(config, "token_url: ${SIM_URL}/_cms/version2/oauth/token", "token_url: ${SIM_URL}/oauth/token");
  } else if (api == "version2" && config.find("api: v1") != std::string::npos) {
    config = replaced(config, "api: v1", "api: version2");
    config = replaced(config, "base_url: ${SIM_URL}/v1", "base_url: ${SIM_URL}/_cms/version2");
    config = replaced(config, "token_url: ${SIM_URL}/oauth/token", "token_url: ${SIM_URL}/_cms/version2/oauth/token");
  }
  return replaced(config, "    locale: en\n", "    locale_map: {en: en, de: de, fr: fr}\n    translations: group\n");
}

// One CMP article as the test needs it.
struct Translation {
  std::string guid, group_id, lang_code;
};

// Per CMS item: per locale, how many versions and how many published.
struct LocaleCounts {
  int versions = 0;
  int published = 0;
};
using ItemLocales = std::map<std::string, std::map<std::string, LocaleCounts>>;

class TranslationsE2E : public ::testing::TestWithParam<std::string> {
 protected:
  TranslationsE2E()
      : sim_({"--generate", "300", "--languages", "3", "--seed", "23", "--cms-locales", "en,de,fr"}) {
    config_ = dir_.write("feedsync.yaml", group_config(GetParam()));
  }

  std::map<std::string, std::string> env() const {
    return {{"SIM_URL", sim_.base_url()},
            {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
            {"CMS_CLIENT_SECRET", "sim-secret"}};
  }

  ProcessResult feedsyncd(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config_.string());
    return testing::run_process(FEEDSYNC_DAEMON_BIN, args, env(), 120s);
  }

  // The live feed's and the Deleted Feed's articles, by guid.
  std::map<std::string, Translation> articles() {
    std::map<std::string, Translation> out;
    const std::vector<std::string> feeds{kFeed, std::string(kFeed) + "deleted"};
    for (const auto& feed : feeds) {
      const auto page = sim_.get("/v2/feed/" + feed + "?format=json&pagesize=999").json();
      const auto& entries = page.at("entries").as_array();
      for (const auto& e : entries) {
        const auto& c = e.at("content").as_object();
        Translation t{std::string(c.at("guid").as_string()), std::string(c.at("group_id").as_string()),
                      std::string(c.at("lang_code").as_string())};
        out[t.guid] = t;
      }
    }
    return out;
  }

  ItemLocales item_locales() {
    ItemLocales out;
    const auto items = sim_.get("/_sim/cms/items").json();
    for (const auto& item : items.as_array()) {
      if (const auto* deleted = item.as_object().if_contains("deleted"); deleted && !deleted->is_null()) continue;
      auto& locales = out[std::string(item.at("key").as_string())];
      const auto& versions = item.at("versions").as_array();
      for (const auto& v : versions) {
        auto& counts = locales[std::string(v.at("locale").as_string())];
        ++counts.versions;
        if (v.at("status").as_string() == "published") ++counts.published;
      }
    }
    return out;
  }

  // `groups`: translations of one group must share one item (not so before a switch to group).
  void expect_consistent(const std::string& step, std::int64_t items, std::int64_t locale_versions,
                         bool groups = true) {
    const std::string query = groups ? "groups=true&" : "";
    const auto report = sim_.get("/_sim/check?" + query + "property=Heading&field=title").json().as_object();
    EXPECT_TRUE(report.at("ok").as_bool()) << step << ": " << boost::json::serialize(report);
    EXPECT_EQ(report.at("counts").at("cms_items").to_number<std::int64_t>() -
                  report.at("counts").at("cms_items_deleted").to_number<std::int64_t>(),
              items)
        << step;
    EXPECT_EQ(report.at("counts").at("cms_locale_versions").to_number<std::int64_t>(), locale_versions) << step;
  }

  // Every canonical link CMP holds, by guid (the last one posted), and how many were posted.
  std::map<std::string, std::string> canonical_links(std::size_t* posted = nullptr) {
    std::map<std::string, std::string> out;
    const auto records = sim_.get("/_sim/canonical").json().at("records").as_array();
    if (posted) *posted = records.size();
    for (const auto& r : records)
      out[std::string(r.at("guid").as_string())] = std::string(r.at("canonical_link").as_string());
    return out;
  }

  testing::TempDir dir_;
  SimProcess sim_;
  std::filesystem::path config_;
};

TEST_P(TranslationsE2E, GroupsBecomeLocaleVersionsEditedDeletedAndRestoredPerLocale) {
  auto first = feedsyncd({"once"});
  ASSERT_EQ(first.exit_status, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("300 in the feed, 300 new"));
  expect_consistent("import", 100, 300);
  const auto all = articles();
  ASSERT_EQ(all.size(), 300u);
  ItemLocales locales = item_locales();
  ASSERT_EQ(locales.size(), 100u);
  for (const auto& [key, by_locale] : locales) {
    ASSERT_EQ(by_locale.size(), 3u) << key;
    for (const char* locale : {"en", "de", "fr"}) EXPECT_EQ(by_locale.at(locale).published, 1) << key << " " << locale;
  }
  // 300 canonical links, each at its own locale's URL.
  std::size_t posted = 0;
  auto links = canonical_links(&posted);
  EXPECT_EQ(posted, 300u);
  ASSERT_EQ(links.size(), 300u);
  for (const auto& [guid, url] : links)
    EXPECT_EQ(url.rfind("https://www.example.com/" + all.at(guid).lang_code + "/", 0), 0u) << guid << " " << url;

  // The drift audit compares each translation with its own locale's published version.
  auto audit = feedsyncd({"audit"});
  EXPECT_EQ(audit.exit_status, 0) << audit.out << audit.err;

  // An edit of one group's German article changes only its `de` version.
  const Translation* de = nullptr;
  const Translation* fr = nullptr;
  for (const auto& [guid, t] : all) {
    if (t.lang_code == "de" && !de) de = &t;
  }
  ASSERT_NE(de, nullptr);
  for (const auto& [guid, t] : all)
    if (t.group_id == de->group_id && t.lang_code == "fr") fr = &t;
  ASSERT_NE(fr, nullptr);
  ASSERT_EQ(sim_.patch("/_sim/articles/" + de->guid, R"({"title":"Auf Deutsch bearbeitet"})").status, 200);
  auto edited = feedsyncd({"once"});
  ASSERT_EQ(edited.exit_status, 0) << edited.out << edited.err;
  EXPECT_THAT(edited.out, HasSubstr("1 updated"));
  const ItemLocales after_edit = item_locales();
  std::string item;
  for (const auto& [key, by_locale] : after_edit)
    if (by_locale.at("de").versions == 2) item = key;
  ASSERT_FALSE(item.empty()) << "no item got a second de version";
  for (const auto& [key, by_locale] : after_edit) {
    for (const auto& [locale, counts] : by_locale) {
      const int want = key == item && locale == "de" ? 2 : 1;
      EXPECT_EQ(counts.versions, want) << key << " " << locale;
      EXPECT_EQ(counts.published, 1) << key << " " << locale;
    }
  }
  expect_consistent("edit", 100, 300);

  // The French article of that group moved to the Deleted Feed: only `fr` goes.
  ASSERT_EQ(sim_.post("/_sim/articles/" + fr->guid + ":unpublish").status, 200);
  auto unpublished = feedsyncd({"once"});
  ASSERT_EQ(unpublished.exit_status, 0) << unpublished.out << unpublished.err;
  EXPECT_THAT(unpublished.out, HasSubstr("1 deleted"));
  const ItemLocales after_delete = item_locales();
  ASSERT_EQ(after_delete.size(), 100u);  // the item stays
  EXPECT_EQ(after_delete.at(item).count("fr"), 0u);
  EXPECT_EQ(after_delete.at(item).at("en").published, 1);
  EXPECT_EQ(after_delete.at(item).at("de").published, 1);
  expect_consistent("delete fr", 100, 299);

  // Re-published: `fr` is back, in the same item.
  ASSERT_EQ(sim_.post("/_sim/articles/" + fr->guid + ":republish").status, 200);
  auto republished = feedsyncd({"once"});
  ASSERT_EQ(republished.exit_status, 0) << republished.out << republished.err;
  const ItemLocales after_return = item_locales();
  ASSERT_EQ(after_return.size(), 100u);
  ASSERT_EQ(after_return.at(item).count("fr"), 1u);
  EXPECT_EQ(after_return.at(item).at("fr").published, 1);
  expect_consistent("republish fr", 100, 300);
  links = canonical_links();
  EXPECT_EQ(links.size(), 300u);
  EXPECT_EQ(links.at(fr->guid).rfind("https://www.example.com/fr/", 0), 0u) << links.at(fr->guid);

  // Every translation of another group leaves: the last one deletes the item (delete: soft).
  std::vector<const Translation*> other;
  for (const auto& [guid, t] : all)
    if (t.group_id != de->group_id && (other.empty() || other.front()->group_id == t.group_id)) other.push_back(&t);
  ASSERT_EQ(other.size(), 3u);
  for (const auto* t : other) ASSERT_EQ(sim_.post("/_sim/articles/" + t->guid + ":unpublish").status, 200);
  auto gone = feedsyncd({"once"});
  ASSERT_EQ(gone.exit_status, 0) << gone.out << gone.err;
  EXPECT_THAT(gone.out, HasSubstr("3 deleted"));
  expect_consistent("a whole group deleted", 99, 297);
  EXPECT_EQ(item_locales().size(), 99u);

  // One of them comes back: the item is restored with its locale only, not the other two.
  ASSERT_EQ(sim_.post("/_sim/articles/" + other[1]->guid + ":republish").status, 200);
  auto back = feedsyncd({"once"});
  ASSERT_EQ(back.exit_status, 0) << back.out << back.err;
  expect_consistent("one translation of the group back", 100, 298);
  const ItemLocales restored = item_locales();
  ASSERT_EQ(restored.size(), 100u);
  std::size_t single = 0;
  for (const auto& [key, by_locale] : restored)
    if (by_locale.size() == 1) {
      ++single;
      EXPECT_EQ(by_locale.begin()->first, other[1]->lang_code);
      EXPECT_EQ(by_locale.begin()->second.published, 1);
    }
  EXPECT_EQ(single, 1u);
}

// kill -9 at random moments of the import: the next run converges to the same 100 items with
// three locale versions each, no duplicate.
TEST_P(TranslationsE2E, KilledDuringTheImportConverges) {
  std::string text = group_config(GetParam());
  config_ = dir_.write("feedsync.yaml", replaced(text, "max_in_flight: 64", "max_in_flight: 4"));
  ASSERT_EQ(sim_.post("/_sim/faults", R"({"api":"cms","action":"delay","delay_ms":5})").status, 201);
  std::mt19937 random(23);
  std::uniform_int_distribution<int> moment_ms(20, 200);
  std::int64_t versions = 0;
  for (int life = 0; life < 4; ++life) {
    testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config_.string()}, env());
    ASSERT_TRUE(daemon.wait_for_stderr("poll cycle done", 60s)) << daemon.stderr_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(random)));  // the random moment
    daemon.signal(SIGKILL);
    const auto result = daemon.wait(10s);
    ASSERT_EQ(result.exit_status, 128 + SIGKILL) << result.err;
    const auto report = sim_.get("/_sim/check").json();
    versions = report.at("counts").at("cms_locale_versions").to_number<std::int64_t>();
    EXPECT_TRUE(report.at("duplicates").as_array().empty()) << boost::json::serialize(report);
  }
  EXPECT_LT(versions, 300) << "the kills all landed after the import";
  ASSERT_EQ(sim_.del("/_sim/faults").status, 204);
  auto final_run = feedsyncd({"once"});
  ASSERT_EQ(final_run.exit_status, 0) << final_run.out << final_run.err;
  expect_consistent("after the kills", 100, 300);
  const ItemLocales locales = item_locales();
  ASSERT_EQ(locales.size(), 100u);
  for (const auto& [key, by_locale] : locales) {
    ASSERT_EQ(by_locale.size(), 3u) << key;
    for (const auto& [locale, counts] : by_locale) EXPECT_EQ(counts.published, 1) << key << " " << locale;
  }
  EXPECT_EQ(canonical_links().size(), 300u);
}

// Switching a feed with 300 items in the CMS from off to group: `plan` shows the moves, `once`
// holds them (nothing deleted, nothing duplicated) until approve-deletes; then 100 group items.
// Switching back is held and approved the same way.
// (delete: permanent, so the check's duplicate rule does not see the old items in the trash.)
TEST_P(TranslationsE2E, SwitchingFromOffIsHeldUntilApproved) {
  const std::string group = replaced(group_config(GetParam()), "delete: soft", "delete: permanent");
  config_ = dir_.write("feedsync.yaml", replaced(group, "    translations: group\n", ""));
  auto off = feedsyncd({"once"});
  ASSERT_EQ(off.exit_status, 0) << off.out << off.err;
  expect_consistent("off", 300, 300, false);

  config_ = dir_.write("feedsync.yaml", group);
  auto plan = feedsyncd({"plan"});
  ASSERT_EQ(plan.exit_status, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("300 moves between items held"));
  EXPECT_THAT(plan.out, HasSubstr("held-move"));
  EXPECT_THAT(plan.out, HasSubstr("confirm with feedsyncd approve-deletes"));

  auto held = feedsyncd({"once"});
  EXPECT_NE(held.exit_status, 0) << held.out;  // not everything synced: the moves wait
  EXPECT_THAT(held.out, HasSubstr("feedsyncd approve-deletes demo"));
  expect_consistent("held", 300, 300, false);  // nothing deleted, nothing duplicated

  auto approve = feedsyncd({"approve-deletes", "demo"});
  ASSERT_EQ(approve.exit_status, 0) << approve.out << approve.err;
  auto moved = feedsyncd({"once"});
  ASSERT_EQ(moved.exit_status, 0) << moved.out << moved.err;
  expect_consistent("moved", 100, 300);
  const ItemLocales locales = item_locales();
  ASSERT_EQ(locales.size(), 100u);
  for (const auto& [key, by_locale] : locales) EXPECT_EQ(by_locale.size(), 3u) << key;
  const auto all = articles();
  for (const auto& [guid, url] : canonical_links())
    EXPECT_EQ(url.rfind("https://www.example.com/" + all.at(guid).lang_code + "/", 0), 0u) << guid << " " << url;

  // And back to off: held the same way, then 300 items of their own again.
  config_ = dir_.write("feedsync.yaml", replaced(group, "    translations: group\n", ""));
  auto back_plan = feedsyncd({"plan"});
  ASSERT_EQ(back_plan.exit_status, 0) << back_plan.out << back_plan.err;
  EXPECT_THAT(back_plan.out, HasSubstr("300 moves between items held"));
  EXPECT_NE(feedsyncd({"once"}).exit_status, 0);
  expect_consistent("back held", 100, 300);
  ASSERT_EQ(feedsyncd({"approve-deletes", "demo"}).exit_status, 0);
  auto split = feedsyncd({"once"});
  ASSERT_EQ(split.exit_status, 0) << split.out << split.err;
  expect_consistent("back to off", 300, 300, false);
}

INSTANTIATE_TEST_SUITE_P(Dialects, TranslationsE2E, ::testing::Values("version2", "v1"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace feedsync
