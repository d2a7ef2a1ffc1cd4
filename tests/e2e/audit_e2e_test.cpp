// `feedsyncd audit` against the simulator (issue 22): after an import of 500, an editor deletes
// 5 items, publishes 5 versions of their own, unpublishes 5 and moves 5; `audit` finds exactly
// those 20 and exits 3; `--repair` with on_cms_edit: keep restores 15 and leaves the 5 edits,
// with overwrite it puts feedsync's content back over them; a second audit is clean. And the
// state database lost after an import of 1,000: `audit --rebuild-state` then `once` write nothing
// to the CMS and post no canonical link again; a later CMP edit flows through as usual.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <functional>
#include <regex>
#include <thread>
#include <map>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/content_key.hpp"
#include "support/eventually.hpp"
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
constexpr const char* kOtherContainer = "98eb33cfa7df48d1b987442c522984c8";

class AuditE2E : public ::testing::Test {
 protected:
  explicit AuditE2E(int articles = 500) : sim_({"--generate", std::to_string(articles), "--seed", "22"}) {
    set_config(testing::demo_config());
  }

  void set_config(const std::string& text) { config_ = dir_.write("feedsync.yaml", text); }
  void set_on_cms_edit(const std::string& policy) {
    std::string text = testing::demo_config();
    const std::string anchor = "  max_in_flight: 64\n";
    text.replace(text.find(anchor), anchor.size(), anchor + "  on_cms_edit: " + policy + "\n");
    set_config(text);
  }

  std::map<std::string, std::string> env() const {
    return {{"SIM_URL", sim_.base_url()},
            {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
            {"CMS_CLIENT_SECRET", "sim-secret"}};
  }

  ProcessResult feedsyncd(std::vector<std::string> args, std::chrono::milliseconds timeout = 120s) {
    args.push_back("--config");
    args.push_back(config_.string());
    return testing::run_process(FEEDSYNC_DAEMON_BIN, args, env(), timeout);
  }

  // `audit -o json`: the document and the exit status.
  std::pair<boost::json::object, int> audit_json() {
    auto result = feedsyncd({"audit", "-o", "json"});
    boost::json::object doc;
    try {
      doc = boost::json::parse(result.out).as_object();
    } catch (const std::exception&) {
      ADD_FAILURE() << "audit -o json printed no JSON: " << result.out << result.err;
    }
    return {doc, result.exit_status};
  }

  static std::int64_t count(const boost::json::object& doc, const char* result) {
    return doc.at("feeds").at(0).at("counts").at(result).to_number<std::int64_t>();
  }
  // guid -> result of every article the audit did not find ok.
  static std::map<std::string, std::string> drift(const boost::json::object& doc) {
    std::map<std::string, std::string> out;
    const auto& list = doc.at("feeds").at(0).at("drift").as_array();
    for (const auto& entry : list) out[std::string(entry.at("guid").as_string())] = entry.at("result").as_string();
    return out;
  }

  // CMS key -> CmpGuid of every item, in key order.
  std::vector<std::pair<std::string, std::string>> items() {
    const auto list = sim_.get("/_sim/cms/items").json();
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : list.as_array()) {
      const auto& versions = item.at("versions").as_array();
      out.emplace_back(item.at("key").as_string(), versions.at(0).at("properties").at("CmpGuid").as_string());
    }
    return out;
  }

  std::int64_t route_count(bool (*match)(std::string_view route)) {
    const auto counters = sim_.get("/_sim/requests/counters").json();
    std::int64_t n = 0;
    for (const auto& [route, value] : counters.at("routes").as_object())
      if (match(route)) n += value.at("count").to_number<std::int64_t>();
    return n;
  }
  std::int64_t cms_writes() {
    static std::string base;
    base = testing::cms_base_path() + "/";
    return route_count([](std::string_view r) {
      return r.find(base) != std::string_view::npos && r.find("GET") != 0 && r.find("oauth") == std::string_view::npos;
    });
  }
  std::int64_t cms_requests() {
    static std::string base;
    base = testing::cms_base_path() + "/";
    return route_count([](std::string_view r) {
      return r.find(base) != std::string_view::npos && r.find("oauth") == std::string_view::npos;
    });
  }
  std::int64_t canonical_posts() {
    return route_count([](std::string_view r) { return r.find("customer_canonical_link") != std::string_view::npos; });
  }

  boost::json::object check() {
    auto reply = sim_.get("/_sim/check?property=Heading&field=title");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json().as_object();
  }

  testing::TempDir dir_;
  SimProcess sim_;
  std::filesystem::path config_;
};

