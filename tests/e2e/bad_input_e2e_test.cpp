// Bad input at the edges, end to end (issue 21 item 3): hostile entries in every non-empty page
// the Feed API sends (not objects, timestamps in 1970, 2999 or unparsable). The daemon skips
// each with a warning naming the feed, the entry's position and its guid, writes nothing of them
// to the CMS, keeps its watermark sane (a 2999 entry must not stop later polls from seeing new
// articles) and syncs the real articles around them. The unit tests beside the parser
// (tests/unit/feed/bad_input_test.cpp, page_parser_test.cpp) cover the rest of the list.
#include <chrono>
#include <functional>
#include <optional>
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

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

class BadInputE2E : public ::testing::Test {
 protected:
  // Polls an observable condition until `timeout`, draining the daemon's stderr meanwhile.
  bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    return testing::eventually(condition, timeout, [this] {
      if (daemon_) daemon_->drain();
    });
  }
  boost::json::object check() const {
    return sim_->get("/_sim/check?property=Heading&field=title").json().as_object();
  }
  bool converges(std::int64_t items, std::chrono::milliseconds timeout = 60s) {
    return eventually([&] {
      const auto report = check();
      return report.at("ok").as_bool() && report.at("counts").at("cms_items").to_number<std::int64_t>() == items;
    }, timeout);
  }

  testing::TempDir dir_;
  std::optional<testing::SimProcess> sim_;
  std::optional<testing::Process> daemon_;
};

TEST_F(BadInputE2E, HostileEntriesAreSkippedNamingFeedPositionAndGuidAndNeverWritten) {
  sim_.emplace(std::vector<std::string>{"--generate", "10", "--seed", "41"});
  // Every page with entries gets seven bad ones in front of its first real entry.
  const std::string bad =
      R"("entries":[7,null,"not an object",[],)"
      R"({"content":{"guid":"epoch-guid","title":"x","modified_at":"1970-01-01T00:00:00Z"}},)"
      R"({"content":{"guid":"far-guid","title":"x","modified_at":"2999-01-01T00:00:00Z"}},)"
      R"({"content":{"guid":"garbled-guid","title":"x","modified_at":"soon"}},{)";
  const auto fault = sim_->post("/_sim/faults", R"({"api":"feed","action":"rewrite","find":"\"entries\":[{","replace_hex":")" +
                                                    hex(bad) + R"("})");
  ASSERT_EQ(fault.status, 201) << fault.body;

  const auto config = dir_.write("feedsync.yaml", testing::demo_config());
  daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config.string()},
                  std::map<std::string, std::string>{{"SIM_URL", sim_->base_url()},
                                                     {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
                                                     {"CMS_CLIENT_SECRET", "sim-secret"}});
  EXPECT_TRUE(converges(10)) << boost::json::serialize(check()) << daemon_->stderr_text();
  ASSERT_TRUE(daemon_->wait_for_stderr("guid=garbled-guid", 30s)) << daemon_->stderr_text();
  const std::string err = daemon_->stderr_text();
  EXPECT_THAT(err, HasSubstr("feed entry skipped feed=demo guid=\"\" position=0"));
  EXPECT_THAT(err, HasSubstr("position=3"));
  EXPECT_THAT(err, HasSubstr("guid=epoch-guid position=4"));
  EXPECT_THAT(err, HasSubstr("before 2000-01-01"));
  EXPECT_THAT(err, HasSubstr("guid=far-guid"));
  EXPECT_THAT(err, HasSubstr("more than a day ahead"));
  EXPECT_THAT(err, HasSubstr("guid=garbled-guid position=6"));

  // The far-future entry did not become the watermark: new articles are still found.
  const auto more = sim_->post(std::string("/_sim/feeds/") + kFeed + "/generate", R"({"count":2,"seed":42})");
  ASSERT_EQ(more.status, 201) << more.body;
  EXPECT_TRUE(converges(12)) << boost::json::serialize(check());
  const auto report = check();
  EXPECT_TRUE(report.at("ok").as_bool()) << boost::json::serialize(report);

  daemon_->signal(SIGTERM);
  const auto result = daemon_->wait(30s);
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.err, Not(HasSubstr("poll failed")));
}

}  // namespace
}  // namespace feedsync
