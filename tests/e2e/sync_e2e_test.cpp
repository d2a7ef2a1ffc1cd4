// The built feedsyncd against the built feedsync-sim, as an operator runs them: `once` for an
// import of 1,000 articles, then updates, Deleted-Feed deletions, a re-publish, vanished articles
// held by the mass-delete guard and approved, a feed that answers 404; `resync`; and `run` with
// SIGTERM. Every step ends with the simulator's consistency check: no duplicate, nothing
// missing, nothing stale, and every item's Heading equal to its article's title (no lost update).
#include <csignal>
#include <fstream>
#include <sstream>

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

class SyncE2E : public ::testing::Test {
 protected:
  explicit SyncE2E(std::vector<std::string> sim_args = {"--generate", "1000", "--seed", "11"})
      : sim_(sim_args) {
    write_config(testing::demo_config());
  }

  void write_config(const std::string& text) { config_ = dir_.write("feedsync.yaml", text); }

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

  boost::json::object check() {
    auto reply = sim_.get("/_sim/check?property=Heading&field=title");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json().as_object();
  }

  void expect_consistent(const std::string& step) {
    const auto report = check();
    EXPECT_TRUE(report.at("ok").as_bool()) << step << ": " << boost::json::serialize(report);
  }

  std::int64_t count(const boost::json::object& report, const char* name) {
    return report.at("counts").at(name).to_number<std::int64_t>();
  }

  std::int64_t feed_requests() {
    const auto counters = sim_.get("/_sim/requests/counters").json();
    const auto* feed = counters.at("apis").as_object().if_contains("feed");
    return feed ? feed->to_number<std::int64_t>() : 0;
  }
  std::int64_t cms_writes() {
    const auto counters = sim_.get("/_sim/requests/counters").json();
    std::int64_t writes = 0;
    for (const auto& [route, value] : counters.at("routes").as_object()) {
      if (route.find(testing::cms_base_path() + "/") != std::string_view::npos && route.find("GET") != 0 &&
          route.find("oauth") == std::string_view::npos)
        writes += value.at("count").to_number<std::int64_t>();
    }
    return writes;
  }

  std::vector<std::string> guids(std::size_t n) {
    const auto list = sim_.get(std::string("/_sim/feeds/") + kFeed + "/articles").json();
    std::vector<std::string> out;
    for (const auto& a : list.at("articles").as_array()) {
      if (out.size() == n) break;
      out.emplace_back(a.at("guid").as_string());
    }
    return out;
  }

  testing::TempDir dir_;
  SimProcess sim_;
  std::filesystem::path config_;
};

TEST_F(SyncE2E, ImportUpdatesDeletesRepublishAndSteadyState) {
  auto first = feedsyncd({"once"});
  ASSERT_EQ(first.exit_status, 0) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("feed demo: 1000 in the feed, 1000 new"));
  EXPECT_THAT(first.out, HasSubstr("cms: 1000 created"));
  EXPECT_THAT(first.out, HasSubstr("1000 canonical links posted"));
  auto report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  EXPECT_EQ(count(report, "cms_items"), 1000);
  EXPECT_EQ(sim_.get("/_sim/canonical").json().at("records").as_array().size(), 1000u);

  // Edits, deletions through the Deleted Feed.
  const auto some = guids(8);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(sim_.patch("/_sim/articles/" + some[i], R"({"title":"Edited )" + std::to_string(i) + "\"}").status, 200);
  }
  for (int i = 5; i < 8; ++i) ASSERT_EQ(sim_.post("/_sim/articles/" + some[i] + ":unpublish").status, 200);
  auto second = feedsyncd({"once"});
  ASSERT_EQ(second.exit_status, 0) << second.out << second.err;
  EXPECT_THAT(second.out, HasSubstr("5 updated"));
  EXPECT_THAT(second.out, HasSubstr("3 deleted"));
  report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  EXPECT_EQ(count(report, "cms_items_deleted"), 3);

  // A deleted article comes back: the soft-deleted item is restored, not duplicated.
  ASSERT_EQ(sim_.post("/_sim/articles/" + some[5] + ":republish").status, 200);
  auto third = feedsyncd({"once"});
  ASSERT_EQ(third.exit_status, 0) << third.out << third.err;
  EXPECT_THAT(third.out, HasSubstr("1 restored"));
  report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  EXPECT_EQ(count(report, "cms_items_deleted"), 2);

  // Steady state: nothing changed, so at most 2 feed requests (live + Deleted Feed index) and
  // no CMS write, whatever the feed size. (Articles edited in the last two seconds are fetched
  // once more to catch a same-second edit: planner.hpp; the first quiet run settles them.)
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  std::this_thread::sleep_for(2100ms);  // past the same-second window of the edits above
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  ASSERT_EQ(sim_.del("/_sim/requests").status, 204);
  auto quiet = feedsyncd({"once"});
  ASSERT_EQ(quiet.exit_status, 0) << quiet.out << quiet.err;
  EXPECT_LE(feed_requests(), 2);
  EXPECT_EQ(cms_writes(), 0);
}

