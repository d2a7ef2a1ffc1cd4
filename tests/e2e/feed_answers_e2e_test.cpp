// Answers the Feed API document leaves open (issue 17), against the built binaries: a Deleted
// Feed failing for a minute while live articles change (the live sync goes on, /readyz names the
// Deleted Feed, its deletions land once it answers), and a page cap below the size asked for
// (check --connect shows it, the daemon logs it once and imports every article), and one article
// in two configured feeds (one item per feed, or one item; one canonical link either way).
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

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
using ::testing::Not;

constexpr const char* kFeed = "simfeed0000000000000000000000001";

class FeedAnswersE2E : public ::testing::Test {
 protected:
  void start_sim(const std::vector<std::string>& args) { sim_.emplace(args); }
  std::map<std::string, std::string> env() const {
    return {{"SIM_URL", sim_->base_url()},
            {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
            {"CMS_CLIENT_SECRET", "sim-secret"}};
  }
  void start_daemon() {
    config_ = dir_.write("feedsync.yaml", testing::demo_config());
    daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config_.string()}, env());
    ASSERT_TRUE(daemon_->wait_for_stderr("http=127.0.0.1:", 30s)) << daemon_->stderr_text();
    std::smatch m;
    const auto err = daemon_->stderr_text();
    ASSERT_TRUE(std::regex_search(err, m, std::regex("http=127\\.0\\.0\\.1:([0-9]+)")));
    ops_ = "http://127.0.0.1:" + m[1].str();
  }
  testing::ProcessResult feedsyncd(std::vector<std::string> args, const std::string& config = testing::demo_config()) {
    if (config_.empty()) config_ = dir_.write("feedsync.yaml", config);
    args.insert(args.end(), {"--config", config_.string()});
    return testing::run_process(FEEDSYNC_DAEMON_BIN, args, env(), 60s);
  }
  // Polls an observable condition with a deadline, reading the daemon's stderr meanwhile (a full
  // pipe would block the daemon in write()).
  bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    return testing::eventually(condition, timeout, [this] {
      if (daemon_) daemon_->drain();
    });
  }
  boost::json::object check() const {
    return sim_->get("/_sim/check?property=Heading&field=title").json().as_object();
  }
  std::size_t listed(const char* what) const { return check().at(what).as_array().size(); }
  testing::HttpReply ops(const std::string& path) const { return testing::http_request("GET", ops_ + path); }
  std::vector<std::string> live_guids(std::size_t n) const {
    const auto listing = sim_->get(std::string("/_sim/feeds/") + kFeed + "/articles").json();
    std::vector<std::string> out;
    for (const auto& a : listing.at("articles").as_array()) {
      if (out.size() == n) break;
      out.emplace_back(a.at("guid").as_string());
    }
    return out;
  }

  testing::TempDir dir_;
  std::optional<testing::SimProcess> sim_;
  std::filesystem::path config_;
  std::optional<testing::Process> daemon_;
  std::string ops_;
};

TEST_F(FeedAnswersE2E, ADeletedFeedFailingForAMinuteStopsNeitherTheLiveSyncNorItsLaterDeletions) {
  start_sim({"--generate", "20", "--seed", "41"});
  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(eventually([&] { return check().at("ok").as_bool() && check().at("counts").at("cms_items") == 20; }, 60s))
      << boost::json::serialize(check());

  const auto outage = sim_->post("/_sim/faults", R"({"api":"feed","path":"deleted","action":"status","status":500})");
  ASSERT_EQ(outage.status, 201) << outage.body;
  const auto outage_started = std::chrono::steady_clock::now();
  const auto guids = live_guids(5);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(sim_->patch("/_sim/articles/" + guids[i], R"({"title":"Edited during the outage )" + std::to_string(i) + "\"}").status, 200);
  for (int i = 3; i < 5; ++i) ASSERT_EQ(sim_->post("/_sim/articles/" + guids[i] + ":unpublish").status, 200);

  // The edits land; the two deletions wait for the Deleted Feed (their items are still live).
  EXPECT_TRUE(eventually([&] { return listed("drift") == 0 && listed("missing_in_cms") == 0 && listed("stale_in_cms") == 2; }, 30s))
      << boost::json::serialize(check());
  // /readyz names the Deleted Feed (failing after 3 deleted_intervals of 2 s), not the feed.
  ASSERT_TRUE(eventually([&] { return ops("/readyz").status == 503; }, 30s)) << ops("/readyz?verbose").body;
  const auto readyz = ops("/readyz?verbose").body;
  EXPECT_THAT(readyz, HasSubstr("[-]deleted_feed:demo failed"));
  EXPECT_THAT(readyz, HasSubstr("HTTP 500; the live feed syncs on, its deletions wait"));
  EXPECT_THAT(readyz, HasSubstr("[+]feed:demo ok"));
  EXPECT_THAT(readyz, Not(HasSubstr(kFeed)));  // redacted, as in the logs
  EXPECT_THAT(ops("/metrics").body, ::testing::ContainsRegex("feedsync_deleted_feed_consecutive_failures\\{feed=\"demo\"\\} [1-9]"));
  const auto status = feedsyncd({"status"});
  EXPECT_THAT(status.out, HasSubstr("deleted-feed-failing"));
  EXPECT_THAT(status.out, HasSubstr("demo: Deleted Feed failing"));

  // A minute of outage: live changes keep landing, no deletion is guessed meanwhile.
  const auto late = live_guids(6).back();
  ASSERT_EQ(sim_->patch("/_sim/articles/" + late, R"({"title":"Edited late in the outage"})").status, 200);
  eventually([] { return false; }, std::chrono::duration_cast<std::chrono::milliseconds>(
                                       60s - (std::chrono::steady_clock::now() - outage_started)));
  EXPECT_EQ(listed("drift"), 0u) << boost::json::serialize(check());
  EXPECT_EQ(listed("stale_in_cms"), 2u);

  ASSERT_EQ(sim_->del("/_sim/faults").status, 204);
  EXPECT_TRUE(eventually([&] { return check().at("ok").as_bool(); }, 30s)) << boost::json::serialize(check());
  EXPECT_EQ(check().at("counts").at("cms_items_deleted"), 2);
  EXPECT_TRUE(eventually([&] { return ops("/readyz").status == 200; }, 30s)) << ops("/readyz?verbose").body;
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait(30s).exit_status, 0);
}