TEST_F(AuditE2E, FindsEachDriftAndRepairsItPerPolicy) {
  auto import = feedsyncd({"once"});
  ASSERT_EQ(import.exit_status, 0) << import.out << import.err;
  auto [clean, clean_status] = audit_json();
  EXPECT_EQ(clean_status, 0) << boost::json::serialize(clean);
  EXPECT_EQ(count(clean, "ok"), 500);

  ASSERT_EQ(sim_.post("/_sim/cms/containers", std::string(R"({"key":")") + kOtherContainer + "\"}").status, 201);
  const auto all = items();
  ASSERT_EQ(all.size(), 500u);
  std::map<std::string, std::string> want;  // guid -> result
  for (int i = 0; i < 20; ++i) {
    const auto& [key, guid] = all[static_cast<std::size_t>(i)];
    const std::string base = "/_sim/cms/items/" + key;
    switch (i % 4) {
      case 0:
        ASSERT_EQ(sim_.post(base + ":delete").status, 200);
        want[guid] = "deleted";
        break;
      case 1:
        ASSERT_EQ(sim_.post(base + ":edit", R"({"properties":{"Heading":"Written by an editor"}})").status, 200);
        want[guid] = "edited";
        break;
      case 2:
        ASSERT_EQ(sim_.post(base + ":unpublish", R"({"locale":"en"})").status, 200);
        want[guid] = "unpublished";
        break;
      case 3:
        ASSERT_EQ(sim_.post(base + ":move", std::string(R"({"container":")") + kOtherContainer + "\"}").status, 200);
        want[guid] = "moved";
        break;
    }
  }

  auto [found, found_status] = audit_json();
  EXPECT_EQ(found_status, 3) << "drift exits 3";
  EXPECT_EQ(drift(found), want);
  EXPECT_EQ(count(found, "ok"), 480);
  for (const char* kind : {"deleted", "edited", "unpublished", "moved"}) EXPECT_EQ(count(found, kind), 5) << kind;
  EXPECT_EQ(count(found, "missing"), 0);
  EXPECT_FALSE(found.at("clean").as_bool());
  auto text = feedsyncd({"audit"});
  EXPECT_EQ(text.exit_status, 3);
  EXPECT_THAT(text.out, HasSubstr("UNPUBLISHED"));

  // keep: the 15 restored, the editors' 5 versions left live and reported.
  auto keep = feedsyncd({"audit", "--repair"});
  EXPECT_EQ(keep.exit_status, 0) << keep.out << keep.err;
  EXPECT_THAT(keep.out, HasSubstr("5 restored, 5 moved back, 5 to write again, 0 orphans adopted, 5 editors' versions left live, 0 failed"));
  auto [kept, kept_status] = audit_json();
  EXPECT_EQ(kept_status, 3);
  std::map<std::string, std::string> edits;
  for (const auto& [guid, result] : want)
    if (result == "edited") edits[guid] = result;
  EXPECT_EQ(drift(kept), edits);

  // A CMP change of an article whose editor's version was kept is not written over it, and the
  // log and `status` say so.
  ASSERT_EQ(sim_.patch("/_sim/articles/" + edits.begin()->first, R"({"title":"Changed in CMP"})").status, 200);
  auto next = feedsyncd({"once"});
  ASSERT_EQ(next.exit_status, 0) << next.out << next.err;
  EXPECT_THAT(next.out, HasSubstr("1 changed"));
  EXPECT_THAT(next.out, HasSubstr("cms: 0 created, 0 updated"));
  EXPECT_THAT(next.err, HasSubstr("CMP change not written"));
  auto status = feedsyncd({"status"});
  EXPECT_THAT(status.out, HasSubstr("editors' versions kept live (cms.on_cms_edit: keep): 5 articles"));
  EXPECT_EQ(drift(audit_json().first), edits) << "the editors' versions are still live";

  // overwrite: feedsync's content over the editors' versions; then clean, and the sim agrees.
  set_on_cms_edit("overwrite");
  auto overwrite = feedsyncd({"audit", "--repair"});
  EXPECT_EQ(overwrite.exit_status, 0) << overwrite.out << overwrite.err;
  auto [after, after_status] = audit_json();
  EXPECT_EQ(after_status, 0) << boost::json::serialize(after);
  EXPECT_EQ(count(after, "ok"), 500);
  const auto report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report) << " (the CMP change is live too)";
  EXPECT_THAT(feedsyncd({"status"}).out, ::testing::Not(HasSubstr("editors' versions kept live")));
}

TEST_F(AuditE2E, AnItemDeletedForGoodIsMissingAndCreatedAgainUnderItsKey) {
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  const auto all = items();
  ASSERT_EQ(sim_.post("/_sim/cms/items/" + all[0].first + ":delete", R"({"permanent":true})").status, 200);
  auto [found, status] = audit_json();
  EXPECT_EQ(status, 3);
  EXPECT_EQ(drift(found), (std::map<std::string, std::string>{{all[0].second, "missing"}}));
  ASSERT_EQ(feedsyncd({"audit", "--repair"}).exit_status, 0);
  EXPECT_EQ(audit_json().second, 0);
  EXPECT_EQ(items()[0].first, all[0].first) << "the same deterministic key";
  EXPECT_TRUE(check().at("ok").as_bool());
}