TEST_F(SyncE2E, VanishedArticlesBeyondTheGuardAreHeldUntilApproved) {
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  // 300 articles vanish without a trace (no Deleted Feed entry): more than 20 % of 1000.
  const auto gone = guids(300);
  for (const auto& guid : gone) ASSERT_EQ(sim_.del("/_sim/articles/" + guid).status, 204);
  // Vanishing is only concluded by a full scan: force one.
  ASSERT_EQ(feedsyncd({"resync", "demo"}).exit_status, 0);
  auto held = feedsyncd({"once"});
  EXPECT_EQ(held.exit_status, 1) << held.out << held.err;
  EXPECT_THAT(held.out, HasSubstr("300 deletions held"));
  auto report = check();
  EXPECT_EQ(report.at("stale_in_cms").as_array().size(), 300u);  // nothing was deleted
  EXPECT_EQ(count(report, "cms_items_deleted"), 0);

  auto approve = feedsyncd({"approve-deletes", "demo"});
  ASSERT_EQ(approve.exit_status, 0) << approve.err;
  EXPECT_THAT(approve.out, HasSubstr("approved 300 held deletions"));
  auto done = feedsyncd({"once"});
  ASSERT_EQ(done.exit_status, 0) << done.out << done.err;
  report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  EXPECT_EQ(count(report, "cms_items_deleted"), 300);
}

TEST_F(SyncE2E, FeedNotFoundFailsTheRunAndDeletesNothing) {
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  ASSERT_EQ(sim_.put(std::string("/_sim/feeds/") + kFeed + "/mode", R"({"mode":"not_found"})").status, 200);
  ASSERT_EQ(feedsyncd({"resync", "demo"}).exit_status, 0);
  auto failed = feedsyncd({"once"});
  EXPECT_EQ(failed.exit_status, 1);
  EXPECT_THAT(failed.out, HasSubstr("feed demo: poll failed"));
  EXPECT_THAT(failed.out, ::testing::Not(HasSubstr(kFeed)));  // feed ids are redacted
  ASSERT_EQ(sim_.put(std::string("/_sim/feeds/") + kFeed + "/mode", R"({"mode":"normal"})").status, 200);
  const auto report = check();
  EXPECT_EQ(count(report, "cms_items_deleted"), 0);
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  auto status = feedsyncd({"status"});
  EXPECT_EQ(status.exit_status, 0);
}

TEST_F(SyncE2E, ResyncRepushesOneArticleEvenThoughNothingChanged) {
  ASSERT_EQ(feedsyncd({"once"}).exit_status, 0);
  const auto guid = guids(1).at(0);
  auto resync = feedsyncd({"resync", "demo", "--guid", guid});
  ASSERT_EQ(resync.exit_status, 0) << resync.err;
  EXPECT_THAT(resync.out, HasSubstr("1 article marked"));
  auto again = feedsyncd({"once"});
  ASSERT_EQ(again.exit_status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("cms: 0 created, 1 updated"));
  EXPECT_EQ(feedsyncd({"resync", "demo", "--guid", "nosuchguid"}).exit_status, 1);
}

TEST_F(SyncE2E, CheckConnectReachesTheCmsAndEveryFeedAndReportsRejectedCredentials) {
  auto good = feedsyncd({"check", "--connect"});
  EXPECT_EQ(good.exit_status, 0) << good.out << good.err;
  EXPECT_THAT(good.out, HasSubstr("cms token: ok"));
  // A full first page, so a second one (1000 articles: not the whole feed, the probe reads two).
  EXPECT_THAT(good.out, HasSubstr("demo feed: ok (1000 entries in 2 pages)"));
  EXPECT_THAT(good.out, HasSubstr("demo deleted feed: ok (0 entries"));

  auto env = this->env();
  env["CMS_CLIENT_SECRET"] = "not-the-secret";
  auto bad = testing::run_process(FEEDSYNC_DAEMON_BIN, {"check", "--connect", "--config", config_.string()}, env);
  EXPECT_EQ(bad.exit_status, 1);
  EXPECT_THAT(bad.out, HasSubstr("cms token: FAILED"));
  EXPECT_THAT(bad.out + bad.err, ::testing::Not(HasSubstr("not-the-secret")));
  EXPECT_EQ(sim_.get("/_sim/cms/items").json().as_array().size(), 0u);  // nothing written
}

TEST_F(SyncE2E, RunSyncsPicksUpChangesAndStopsCleanlyOnSigterm) {
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config_.string()}, env());
  ASSERT_TRUE(daemon.wait_for_stderr("poll cycle done", 60s));
  // The import drains; then an edit is picked up by the next poll (interval 2s).
  const auto guid = guids(1).at(0);
  const auto consistent = [&] { return check().at("ok").as_bool(); };
  const auto drain = [&] { daemon.drain(); };  // a full stderr pipe would block the daemon
  testing::eventually(consistent, 60s, drain);
  expect_consistent("after the import");
  ASSERT_EQ(sim_.patch("/_sim/articles/" + guid, R"({"title":"Changed while running"})").status, 200);
  const bool edited = testing::eventually(consistent, 60s, drain);
  daemon.signal(SIGTERM);
  auto result = daemon.wait(30s);
  EXPECT_TRUE(edited) << boost::json::serialize(check()) << "\n" << result.err;
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("feedsyncd stopped"));
}

}  // namespace
}  // namespace feedsync
