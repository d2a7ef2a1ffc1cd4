// The operating surface of a running feedsyncd (issue 8), over HTTP against the built binaries:
// /livez, /readyz flipping with a failing feed and back, /metrics (Prometheus text, linted by
// promtool when installed), /status, the admin API (401 without or with a wrong token, a sync
// trigger that reaches the Feed API within 100 ms), and no secret in any answer.
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/time.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::http_request;

constexpr const char* kAdminToken = "e2e-admin-token-0123456789abcdef";
constexpr const char* kFeed = "simfeed0000000000000000000000001";

// With interval: 1h, a poll within a second of the trigger can only be the trigger's. That it
// starts at once (no wait for a timer) is pinned on simulated time by engine_sync_engine_test;
// a wall-clock bound tighter than this fails on a loaded machine without saying anything.
constexpr auto kTriggerBound = 1000ms;

std::string config_text() {
  std::string s = testing::demo_config();
  s.replace(s.find("  listen: 127.0.0.1:0"), 21, "  listen: 127.0.0.1:0\n  admin_token: ${ADMIN_TOKEN}");
  s.replace(s.find("interval: 2s"), 12, "interval: 1h");  // only triggers poll after the first
  return s;
}

class OpsE2E : public ::testing::Test {
 protected:
  OpsE2E() : sim_({"--generate", "30", "--seed", "4"}) {
    config_ = dir_.write("feedsync.yaml", config_text());
    daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config_.string()},
                    std::map<std::string, std::string>{{"SIM_URL", sim_.base_url()},
                                                       {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
                                                       {"CMS_CLIENT_SECRET", "sim-secret"},
                                                       {"ADMIN_TOKEN", kAdminToken}});
  }

  void SetUp() override {
    ASSERT_TRUE(daemon_->wait_for_stderr("poll cycle done", 60s));
    // "feedsyncd started ... http=127.0.0.1:PORT" came before the poll line.
    ASSERT_TRUE(daemon_->wait_for_stderr("http=127.0.0.1:", 1s));
    const auto err = daemon_->stderr_text();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(err, m, std::regex("http=127\\.0\\.0\\.1:([0-9]+)")));
    base_ = "http://127.0.0.1:" + m[1].str();
  }

  testing::HttpReply get(const std::string& path) { return http_request("GET", base_ + path); }
  testing::HttpReply admin(const std::string& path, const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return http_request("POST", base_ + path, "", headers);
  }
  bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s) {
    return testing::eventually(condition, timeout, {}, 20ms);
  }

  testing::TempDir dir_;
  testing::SimProcess sim_;
  std::filesystem::path config_;
  std::optional<testing::Process> daemon_;
  std::string base_;
};

