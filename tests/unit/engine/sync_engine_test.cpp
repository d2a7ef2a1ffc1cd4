// The scheduler and the engine around it (SyncEngine) on simulated time, with its clients made by
// a factory over fakes: a Feed API of many in-memory feeds (FakeFeed each) whose answers can be
// slow or failing, a scripted CMS sink (FakeSink), and a real state store on disk. Hours of
// intervals and backoffs pass in milliseconds, and every poll starts at an exact time.
#include "engine/sync_engine.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/url/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "config/live_config.hpp"
#include "engine/clients.hpp"
#include "store/store.hpp"
#include "support/simulated_time_system.hpp"
#include "support/temp_dir.hpp"
#include "unit/engine/fake_sink.hpp"
#include "unit/feed/fake_feed.hpp"

namespace feedsync::engine {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using testing::FakeFeed;
using testing::FakeSink;
using testing::SimulatedTimeSystem;

constexpr std::int64_t kNewest = 1'795'348'000'000;  // shortly before the simulated clock's start

// The Feed API of every feed, routed by feed id; per feed a latency on simulated time and a
// switch that makes it answer 503. Counts the requests in flight (each running poll has exactly
// one in flight whenever the loop is idle, so this is the number of polls at once).
class FeedApi final : public net::HttpClient {
 public:
  explicit FeedApi(net::TimeSystem& time) : time_(time) {}

  std::map<std::string, FakeFeed> feeds;                // by feed id, made on first request
  std::map<std::string, milliseconds> latency;          // by feed id; none: answers at once
  std::set<std::string> failing;                        // feed ids answering 503
  std::size_t max_in_flight() const { return max_in_flight_; }

  asio::awaitable<net::Result> send(net::Request request) override {
    const std::string id = feed_id(request.url);
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    if (auto it = latency.find(id); it != latency.end()) {
      auto timer = time_.make_timer(co_await asio::this_coro::executor);
      co_await timer->wait_for(it->second);
    }
    --in_flight_;
    if (failing.contains(id)) co_return net::Response{503, {}, "unavailable"};
    auto& feed = feeds[id];
    feed.feed_id = id;
    co_return feed.serve(request);
  }

 private:
  static std::string feed_id(const std::string& url) {
    const std::string path(boost::urls::parse_absolute_uri(url).value().path());
    return path.substr(path.find_last_of('/') + 1);
  }

  net::TimeSystem& time_;
  std::size_t in_flight_ = 0, max_in_flight_ = 0;
};

// One finished poll: which feed, when it started and ended (simulated steady time), whether it
// worked.
struct Poll {
  std::string feed;
  SteadyTime started, ended;
  bool ok = false;
};

struct FeedSpec {
  std::string name;
  std::string interval = "60s";
  std::string keys = {};  // more keys of the feed, each line indented by 4
};

class SyncEngineTest : public ::testing::Test {
 protected:
  SyncEngineTest()
      : store_(store::Store::open(dir_ / "state.db", {.access = store::Access::exclusive})),
        start_(time_.steady_now()),
        system_start_(time_.system_now()) {
    sink_.time = &time_;
  }

  ~SyncEngineTest() override {
    if (!engine_) return;
    engine_->stop();
    bool drained = false;
    asio::co_spawn(io_, engine_->drain(1min), [&](std::exception_ptr, bool) { drained = true; });
    EXPECT_TRUE(time_.run_until(io_, [&] { return drained && stopped_; })) << "the engine did not stop";
  }

  static std::string config_yaml(const std::vector<FeedSpec>& feeds, int slots, const std::string& engine_extra) {
    std::string yaml =
        "cms:\n"
        "  base_url: https://cms.example.test/_cms/version2\n"
        "  token_url: https://cms.example.test/_cms/version2/oauth/token\n"
        "  client_id: feedsync\n"
        "  client_secret: ${CMS_SECRET}\n"
        "source:\n"
        "  base_url: https://feeds.example.test\n"
        "canonical:\n"
        "  url_template: \"https://www.example.com/{locale}/{route_segment}\"\n"
        "engine:\n"
        "  max_concurrent_polls: " + std::to_string(slots) + "\n" + engine_extra + "feeds:\n";
    for (const auto& feed : feeds) {
      yaml += "  - name: " + feed.name + "\n    feed_id: id" + feed.name + "\n    interval: " + feed.interval +
              "\n    full_scan_interval: 1h\n    content_type: ArticlePage\n"
              "    container: 98eb33cfa7df48d1b987442c522984c8\n    locale: en\n" + feed.keys +
              "    mapping:\n      displayName: title\n      routeSegment: title | slug\n";
    }
    return yaml;
  }

