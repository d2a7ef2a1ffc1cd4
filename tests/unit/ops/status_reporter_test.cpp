// The STATUS= reporter on simulated time: the line at start, then once per period and only
// when it changed, nothing after stop().
#include "ops/status_reporter.hpp"

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "support/simulated_time_system.hpp"

namespace feedsync::ops {
namespace {

using namespace std::chrono_literals;

class StatusReporterTest : public ::testing::Test {
 protected:
  StatusReporterTest()
      : reporter_(io_.get_executor(), time_, [this] { return summary_; },
                  [this](std::string_view line) { sent_.emplace_back(line); }) {}

  boost::asio::io_context io_;
  feedsync::testing::SimulatedTimeSystem time_;
  std::string summary_ = "3 feeds";
  std::vector<std::string> sent_;
  StatusReporter reporter_;
};

TEST_F(StatusReporterTest, SendsAtStartThenOnlyChangesAtMostOncePerSecond) {
  reporter_.start();
  EXPECT_EQ(sent_, std::vector<std::string>{"3 feeds"});
  time_.advance_and_run(io_, 5s);
  EXPECT_EQ(sent_.size(), 1u);  // unchanged: nothing more

  summary_ = "3 feeds, 1 failing";
  time_.advance_and_run(io_, 400ms);
  EXPECT_EQ(sent_.size(), 1u);  // not before the next beat
  summary_ = "3 feeds, 2 failing";
  time_.advance_and_run(io_, 600ms);
  EXPECT_EQ(sent_, (std::vector<std::string>{"3 feeds", "3 feeds, 2 failing"}));  // the latest, once
}

TEST_F(StatusReporterTest, NothingIsSentAfterStop) {
  reporter_.start();
  summary_ = "stopping";
  reporter_.stop();
  time_.advance_and_run(io_, 10s);
  EXPECT_EQ(sent_, std::vector<std::string>{"3 feeds"});
}

}  // namespace
}  // namespace feedsync::ops