TEST_F(FeedAnswersE2E, APageCapIsShownByCheckConnectLoggedOnceAndEveryArticleImported) {
  start_sim({"--generate", "700", "--seed", "42", "--page-cap", "233"});
  const auto connect = feedsyncd({"check", "--connect"});
  EXPECT_EQ(connect.exit_status, 0) << connect.out << connect.err;
  EXPECT_THAT(connect.out, HasSubstr("demo feed: ok (466 entries in 2 pages)"));
  EXPECT_THAT(connect.out, HasSubstr("demo feed: note: pages hold at most 233 entries (asked for 999)"));

  ASSERT_NO_FATAL_FAILURE(start_daemon());
  ASSERT_TRUE(eventually([&] { return check().at("ok").as_bool() && check().at("counts").at("cms_items") == 700; }, 90s))
      << boost::json::serialize(check());
  // A few more polls (2 s apart), then: the cap was logged once, not per poll.
  const auto polls = [&] {
    const auto& err = daemon_->stderr_text();
    std::size_t n = 0;
    for (auto at = err.find("poll cycle done"); at != std::string::npos; at = err.find("poll cycle done", at + 1)) ++n;
    return n;
  };
  const auto seen = polls();
  ASSERT_TRUE(eventually([&] { return polls() >= seen + 3; }, 30s));
  const auto& err = daemon_->stderr_text();
  const std::regex note("pages hold at most 233 entries");
  EXPECT_EQ(std::distance(std::sregex_iterator(err.begin(), err.end(), note), std::sregex_iterator()), 1) << err;
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait(30s).exit_status, 0);
}

// The demo configuration with a second feed reading the simulator's second feed (--feeds 2), and
// `policy` as cms.articles_in_several_feeds.
std::string two_feeds_config(const std::string& policy) {
  std::string config = testing::demo_config();
  config.replace(config.find("cms:\n"), 5, "cms:\n  articles_in_several_feeds: " + policy + "\n");
  std::string second = config.substr(config.find("  - name: demo"));
  second.replace(second.find("name: demo"), 10, "name: second");
  for (std::size_t at; (at = second.find("0000001")) != std::string::npos;) second.replace(at, 7, "0000002");
  return config + second;
}

// How many canonical links the simulator received for each guid.
std::map<std::string, int> canonical_posts(const testing::SimProcess& sim) {
  std::map<std::string, int> out;
  const auto records = sim.get("/_sim/canonical").json();  // alive while iterated
  for (const auto& r : records.at("records").as_array()) ++out[std::string(r.at("guid").as_string())];
  return out;
}

// Issue 17 item 4: CMP publishes 2 of the first feed's 5 articles to the second feed too.
TEST_F(FeedAnswersE2E, AnArticleInTwoFeedsGetsAnItemPerFeedAndOneCanonicalLinkByDefault) {
  start_sim({"--feeds", "2", "--generate", "5", "--seed", "43", "--share", "2"});
  const auto run = feedsyncd({"once"}, two_feeds_config("item_per_feed"));
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  const auto report = check();
  EXPECT_EQ(report.at("counts").at("cms_items"), 12);  // 10 articles, 2 of them with an item per feed
  EXPECT_EQ(report.at("duplicates").as_array().size(), 2u) << boost::json::serialize(report);
  EXPECT_EQ(report.at("missing_in_cms").as_array().size(), 0u);
  const auto posts = canonical_posts(*sim_);
  EXPECT_EQ(posts.size(), 10u);
  for (const auto& [guid, count] : posts) EXPECT_EQ(count, 1) << guid;
  EXPECT_THAT(run.err, HasSubstr("canonical link not posted: another feed's item of this article holds it"));
}

TEST_F(FeedAnswersE2E, AnArticleInTwoFeedsIsOneItemAndOneCanonicalLinkUnderOneItem) {
  start_sim({"--feeds", "2", "--generate", "5", "--seed", "44", "--share", "2"});
  const auto run = feedsyncd({"once"}, two_feeds_config("one_item"));
  ASSERT_EQ(run.exit_status, 0) << run.out << run.err;
  auto report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  EXPECT_EQ(report.at("counts").at("cms_items"), 10);
  const auto posts = canonical_posts(*sim_);
  EXPECT_EQ(posts.size(), 10u);
  for (const auto& [guid, count] : posts) EXPECT_EQ(count, 1) << guid;
  EXPECT_THAT(run.err, HasSubstr("shared=2"));
  // Later polls of both feeds change nothing: the skipped articles stay skipped.
  const auto again = feedsyncd({"once"}, two_feeds_config("one_item"));
  ASSERT_EQ(again.exit_status, 0) << again.out << again.err;
  report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  EXPECT_EQ(report.at("counts").at("cms_items"), 10);
  EXPECT_EQ(canonical_posts(*sim_).size(), 10u);
}

}  // namespace
}  // namespace feedsync