  static config::Environment secret_env() {
    return {[](const std::string& name) -> std::optional<std::string> {
      if (name == "CMS_SECRET") return "secret";
      return std::nullopt;
    }};
  }

  static std::shared_ptr<const config::Config> config(const std::vector<FeedSpec>& feeds, int slots = 4,
                                                      const std::string& engine_extra = "") {
    return std::make_shared<const config::Config>(
        config::load_config_from_string(config_yaml(feeds, slots, engine_extra), "feedsync.yaml", secret_env()));
  }

  static std::vector<FeedSpec> numbered_feeds(int count, const std::string& interval = "60s") {
    std::vector<FeedSpec> feeds;
    for (int i = 0; i < count; ++i) feeds.push_back({"feed" + std::to_string(100 + i), interval});
    return feeds;
  }

  // Clients over the fakes; counts how many sets were made (one at start, one per reload).
  ClientsFactory fake_clients() {
    return [this](const config::Config& config) {
      ++clients_made_;
      std::shared_ptr<cms::CmsSink> sink(std::shared_ptr<void>{}, &sink_);  // not owned
      return std::make_shared<Clients>(api_, config, time_, std::move(sink));
    };
  }

  // Makes the engine and starts run(); polls are recorded as they finish.
  void run(std::shared_ptr<const config::Config> config) {
    live_ = std::make_unique<config::LiveConfig>(std::move(config));
    engine_ = std::make_unique<SyncEngine>(io_.get_executor(), store_, *live_, time_, EngineObservers{}, fake_clients());
    engine_->on_cycle = [this](const FeedOutcome& outcome) {
      polls_.push_back({outcome.feed, start_ + (outcome.started_at - system_start_), time_.steady_now(), outcome.ok});
    };
    asio::co_spawn(io_, engine_->run(), [this](std::exception_ptr error) {
      stopped_ = true;
      if (error) std::rethrow_exception(error);
    });
    time_.run_ready(io_);
  }

  std::vector<SteadyTime> starts_of(const std::string& feed) const {
    std::vector<SteadyTime> starts;
    for (const auto& poll : polls_)
      if (poll.feed == feed) starts.push_back(poll.started);
    return starts;
  }

  static std::vector<milliseconds> gaps(const std::vector<SteadyTime>& starts) {
    std::vector<milliseconds> between;
    for (std::size_t i = 1; i < starts.size(); ++i)
      between.push_back(std::chrono::duration_cast<milliseconds>(starts[i] - starts[i - 1]));
    return between;
  }

  std::vector<std::string> feeds_polled_since(std::size_t first) const {
    std::vector<std::string> names;
    for (auto i = first; i < polls_.size(); ++i) names.push_back(polls_[i].feed);
    return names;
  }

  milliseconds since_start(SteadyTime at) const { return std::chrono::duration_cast<milliseconds>(at - start_); }

