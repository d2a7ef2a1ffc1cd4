// Issue 6, remaining acceptance: scheduled publishing in both dialects and the flat dialect's
// merge-patch fallback, against feedsync-sim over loopback sockets. Time moves through the
// simulator's control API (POST /_sim/clock), which the sink's "is it ahead?" reads as well.
// Every test also checks that no request of the run was answered 415.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "integration/cms_sim_stack.hpp"

namespace feedsync::integration {
namespace {

class ScheduleTest : public ::testing::Test {
 protected:
  template <class F>
  void start(F tweak) {
    StackOptions options;
    tweak(options);
    stack_ = std::make_unique<CmsSimStack>(std::move(options));
  }
  CmsSimStack& s() { return *stack_; }

  void TearDown() override {
    if (!stack_) return;
    EXPECT_EQ(stack_->requests_with_status(415), 0u) << json::serialize(stack_->counters());
    stack_.reset();
  }

  void advance_clock(int seconds) {
    auto [status, body] = s().control(net::Method::post, "/_sim/clock", {{"advance_s", seconds}});
    ASSERT_EQ(status, 200) << json::serialize(body);
  }
  // The version's status in the simulator's store ("" when there is no such version).
  std::string status_of(const std::string& key, const std::string& version) {
    auto item = s().cms_item(key);
    if (!item) return "";
    for (const auto& v : item->at("versions").as_array())
      if (v.as_object().at("version").as_string() == version) return std::string(v.at("status").as_string());
    return "";
  }
  // Statuses of a route in the request log: {"201": 1, ...}.
  json::object route_statuses(const std::string& route) {
    const json::object all = s().counters();
    const auto* counter = all.at("routes").as_object().if_contains(route);
    return counter ? counter->at("statuses").as_object() : json::object{};
  }

  std::unique_ptr<CmsSimStack> stack_;
};

class Scheduling : public ScheduleTest, public ::testing::WithParamInterface<config::CmsApi> {};

TEST_P(Scheduling, AFutureTimeIsScheduledAndPublishedWhenTheClockPassesIt) {
  start([&](StackOptions& o) { o.api = GetParam(); });
  const std::string key = test_key(1);
  const std::string at = s().sim_time(std::chrono::hours(1));

  auto written = s().upsert(scheduled_request(key, "Ad day", false, json::value(at)));
  ASSERT_TRUE(written.has_value()) << written.error().message;
  EXPECT_EQ(written->status, cms::WriteStatus::scheduled);  // the engine posts no canonical link for this
  EXPECT_TRUE(written->created);
  auto item = s().cms_item(key);
  ASSERT_TRUE(item.has_value());
  const json::object& version = item->at("versions").at(0).as_object();
  EXPECT_EQ(version.at("status").as_string(), "scheduled") << json::serialize(*item);
  EXPECT_EQ(version.at("delayPublishUntil").as_string(), at);

  advance_clock(1800);
  EXPECT_EQ(status_of(key, written->version), "scheduled");
  advance_clock(1801);
  EXPECT_EQ(status_of(key, written->version), "published");
}

TEST_P(Scheduling, APastOrMissingTimePublishesAtOnce) {
  start([&](StackOptions& o) { o.api = GetParam(); });
  const std::pair<int, json::value> cases[] = {{1, json::value(s().sim_time(-std::chrono::hours(1)))},
                                               {2, json::value(nullptr)}};
  for (const auto& [n, at] : cases) {
    auto written = s().upsert(scheduled_request(test_key(n), "Old news", false, at));
    ASSERT_TRUE(written.has_value()) << written.error().message;
    EXPECT_EQ(written->status, cms::WriteStatus::published);
    EXPECT_EQ(status_of(test_key(n), written->version), "published");
  }
}

TEST_P(Scheduling, ANewTimeReplacesTheOldScheduleInsteadOfAddingOne) {
  start([&](StackOptions& o) { o.api = GetParam(); });
  const std::string key = test_key(3);
  auto first = s().upsert(scheduled_request(key, "First", false, json::value(s().sim_time(std::chrono::hours(2)))));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_EQ(first->status, cms::WriteStatus::scheduled);

  // The editor moves the date earlier: a new version with the new time; the first one must not
  // publish its old content later.
  auto moved = s().upsert(scheduled_request(key, "Second", true, json::value(s().sim_time(std::chrono::hours(1)))));
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_EQ(moved->status, cms::WriteStatus::scheduled);
  EXPECT_EQ(status_of(key, first->version), "draft");
  EXPECT_EQ(status_of(key, moved->version), "scheduled");

  advance_clock(3 * 3600);
  EXPECT_EQ(status_of(key, moved->version), "published");
  EXPECT_EQ(status_of(key, first->version), "draft");

  // Then the date is removed: published at once, nothing left scheduled.
  auto now = s().upsert(scheduled_request(key, "Third", true, nullptr));
  ASSERT_TRUE(now.has_value()) << now.error().message;
  EXPECT_EQ(now->status, cms::WriteStatus::published);
  EXPECT_EQ(status_of(key, moved->version), "previous");
}

INSTANTIATE_TEST_SUITE_P(BothDialects, Scheduling, ::testing::Values(config::CmsApi::version2, config::CmsApi::v1),
                         [](const auto& info) { return info.param == config::CmsApi::v1 ? "v1" : "version2"; });

// ---- The merge-patch fallback against a stricter flat service ---------------------------------

TEST_F(ScheduleTest, AServiceRefusingStatusOnCreateGetsDraftsAndMergePatches) {
  start([](StackOptions& o) { o.refuse_status_on_create = true; });
  const std::string key = test_key(10);
  auto created = s().upsert(upsert_request(key, "Strict", false));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->status, cms::WriteStatus::published);
  EXPECT_EQ(status_of(key, created->version), "published");
  // One refused create naming `status` (400), the draft create, the PATCH that published it.
  EXPECT_EQ(route_statuses("POST /_cms/version2/content"), (json::object{{"400", 1}, {"201", 1}}));
  EXPECT_EQ(route_statuses("PATCH /_cms/version2/content/{key}/versions/{version}"), (json::object{{"200", 1}}));