TEST_F(OpsE2E, LivezReadyzMetricsStatusAndNoSecrets) {
  EXPECT_EQ(get("/livez").status, 200);
  ASSERT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << get("/readyz?verbose").body;
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_THAT(get("/readyz?verbose").body, HasSubstr("feed:demo"));

  const auto metrics = get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("feedsync_polls_total{feed=\"demo\",result=\"success\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("feedsync_articles_seen_total{feed=\"demo\",change=\"new\"} 30"));
  EXPECT_THAT(metrics.body, HasSubstr("feedsync_build_info{"));
  EXPECT_THAT(metrics.body, HasSubstr("feedsync_http_requests_total{api=\"cms\",method=\"POST\",status=\"201\"}"));
  // Issue 17: this month's Feed API requests are every feed attempt made so far.
  double feed_attempts = 0;
  const std::regex feed_sample("\nfeedsync_http_requests_total\\{api=\"feed\",[^}]*\\} ([0-9]+)");
  for (std::sregex_iterator it(metrics.body.begin(), metrics.body.end(), feed_sample), end; it != end; ++it) {
    feed_attempts += std::stod((*it)[1].str());
  }
  EXPECT_GE(feed_attempts, 2);  // at least the index and the content of the 30 articles
  EXPECT_THAT(metrics.body, HasSubstr("\nfeedsync_feed_requests_month_total " + std::to_string(std::llround(feed_attempts)) + "\n"));
  EXPECT_THAT(metrics.body, HasSubstr("\nfeedsync_feed_requests_month_budget 0\n"));
  EXPECT_THAT(metrics.body, HasSubstr("\nfeedsync_feed_requests_month_projected "));
  // promtool, when installed (scripts/test fetches it), lints a scrape of the running daemon.
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    const auto scrape = dir_.write("scrape.txt", metrics.body);
    EXPECT_EQ(std::system(("promtool check metrics < " + scrape.string()).c_str()), 0) << metrics.body;
  }

  const auto status = get("/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_THAT(status.body, HasSubstr("\"demo\""));

  // The feed breaks: readiness says which check fails, and recovers with the feed.
  ASSERT_EQ(sim_.put(std::string("/_sim/feeds/") + kFeed + "/mode", R"({"mode":"not_found"})").status, 200);
  ASSERT_EQ(admin("/feeds/demo/sync", kAdminToken).status, 202);
  ASSERT_TRUE(eventually([&] { return get("/readyz").status == 503; }));
  EXPECT_THAT(get("/readyz").body, HasSubstr("feed:demo"));
  EXPECT_EQ(get("/livez").status, 200);  // liveness does not follow dependencies
  ASSERT_EQ(sim_.put(std::string("/_sim/feeds/") + kFeed + "/mode", R"({"mode":"normal"})").status, 200);
  ASSERT_EQ(admin("/feeds/demo/sync", kAdminToken).status, 202);
  EXPECT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << get("/readyz?verbose").body;

  // A mass deletion held by the guard: not ready until approved through the admin API.
  const auto listing = sim_.get(std::string("/_sim/feeds/") + kFeed + "/articles").json();
  for (int i = 0; i < 15; ++i) {
    ASSERT_EQ(sim_.del("/_sim/articles/" + std::string(listing.at("articles").at(i).at("guid").as_string())).status, 204);
  }
  ASSERT_EQ(admin("/feeds/demo/resync", kAdminToken).status, 202);  // a full scan notices vanished articles
  ASSERT_TRUE(eventually([&] { return get("/readyz").status == 503; })) << get("/readyz?verbose").body;
  EXPECT_THAT(get("/readyz").body, HasSubstr("deletes_held:demo"));
  EXPECT_THAT(get("/metrics").body, HasSubstr("feedsync_deletes_held{feed=\"demo\"} 15"));
  ASSERT_EQ(admin("/feeds/demo/approve-deletes", kAdminToken).status, 202);
  EXPECT_TRUE(eventually([&] { return get("/readyz").status == 200; })) << get("/readyz?verbose").body;
  EXPECT_EQ(sim_.get("/_sim/check").json().at("counts").at("cms_items_deleted").to_number<std::int64_t>(), 15);

  for (const char* path : {"/livez", "/readyz?verbose", "/healthz", "/metrics", "/status"}) {
    const auto body = get(path).body;
    EXPECT_THAT(body, Not(HasSubstr(kAdminToken))) << path;
    EXPECT_THAT(body, Not(HasSubstr("sim-secret"))) << path;
    EXPECT_THAT(body, Not(HasSubstr(kFeed))) << path;
  }
}

TEST_F(OpsE2E, AdminNeedsTheTokenAndASyncTriggerReachesTheFeedAtOnce) {
  EXPECT_EQ(admin("/feeds/demo/sync", "").status, 401);
  EXPECT_EQ(admin("/feeds/demo/sync", "wrong-token").status, 401);
  EXPECT_EQ(admin("/feeds/nosuchfeed/sync", kAdminToken).status, 404);

  const auto seq = sim_.get("/_sim/requests?limit=1").json().at("last_seq").to_number<std::int64_t>();
  const auto before = std::chrono::system_clock::now();
  ASSERT_EQ(admin("/feeds/demo/sync", kAdminToken).status, 202);
  std::optional<std::int64_t> first_feed_request_ms;
  ASSERT_TRUE(eventually(
      [&] {
        const auto log = sim_.get("/_sim/requests?api=feed&since=" + std::to_string(seq)).json();
        const auto& entries = log.at("entries").as_array();
        if (entries.empty()) return false;
        first_feed_request_ms = parse_rfc3339_ms(std::string(entries.front().at("time").as_string()));
        return true;
      },
      5s));
  ASSERT_TRUE(first_feed_request_ms);
  const auto before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
  EXPECT_LT(*first_feed_request_ms - before_ms, kTriggerBound.count());

  // pause / resume / retry through the API land in the store (status shows them).
  ASSERT_EQ(admin("/feeds/demo/pause", kAdminToken).status, 202);
  EXPECT_THAT(get("/status").body, HasSubstr("\"paused\""));
  ASSERT_EQ(admin("/feeds/demo/resume", kAdminToken).status, 202);
  EXPECT_EQ(admin("/retry", kAdminToken).status, 202);
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait(30s).exit_status, 0);
}

}  // namespace
}  // namespace feedsync