  testing::TempDir dir_{testing::TempDir::Backing::memory};
  SimulatedTimeSystem time_;  // before everything that makes timers from it
  asio::io_context io_;
  FeedApi api_{time_};
  FakeSink sink_;
  store::Store store_;
  const SteadyTime start_;
  const std::chrono::system_clock::time_point system_start_;
  int clients_made_ = 0;
  std::vector<Poll> polls_;
  bool stopped_ = false;
  std::unique_ptr<config::LiveConfig> live_;  // outlives the engine, which reads it
  std::unique_ptr<SyncEngine> engine_;  // last: destroyed first
};

// At start every feed is due: they go in configuration order. Later the most overdue feed goes
// first, whatever the configuration order.
TEST_F(SyncEngineTest, FeedsArePolledInDueOrder) {
  // One slot; `hog` holds it for 10 minutes while `slow` (due 90-110 s) and `quick` (due 54-66 s)
  // fall due behind it.
  api_.latency["idhog"] = 10min;
  run(config({{"slow", "100s"}, {"quick", "60s"}, {"hog", "60s"}}, /*slots=*/1));
  EXPECT_THAT(feeds_polled_since(0), ::testing::ElementsAre("slow", "quick"));
  ASSERT_TRUE(time_.run_until(io_, [&] { return polls_.size() >= 5; }));
  EXPECT_THAT(feeds_polled_since(2), ::testing::ElementsAre("hog", "quick", "slow"));
  EXPECT_EQ(polls_[3].started, polls_[2].ended) << "the slot is handed on at once";
}

TEST_F(SyncEngineTest, EachFeedIsPolledEveryIntervalWithinTenPercentJitter) {
  run(config(numbered_feeds(10)));
  time_.advance_and_run(io_, 20min);
  std::vector<milliseconds> all;
  for (int i = 0; i < 10; ++i) {
    const auto name = "feed" + std::to_string(100 + i);
    const auto starts = starts_of(name);
    ASSERT_GE(starts.size(), 19u) << name;
    EXPECT_EQ(starts.front(), start_) << name;
    for (const auto gap : gaps(starts)) {
      EXPECT_GE(gap, 54s) << name;
      EXPECT_LE(gap, 66s) << name;
      all.push_back(gap);
    }
  }
  // Jittered, not in lockstep: ~190 draws spread over most of the 12 s the jitter allows.
  const auto [low, high] = std::minmax_element(all.begin(), all.end());
  EXPECT_GE(*high - *low, 8s);
}

// Capped exponential backoff (engine.max_poll_backoff) while the Feed API fails, never giving
// up, and the plain interval again after the first success.
TEST_F(SyncEngineTest, AFailingFeedBacksOffExponentiallyUpToTheCapThenRecovers) {
  api_.failing.insert("idblog");
  run(config({{"blog", "60s"}}, 4, "  max_poll_backoff: 5m\n"));
  ASSERT_TRUE(time_.run_until(io_, [&] { return polls_.size() == 6; }));
  api_.failing.clear();
  ASSERT_TRUE(time_.run_until(io_, [&] { return polls_.size() == 8; }));
  for (std::size_t i = 0; i < 6; ++i) EXPECT_FALSE(polls_[i].ok) << i;
  EXPECT_TRUE(polls_[6].ok && polls_[7].ok);
  const auto between = gaps(starts_of("blog"));
  // After 1, 2, 3 failures: 60 s, 120 s, 240 s, each ±10 %; then the 5-minute cap, jittered
  // below it (never above).
  const std::vector<std::pair<milliseconds, milliseconds>> expected{
      {54s, 66s}, {108s, 132s}, {216s, 264s}, {270s, 300s}, {270s, 300s}, {270s, 300s}, {54s, 66s}};
  ASSERT_EQ(between.size(), expected.size());
  for (std::size_t i = 0; i < between.size(); ++i) {
    EXPECT_GE(between[i], expected[i].first) << "gap " << i;
    EXPECT_LE(between[i], expected[i].second) << "gap " << i;
  }
}

TEST_F(SyncEngineTest, APausedFeedIsSkippedUntilResumed) {
  store_.ensure_feed("paused", "idpaused");
  store_.set_paused("paused", true);
  run(config({{"active", "60s"}, {"paused", "60s"}}));
  time_.advance_and_run(io_, 5min);
  EXPECT_TRUE(starts_of("paused").empty());
  EXPECT_GE(starts_of("active").size(), 5u);

  // `feedsyncd resume` only changes the store: the scheduler reads it at most a second old and
  // looks at a paused feed again every second.
  store_.set_paused("paused", false);
  const auto resumed = time_.steady_now();
  time_.advance_and_run(io_, 3s);
  ASSERT_EQ(starts_of("paused").size(), 1u);
  EXPECT_LE(starts_of("paused")[0] - resumed, 2s);

  // And a pause takes effect as soon.
  store_.set_paused("active", true);
  const auto paused = time_.steady_now();
  time_.advance_and_run(io_, 5min);
  for (const auto start : starts_of("active")) EXPECT_LE(start, paused + 2s);
}

TEST_F(SyncEngineTest, ATriggerJumpsTheQueue) {
  // One slot held by `hog` for 10 minutes; `a`, `b` and `c` are due after a minute. `c` is
  // triggered: it goes first when the slot frees, ahead of the feeds that are merely due.
  api_.latency["idhog"] = 10min;
  run(config({{"a", "60s"}, {"b", "60s"}, {"c", "60s"}, {"hog", "60s"}}, /*slots=*/1));
  EXPECT_THAT(feeds_polled_since(0), ::testing::ElementsAre("a", "b", "c"));
  time_.advance_and_run(io_, 2min);
  engine_->trigger("c");
  engine_->trigger("no-such-feed");  // ignored (logged)
  ASSERT_TRUE(time_.run_until(io_, [&] { return polls_.size() == 7; }));
  // Then `a` and `b`, in the order their jittered due times put them.
  EXPECT_THAT(feeds_polled_since(3), ::testing::ElementsAre("hog", "c", ::testing::_, ::testing::_));
}

TEST_F(SyncEngineTest, ATriggeredFeedIsPolledAtOnceWhenASlotIsFree) {
  run(config({{"hourly", "1h"}}));
  ASSERT_EQ(polls_.size(), 1u);
  time_.advance_and_run(io_, 10min);
  engine_->trigger("hourly");
  time_.run_ready(io_);
  ASSERT_EQ(polls_.size(), 2u);
  EXPECT_EQ(polls_[1].started, start_ + 10min);
}

// Webhook poll requests (issue 19): a burst within webhooks.cmp.coalesce of the first costs one
// poll, polled when the window closes, not at the feed's interval.
TEST_F(SyncEngineTest, ABurstOfPollRequestsCostsOnePollAtTheEndOfTheWindow) {
  run(config({{"hourly", "1h"}, {"other", "1h"}}, 4, "webhooks:\n  cmp:\n    coalesce: 200ms\n"));
  ASSERT_EQ(polls_.size(), 2u);
  time_.advance_and_run(io_, 10min);
  const auto first = time_.steady_now();
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(engine_->request_poll("hourly"));
    time_.advance_and_run(io_, 1ms);
  }
  EXPECT_FALSE(engine_->request_poll("no-such-feed"));
  time_.advance_and_run(io_, 1s);
  ASSERT_EQ(starts_of("hourly").size(), 2u) << "one poll for the whole burst";
  EXPECT_EQ(starts_of("hourly")[1], first + 200ms);
  EXPECT_EQ(starts_of("other").size(), 1u) << "a request for one feed polls only that feed";