  // The sink remembers: the next version goes straight to draft + PATCH, no second refusal.
  auto updated = s().upsert(upsert_request(key, "Strict again", true));
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(updated->status, cms::WriteStatus::published);
  EXPECT_EQ(route_statuses("POST /_cms/version2/content/{key}/versions"), (json::object{{"201", 1}}));
  EXPECT_EQ(s().requests_with_status(400), 1u);

  // Scheduling goes the same way: the time travels in the merge patch.
  const std::string at = s().sim_time(std::chrono::hours(1));
  auto scheduled = s().upsert(scheduled_request(key, "Strict later", true, json::value(at)));
  ASSERT_TRUE(scheduled.has_value()) << scheduled.error().message;
  EXPECT_EQ(scheduled->status, cms::WriteStatus::scheduled);
  EXPECT_EQ(status_of(key, scheduled->version), "scheduled");
  advance_clock(3601);
  EXPECT_EQ(status_of(key, scheduled->version), "published");
  EXPECT_EQ(s().requests_with_status(400), 1u);
}

TEST_F(ScheduleTest, TheRefusalCanBeSwitchedOnThroughTheControlApi) {
  start([](StackOptions&) {});
  auto [status, body] = s().control(net::Method::put, "/_sim/cms/refuse-status-on-create", {{"enabled", true}});
  ASSERT_EQ(status, 200) << json::serialize(body);
  auto created = s().upsert(upsert_request(test_key(11), "Strict", false));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->status, cms::WriteStatus::published);
  EXPECT_EQ(s().requests_with_status(400), 1u);

  auto bad = s().control(net::Method::put, "/_sim/cms/refuse-status-on-create", {{"enabled", "yes"}});
  EXPECT_EQ(bad.first, 400);
}

}  // namespace
}  // namespace feedsync::integration
