// `feedsyncd run` with more feeds than poll slots (issue 14). The daemon once spun at 100 % CPU
// without completing a single poll as soon as more feeds were due than engine.max_concurrent_polls
// allowed: the scheduler's loop never awaited, so the polls holding the slots never progressed and
// SIGTERM was never handled. These tests run the built binaries against feedsync-sim with slow
// feed answers (the simulator's delay fault) and check, through the simulator's request log, that
// every feed is polled, through /proc that the daemon idles while it waits for a slot, and that
// SIGTERM ends it within engine.shutdown_timeout.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// The ids feedsync-sim --feeds N serves.
std::string sim_feed_id(int k) {
  const auto digits = std::to_string(k);
  return "simfeed" + std::string(25 - digits.size(), '0') + digits;
}

// config/demo.yaml with its one feed replaced by feeds f1..fN (sim feeds 1..N), each with its
// Deleted Feed, and engine.max_concurrent_polls set.
std::string many_feeds_config(int feeds, int max_concurrent_polls, const std::string& interval) {
  std::string text = testing::demo_config();
  text = text.substr(0, text.find("\nfeeds:\n"));
  text.replace(text.find("engine:\n"), 8, "engine:\n  max_concurrent_polls: " + std::to_string(max_concurrent_polls) + "\n");
  text += "\nfeeds:\n";
  for (int k = 1; k <= feeds; ++k) {
    text += "  - name: f" + std::to_string(k) + "\n    feed_id: " + sim_feed_id(k) +
            "\n    deleted_feed_id: " + sim_feed_id(k) + "deleted\n    interval: " + interval +
            "\n    content_type: ArticlePage\n    container: 43f936c99b234ea397b261c538ad07c9\n    locale: en\n"
            "    mapping:\n      displayName: title\n      properties:\n        CmpGuid: guid\n        Heading: title\n";
  }
  return text;
}

// Polls started per live feed id: index requests (fields=guid,modified_at) at offset 0, from the
// simulator's request log.
std::map<std::string, int> polls_by_feed(const testing::SimProcess& sim) {
  const auto log = sim.get("/_sim/requests?api=feed&path=/v2/feed/&limit=100000").json();
  std::map<std::string, int> polls;
  for (const auto& entry : log.at("entries").as_array()) {
    const std::string path(entry.at("path").as_string());
    const std::string query(entry.at("query").as_string());
    const auto id = path.substr(path.rfind('/') + 1);
    if (id.ends_with("deleted") || query.find("offset=0") == std::string::npos ||
        query.find("fields=guid") == std::string::npos) {
      continue;
    }
    ++polls[id];
  }
  return polls;
}

// Whether every one of feeds 1..N has been polled at least `times` times (within `timeout`).
bool every_feed_polled(const testing::SimProcess& sim, int feeds, int times, std::chrono::milliseconds timeout,
                       std::map<std::string, int>* seen = nullptr) {
  const auto deadline = steady::now() + timeout;
  for (;;) {
    const auto polls = polls_by_feed(sim);
    int done = 0;
    for (int k = 1; k <= feeds; ++k) {
      auto it = polls.find(sim_feed_id(k));
      if (it != polls.end() && it->second >= times) ++done;
    }
    if (seen) *seen = polls;
    if (done == feeds) return true;
    if (steady::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);  // polling an observable condition, with a deadline
  }
}

// The process's CPU time (user + system) so far, from /proc/PID/stat.
std::chrono::duration<double> cpu_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return std::chrono::duration<double>(static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK)));
}

// Share of one core the process used over `window` (the spinning scheduler used all of it).
double cpu_share(pid_t pid, std::chrono::milliseconds window) {
  const auto cpu0 = cpu_time(pid);
  const auto wall0 = steady::now();
  std::this_thread::sleep_for(window);  // measuring over a window, not waiting for an event
  const auto cpu1 = cpu_time(pid);
  return (cpu1 - cpu0).count() / std::chrono::duration<double>(steady::now() - wall0).count();
}