  // The next request after the window is a poll of its own; request_poll_all asks for every feed.
  engine_->request_poll_all();
  time_.advance_and_run(io_, 1s);
  EXPECT_EQ(starts_of("hourly").size(), 3u);
  EXPECT_EQ(starts_of("other").size(), 2u);
}

// A CMP webhook burst to /hooks/cmp (every feed, issue 19) with more feeds than poll slots: the
// burst is coalesced per feed and queued, so every feed is polled once more, none dropped, and
// never more than max_concurrent_polls at once.
TEST_F(SyncEngineTest, ABurstForEveryFeedPollsEachFeedOnceWithinTheSlots) {
  const auto feeds = numbered_feeds(12, "1h");
  for (const auto& feed : feeds) api_.latency["id" + feed.name] = 1s;
  run(config(feeds, /*slots=*/2, "webhooks:\n  cmp:\n    coalesce: 200ms\n"));
  ASSERT_TRUE(time_.run_until(io_, [&] { return polls_.size() == 12; }));  // the first round
  time_.advance_and_run(io_, 10min);
  const auto first = time_.steady_now();
  for (int i = 0; i < 100; ++i) {  // duplicates inside the window
    engine_->request_poll_all();
    time_.advance_and_run(io_, 1ms);
  }
  // 12 polls of 1 s, 2 at a time: all done 6 s after the window closes; the interval is an hour.
  time_.advance_and_run(io_, 1min);
  EXPECT_EQ(api_.max_in_flight(), 2u);
  std::vector<std::string> polled_again;
  for (const auto& poll : polls_) {
    if (poll.started < first) continue;
    polled_again.push_back(poll.feed);
    EXPECT_GE(poll.started, first + 200ms) << poll.feed << ": not before the window closed";
    EXPECT_TRUE(poll.ok) << poll.feed;
  }
  std::vector<std::string> expected;
  for (const auto& feed : feeds) expected.push_back(feed.name);
  EXPECT_THAT(polled_again, ::testing::UnorderedElementsAreArray(expected)) << "each feed once, none dropped";
}

// A request while the feed's poll is in flight is not lost: one more poll follows that one.
TEST_F(SyncEngineTest, APollRequestDuringAPollGivesOneMorePollAfterIt) {
  api_.latency["idhourly"] = 5s;
  run(config({{"hourly", "1h"}}, 4, "webhooks:\n  cmp:\n    coalesce: 0s\n"));
  time_.advance_and_run(io_, 2s);  // the first poll is in flight
  ASSERT_TRUE(polls_.empty());
  for (int i = 0; i < 10; ++i) engine_->request_poll("hourly");
  time_.advance_and_run(io_, 1min);
  ASSERT_EQ(starts_of("hourly").size(), 2u);
  EXPECT_EQ(polls_[1].started, polls_[0].ended);
}