// Items in the feed's container that carry a CMP guid under a key the store does not know: the
// one under feedsync's key for its guid is adopted and written from the feed, the other only
// reported.
TEST_F(AuditE2E, OrphansAreReportedAndFeedsyncsOwnAdopted) {
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  const std::string guid = "0123456789abcdef0123456789abcdef";
  ASSERT_EQ(sim_.post(std::string("/_sim/feeds/") + kFeed + "/articles",
                      R"({"guid":")" + guid + R"(","title":"Written before the database was lost"})")
                .status,
            201);
  auto token = testing::http_request(
      "POST", sim_.base_url() + "/_cms/version2/oauth/token",
      R"({"grant_type":"client_credentials","client_id":"sim-client","client_secret":"sim-secret"})");
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string bearer = "Bearer " + std::string(token.json().at("access_token").as_string());
  auto create = [&](const std::string& key, const std::string& cmp_guid) {
    boost::json::object body{{"key", key},       {"contentType", "ArticlePage"}, {"container", "43f936c99b234ea397b261c538ad07c9"},
                             {"locale", "en"},   {"displayName", "Orphan " + cmp_guid},
                             {"status", "published"},
                             {"properties", boost::json::object{{"CmpGuid", cmp_guid}, {"Heading", "stale"}}}};
    return testing::http_request("POST", sim_.base_url() + "/_cms/version2/content", boost::json::serialize(body),
                                 {{"Authorization", bearer}});
  };
  const std::string ours = content_key("demo", guid);
  ASSERT_EQ(create(ours, guid).status, 201);
  ASSERT_EQ(create("fedcba9876543210fedcba9876543210", "not-a-guid-of-this-feed").status, 201);

  auto [found, status] = audit_json();
  EXPECT_EQ(status, 3);
  const auto& orphans = found.at("feeds").at(0).at("orphans").as_array();
  ASSERT_EQ(orphans.size(), 2u) << boost::json::serialize(found);
  std::map<std::string, bool> adoptable;
  for (const auto& o : orphans) adoptable[std::string(o.at("key").as_string())] = o.at("adoptable").as_bool();
  EXPECT_EQ(adoptable, (std::map<std::string, bool>{{ours, true}, {"fedcba9876543210fedcba9876543210", false}}));

  auto repair = feedsyncd({"audit", "--repair"});
  EXPECT_EQ(repair.exit_status, 0) << repair.out << repair.err;
  EXPECT_THAT(repair.out, HasSubstr("1 orphans adopted"));
  EXPECT_THAT(repair.out, HasSubstr("0 created, 1 updated")) << "written from the feed under its own key";
  auto [after, after_status] = audit_json();
  EXPECT_EQ(after_status, 3) << "the foreign orphan stays reported";
  EXPECT_EQ(count(after, "ok"), 501);
  EXPECT_EQ(count(after, "orphans"), 1);
}

class RebuildE2E : public AuditE2E {
 protected:
  explicit RebuildE2E(int articles = 1000) : AuditE2E(articles) {}
};

class SmallRebuildE2E : public RebuildE2E {
 protected:
  SmallRebuildE2E() : RebuildE2E(50) {}
};

// Links CMP does not have (here: canonical links were off during the import) are posted after a
// rebuild, once each, with still no CMS write.
TEST_F(SmallRebuildE2E, CanonicalLinksCmpLacksAreQueuedByTheRebuild) {
  std::string off = testing::demo_config();
  off.replace(off.find("  enabled: true"), 15, "  enabled: false");
  set_config(off);
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  EXPECT_EQ(canonical_posts(), 0);
  set_config(testing::demo_config());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir_ / (std::string("state.db") + suffix));
  ASSERT_EQ(sim_.del("/_sim/requests").status, 204);
  auto rebuilt = feedsyncd({"audit", "--rebuild-state"});
  ASSERT_EQ(rebuilt.exit_status, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("50 adopted from the CMS, 0 left for the next once/run to write, 50 canonical"));
  auto once = feedsyncd({"once"});
  ASSERT_EQ(once.exit_status, 0) << once.out << once.err;
  EXPECT_EQ(cms_writes(), 0);
  EXPECT_EQ(canonical_posts(), 50);
  EXPECT_THAT(once.out, HasSubstr("50 canonical links posted"));
}

