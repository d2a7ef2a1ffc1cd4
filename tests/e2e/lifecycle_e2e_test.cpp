// `feedsyncd run` under a fake systemd: the notify datagrams in order (READY, STATUS, WATCHDOG,
// RELOADING + READY around each SIGHUP, STOPPING), a SIGHUP with a broken configuration keeps
// the daemon on the old one, a SIGHUP that adds a feed makes the new feed sync without a
// restart, and SIGTERM ends with exit 0.
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"
#include "unit/ops/fake_systemd.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The datagrams a daemon sends, read as they come, WATCHDOG=1 pings counted apart.
class Notifications {
 public:
  explicit Notifications(testing::FakeSystemd& systemd) : systemd_(systemd) {}

  // Reads until a datagram starting with `prefix` arrives (true) or `timeout` passes.
  bool wait_for(const std::string& prefix, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto d = systemd_.receive(100ms);
      if (!d) continue;
      if (*d == "WATCHDOG=1") {
        ++watchdogs_;
        continue;
      }
      seen_.push_back(*d);
      if (d->rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
  // The non-watchdog datagrams so far, each cut to its first line's key ("STATUS=...": "STATUS").
  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& d : seen_) out.push_back(d.substr(0, d.find('=')));
    return out;
  }
  int watchdogs() const { return watchdogs_; }

 private:
  testing::FakeSystemd& systemd_;
  std::vector<std::string> seen_;
  int watchdogs_ = 0;
};

boost::json::object check(const testing::SimProcess& sim) {
  return sim.get("/_sim/check?property=Heading&field=title").json().as_object();
}

bool converges(const testing::SimProcess& sim, std::int64_t items) {
  return testing::eventually([&] {
    const auto report = check(sim);
    return report.at("ok").as_bool() && report.at("counts").at("cms_items").to_number<std::int64_t>() == items;
  }, 60s);
}

TEST(LifecycleE2E, NotifyReloadAndStop) {
  testing::TempDir dir;
  testing::SimProcess sim({"--generate", "20", "--seed", "3"});
  testing::FakeSystemd systemd(testing::FakeSystemd::unique_abstract_name());
  Notifications notes(systemd);
  const std::string original = testing::demo_config();
  const auto config = dir.write("feedsync.yaml", original);
  const std::map<std::string, std::string> env{{"SIM_URL", sim.base_url()},
                                               {"FEEDSYNC_STATE", (dir / "state.db").string()},
                                               {"CMS_CLIENT_SECRET", "sim-secret"},
                                               {"NOTIFY_SOCKET", systemd.notify_socket()},
                                               {"WATCHDOG_USEC", "200000"}};
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config.string()}, env);

  ASSERT_TRUE(notes.wait_for("READY=1", 30s));
  ASSERT_TRUE(converges(sim, 20));
  ASSERT_TRUE(notes.wait_for("STATUS=", 10s));

  // A broken configuration: refused, the daemon goes on with the old one.
  dir.write("feedsync.yaml", original + "bogus_key: 1\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(notes.wait_for("RELOADING=1", 10s));
  ASSERT_TRUE(notes.wait_for("READY=1", 10s));
  ASSERT_TRUE(daemon.wait_for_stderr("configuration reload rejected", 10s));

  // A new feed: it syncs without a restart.
  ASSERT_EQ(sim.post("/_sim/feeds", R"({"id":"news0001","title":"News"})").status, 201);
  ASSERT_EQ(sim.post("/_sim/feeds/news0001/generate", R"({"count":5,"seed":9})").status, 201);
  std::string with_news = original + R"(
  - name: news
    feed_id: news0001
    interval: 2s
    content_type: ArticlePage
    container: 43f936c99b234ea397b261c538ad07c9
    locale: en
    mapping:
      displayName: title
      properties:
        CmpGuid: guid
        Heading: title
)";
  dir.write("feedsync.yaml", with_news);
  daemon.signal(SIGHUP);
  ASSERT_TRUE(notes.wait_for("RELOADING=1", 10s));
  ASSERT_TRUE(notes.wait_for("READY=1", 10s));
  EXPECT_TRUE(converges(sim, 25)) << boost::json::serialize(check(sim));

  daemon.signal(SIGTERM);
  ASSERT_TRUE(notes.wait_for("STOPPING=1", 30s));
  const auto result = daemon.wait(30s);
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("feed added"));
  EXPECT_THAT(result.err, HasSubstr("configuration reloaded"));

  // READY first, RELOADING always followed by READY, STOPPING last; the watchdog pinged.
  const auto kinds = notes.kinds();
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.front(), "READY");
  EXPECT_EQ(kinds.back(), "STOPPING");
  int reloads = 0;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] != "RELOADING") continue;
    ++reloads;
    auto next_ready = std::find(kinds.begin() + static_cast<std::ptrdiff_t>(i), kinds.end(), "READY");
    auto next_stopping = std::find(kinds.begin() + static_cast<std::ptrdiff_t>(i), kinds.end(), "STOPPING");
    EXPECT_LT(next_ready, next_stopping);
  }
  EXPECT_EQ(reloads, 2);
  EXPECT_GE(notes.watchdogs(), 2);
}

// Issue 6: rejected CMS credentials pause the writes (nothing is dead-lettered) and a fixed
// secret file is picked up by SIGHUP, after which the held change goes through.
TEST(LifecycleE2E, RejectedCredentialsPauseWritesUntilAFixedSecretIsReloaded) {
  testing::TempDir dir;
  testing::SimProcess sim({"--generate", "10", "--seed", "8"});
  const auto secret = dir.write("cms_client_secret", "sim-secret\n");
  std::string text = testing::demo_config();
  text.replace(text.find("client_secret: ${CMS_CLIENT_SECRET}"), 35, "client_secret_file: " + secret.string());
  const auto config = dir.write("feedsync.yaml", text);
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config.string()},
                          {{"SIM_URL", sim.base_url()}, {"FEEDSYNC_STATE", (dir / "state.db").string()}});
  ASSERT_TRUE(converges(sim, 10));

  // The CMS's client secret is rotated and the daemon's token revoked; an article changes.
  ASSERT_EQ(sim.put("/_sim/cms/credentials", R"({"credentials":[{"client_id":"sim-client","client_secret":"rotated"}]})").status,
            204);
  ASSERT_EQ(sim.post("/_sim/cms/tokens:expire").status, 204);
  const auto listing = sim.get("/_sim/feeds/simfeed0000000000000000000000001/articles").json();
  const std::string guid(listing.at("articles").at(0).at("guid").as_string());
  ASSERT_EQ(sim.patch("/_sim/articles/" + guid, R"({"title":"After the rotation"})").status, 200);
  ASSERT_TRUE(daemon.wait_for_stderr("writes pause until it recovers", 30s)) << daemon.stderr_text();
  EXPECT_FALSE(check(sim).at("ok").as_bool());  // the edit is held back, not lost

  // The operator puts the new secret in place and reloads.
  dir.write("cms_client_secret", "rotated\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_stderr("configuration reloaded", 10s));
  EXPECT_TRUE(converges(sim, 10)) << boost::json::serialize(check(sim));
  daemon.signal(SIGTERM);
  const auto result = daemon.wait(30s);
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.err, Not(HasSubstr("rotated")));   // the secret never reaches the log
  EXPECT_THAT(result.err, Not(HasSubstr("sim-secret")));
  EXPECT_THAT(result.err, Not(HasSubstr("dead-lettered")));
}

}  // namespace
}  // namespace feedsync