class ManyFeedsE2E : public ::testing::Test {
 protected:
  std::map<std::string, std::string> env(const testing::SimProcess& sim) const {
    return {{"SIM_URL", sim.base_url()},
            {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
            {"CMS_CLIENT_SECRET", "sim-secret"}};
  }
  // Every Feed API answer (live and Deleted Feeds) takes `delay`.
  static void slow_feed_answers(const testing::SimProcess& sim, std::chrono::milliseconds delay) {
    const auto reply = sim.post("/_sim/faults", R"({"api":"feed","action":"delay","delay_ms":)" +
                                                    std::to_string(delay.count()) + "}");
    ASSERT_EQ(reply.status, 201) << reply.body;
  }
  // SIGTERM ends the daemon with exit 0 well within engine.shutdown_timeout (5 s in demo.yaml).
  static void expect_prompt_stop(testing::Process& daemon) {
    const auto asked = steady::now();
    daemon.signal(SIGTERM);
    const auto result = daemon.wait(15s);
    const auto took = steady::now() - asked;
    EXPECT_EQ(result.exit_status, 0) << result.err.substr(result.err.size() > 4000 ? result.err.size() - 4000 : 0);
    EXPECT_LT(took, 7s) << "SIGTERM took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms";
  }

  testing::TempDir dir_;
};

// Regression (issue 14): five feeds, two slots, answers that take 300 ms.
TEST_F(ManyFeedsE2E, MoreDueFeedsThanSlotsAreAllPolledWhileTheDaemonIdles) {
  testing::SimProcess sim({"--feeds", "5", "--generate", "3", "--seed", "21"});
  slow_feed_answers(sim, 300ms);
  const auto config = dir_.write("feedsync.yaml", many_feeds_config(5, 2, "2s"));
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config.string()}, env(sim));

  std::map<std::string, int> polls;
  ASSERT_TRUE(every_feed_polled(sim, 5, 1, 30s, &polls)) << "polls per feed: " << polls.size() << " feeds polled";
  // While feeds wait for a slot the daemon waits too: the old scheduler used a whole core here.
  EXPECT_LT(cpu_share(daemon.pid(), 2000ms), 0.5);
  ASSERT_TRUE(every_feed_polled(sim, 5, 2, 30s, &polls));
  expect_prompt_stop(daemon);
}

// Regression (issue 14): a SIGHUP that adds a third feed to a daemon whose two slots are busy
// with slow feeds (seen: locked up within 5 s once feed answers took 700 ms).
TEST_F(ManyFeedsE2E, AFeedAddedBySighupToADaemonAtItsLimitIsPolled) {
  testing::SimProcess sim({"--feeds", "3", "--generate", "2", "--seed", "22"});
  const auto config = dir_.write("feedsync.yaml", many_feeds_config(2, 2, "1s"));
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config.string()}, env(sim));
  ASSERT_TRUE(every_feed_polled(sim, 2, 1, 30s));
  slow_feed_answers(sim, 700ms);  // each poll (live + Deleted Feed) now takes 1.4 s: slots stay busy

  dir_.write("feedsync.yaml", many_feeds_config(3, 2, "1s"));
  daemon.signal(SIGHUP);
  ASSERT_TRUE(daemon.wait_for_stderr("configuration reloaded", 10s)) << daemon.stderr_text();
  std::map<std::string, int> polls;
  ASSERT_TRUE(every_feed_polled(sim, 3, 3, 40s, &polls))
      << "f1 " << polls[sim_feed_id(1)] << ", f2 " << polls[sim_feed_id(2)] << ", f3 " << polls[sim_feed_id(3)];
  EXPECT_LT(cpu_share(daemon.pid(), 2000ms), 0.5);
  expect_prompt_stop(daemon);
}

// Issue 14 item 4: 50 feeds through 2 slots, each polled at least twice; the CMS ends up with
// exactly every article of every feed.
TEST_F(ManyFeedsE2E, FiftyFeedsThroughTwoSlotsAreEachPolledRepeatedly) {
  testing::SimProcess sim({"--feeds", "50", "--generate", "2", "--seed", "23", "--request-log-size", "100000"});
  const auto config = dir_.write("feedsync.yaml", many_feeds_config(50, 2, "2s"));
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config.string()}, env(sim));

  std::map<std::string, int> polls;
  ASSERT_TRUE(every_feed_polled(sim, 50, 2, 90s, &polls)) << polls.size() << " of 50 feeds polled";
  EXPECT_EQ(polls.size(), 50u);
  const auto report = sim.get("/_sim/check?property=Heading&field=title").json().as_object();
  EXPECT_EQ(report.at("counts").at("cms_items").to_number<std::int64_t>(), 100) << boost::json::serialize(report);
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);
  expect_prompt_stop(daemon);
}

}  // namespace
}  // namespace feedsync