TEST_F(RebuildE2E, ALostDatabaseIsRebuiltWithoutWritesOrCanonicalReposts) {
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(dir_ / (std::string("state.db") + suffix));
  ASSERT_EQ(sim_.del("/_sim/requests").status, 204);

  auto rebuilt = feedsyncd({"audit", "--rebuild-state"});
  ASSERT_EQ(rebuilt.exit_status, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("1000 adopted from the CMS, 0 left for the next once/run to write, 0 canonical"));
  const auto reads = cms_requests();
  auto once = feedsyncd({"once"});
  ASSERT_EQ(once.exit_status, 0) << once.out << once.err;
  EXPECT_EQ(cms_writes(), 0) << once.out;
  EXPECT_EQ(canonical_posts(), 0) << once.out;
  EXPECT_TRUE(check().at("ok").as_bool());
  EXPECT_EQ(audit_json().second, 0);
  RecordProperty("rebuild_cms_requests", static_cast<int>(reads));
  auto again = feedsyncd({"audit", "--rebuild-state"});
  EXPECT_EQ(again.exit_status, 1) << "a database that knows articles is not rebuilt over";
  EXPECT_THAT(again.err, HasSubstr("only fills an empty or lost one"));
  EXPECT_EQ(feedsyncd({"audit", "--repair", "--rebuild-state"}).exit_status, 2);

  // An edit in CMP flows through as usual: one new version.
  const auto list = sim_.get(std::string("/_sim/feeds/") + kFeed + "/articles").json();
  const std::string article(list.at("articles").at(0).at("guid").as_string());
  ASSERT_EQ(sim_.patch("/_sim/articles/" + article, R"({"title":"Edited after the rebuild"})").status, 200);
  auto after = feedsyncd({"once"});
  ASSERT_EQ(after.exit_status, 0) << after.out << after.err;
  EXPECT_THAT(after.out, HasSubstr("1 changed"));
  EXPECT_THAT(after.out, HasSubstr("1 updated"));
  EXPECT_TRUE(check().at("ok").as_bool());
}


// engine.audit_interval: the daemon audits on its own; feedsync_audit_articles{feed,result} per
// result, and /readyz fails "audit:demo" while an item is deleted in the CMS, until repaired.
class PeriodicAuditE2E : public AuditE2E {
 protected:
  PeriodicAuditE2E() : AuditE2E(20) {
    std::string text = testing::demo_config();
    const std::string anchor = "  shutdown_timeout: 5s\n";
    text.replace(text.find(anchor), anchor.size(), anchor + "  audit_interval: 1s\n");
    set_config(text);
  }

  std::string get(const std::string& path) { return testing::http_request("GET", base_ + path).body; }
  int status_of(const std::string& path) { return testing::http_request("GET", base_ + path).status; }
  bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s) {
    return testing::eventually(condition, timeout, [this] { daemon_->drain(); }, 50ms);
  }

  std::optional<testing::Process> daemon_;
  std::string base_;
};

TEST_F(PeriodicAuditE2E, TheDaemonAuditsReportsMetricsAndTurnsUnreadyOnDeletedItems) {
  daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config_.string()}, env());
  ASSERT_TRUE(daemon_->wait_for_stderr("http=127.0.0.1:", 30s));
  std::smatch m;
  const std::string err = daemon_->stderr_text();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("http=127\\.0\\.0\\.1:([0-9]+)")));
  base_ = "http://127.0.0.1:" + m[1].str();

  const std::string ok_line = "feedsync_audit_articles{feed=\"demo\",result=\"ok\"} 20";
  ASSERT_TRUE(eventually([&] { return get("/metrics").find(ok_line) != std::string::npos; })) << get("/metrics");
  EXPECT_TRUE(eventually([&] { return status_of("/readyz") == 200; })) << get("/readyz?verbose");
  EXPECT_THAT(get("/readyz?verbose"), HasSubstr("audit:demo"));

  const auto all = items();
  ASSERT_EQ(sim_.post("/_sim/cms/items/" + all[0].first + ":delete").status, 200);
  const std::string deleted_line = "feedsync_audit_articles{feed=\"demo\",result=\"deleted\"} 1";
  ASSERT_TRUE(eventually([&] { return get("/metrics").find(deleted_line) != std::string::npos; }));
  EXPECT_TRUE(eventually([&] { return status_of("/readyz") == 503; })) << get("/readyz?verbose");
  EXPECT_THAT(get("/readyz?verbose"), HasSubstr("1 deleted in the CMS"));

  // Repaired beside the running daemon (the database is shared): ready again at the next audit.
  auto repair = feedsyncd({"audit", "--repair"});
  EXPECT_EQ(repair.exit_status, 0) << repair.out << repair.err;
  EXPECT_TRUE(eventually([&] { return status_of("/readyz") == 200; })) << get("/readyz?verbose");
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait().exit_status, 0);
}

}  // namespace
}  // namespace feedsync