// 50 feeds share 4 slots: never more than 4 polls at once, and every feed is still polled every
// interval (each poll takes a few seconds: 50 of them fit in a minute 4 at a time).
TEST_F(SyncEngineTest, MaxConcurrentPollsIsRespectedAndEveryFeedStillPolledEveryInterval) {
  const auto feeds = numbered_feeds(50);
  for (const auto& feed : feeds) api_.latency["id" + feed.name] = 1s;
  run(config(feeds, /*slots=*/4));
  time_.advance_and_run(io_, 10min);
  EXPECT_EQ(api_.max_in_flight(), 4u);
  for (const auto& feed : feeds) {
    const auto starts = starts_of(feed.name);
    ASSERT_GE(starts.size(), 9u) << feed.name;
    // At worst a feed falls due just behind every other: 49 polls of 1 s ahead, 4 at a time.
    for (const auto gap : gaps(starts)) EXPECT_LE(gap, 66s + 13s) << feed.name;
  }
}

// A reload builds new clients and a new relay; the CMS work queued before it is carried out
// through them, feeds already scheduled keep their place, and a new feed is polled at once.
TEST_F(SyncEngineTest, AReloadKeepsQueuedWorkAndTheSchedule) {
  api_.feeds["idblog"].add(3, kNewest);
  for (int i = 0; i < 3; ++i) sink_.upsert_script.push_back(FakeSink::error(cms::CmsErrorKind::retryable, 503, "down"));
  run(config({{"blog", "60s"}}));
  ASSERT_EQ(polls_.size(), 1u);
  time_.advance_and_run(io_, 10ms);
  EXPECT_EQ(store_.outbox_stats().total.pending, 3) << "waiting out a backoff";
  EXPECT_EQ(engine_->progress().writes.retried, 3u);

  engine_->reload(config({{"blog", "60s"}, {"added", "60s"}}));
  time_.run_ready(io_);
  EXPECT_EQ(clients_made_, 2);
  EXPECT_THAT(feeds_polled_since(1), ::testing::ElementsAre("added"));
  ASSERT_TRUE(time_.run_until(io_, [&] {
    const auto outbox = store_.outbox_stats().total;
    return outbox.pending + outbox.inflight == 0;
  }, 1min));
  EXPECT_EQ(store_.outbox_stats().total.dead, 0);
  for (const auto& article : store_.articles("blog")) EXPECT_TRUE(article.cms_version) << article.guid;
  EXPECT_EQ(sink_.calls().size(), 6u);
  EXPECT_EQ(starts_of("blog").size(), 1u) << "not polled again by the reload";

  // progress() counts the writes of the relay the reload retired, even once it is gone.
  time_.advance_and_run(io_, 5s);
  const auto writes = engine_->progress().writes;
  EXPECT_EQ(writes.created, 3u);
  EXPECT_EQ(writes.retried, 3u);
}

// feeds[].route_segment reaches the relay from the configuration (issue 16): a title edit moves
// the segment of a feed that follows the mapping, not that of a feed that keeps it.
TEST_F(SyncEngineTest, RouteSegmentFollowInTheConfigurationReachesTheRelay) {
  api_.feeds["idkept"].add(1, kNewest);
  api_.feeds["idmoved"].add(1, kNewest);
  run(config({{"kept", "60s", "    route_segment: keep\n"}, {"moved", "60s", "    route_segment: follow\n"}}));
  ASSERT_TRUE(time_.run_until(io_, [&] { return sink_.calls().size() == 2; }, 1min));
  for (const char* id : {"idkept", "idmoved"}) {
    auto& article = api_.feeds[id].articles.at(0);
    article.title = "New title";
    article.modified_at += 5000;
  }
  ASSERT_TRUE(time_.run_until(io_, [&] { return sink_.calls().size() == 4; }, 5min));
  std::map<std::string, std::optional<std::string>> sent;  // feed -> segment of its second write
  for (std::size_t i = 2; i < 4; ++i) sent[sink_.calls()[i].article.feed] = sink_.calls()[i].document.route_segment;
  EXPECT_EQ(sent["kept"], "title");
  EXPECT_EQ(sent["moved"], "new-title");
}

}  // namespace
}  // namespace feedsync::engine
