// The pending canonical check on simulated time, against a fake CMS lookup and a real store: it
// asks about waiting articles once per interval, and an article found published is recorded and
// its canonical op queued once.
#include "engine/pending_canonical_check.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "cms/cms_sink.hpp"
#include "core/outbox_payload.hpp"
#include "store/store.hpp"
#include "support/simulated_time_system.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::engine {
namespace {

using namespace std::chrono_literals;

// Answers from `published` (by content key); records every key asked about.
class FakePublishedSource final : public cms::PublishedVersionSource {
 public:
  boost::asio::awaitable<cms::PublishedResult> published_version(cms::ArticleRef article, std::string locale) override {
    asked.push_back(article.key + "/" + locale);
    auto found = published.find(article.key);
    if (found == published.end()) co_return std::optional<cms::PublishedVersionInfo>{};
    co_return std::optional<cms::PublishedVersionInfo>{found->second};
  }
  std::map<std::string, cms::PublishedVersionInfo> published;
  std::vector<std::string> asked;
};

class PendingCanonicalCheckTest : public ::testing::Test {
 protected:
  PendingCanonicalCheckTest() : store_(store::Store::open(dir_ / "state.db", {.access = store::Access::exclusive})) {
    store_.ensure_feed("blog", "feed1");
  }
  void article(const std::string& guid, std::optional<std::string> cms_status,
               std::optional<std::int64_t> publish_at = std::nullopt, std::optional<std::string> meta_url = std::nullopt) {
    store::ArticleRow row;
    row.publish_at = publish_at;
    row.meta_url = std::move(meta_url);
    row.feed = "blog";
    row.guid = guid;
    row.title = guid;
    row.pixel_key = "PIXEL-" + guid;
    row.cms_key = "key-" + guid;
    row.cms_version = "1";
    row.cms_status = std::move(cms_status);
    store_.upsert_article(row);
  }
  PendingCheckOptions options() {
    PendingCheckOptions o;
    o.interval = 60s;
    o.url_template = "https://www.example.com/{locale}/{route_segment}";
    o.locale_of = [](std::string_view feed) -> std::optional<std::string> {
      if (feed == "blog") return "en";
      return std::nullopt;
    };
    o.on_queued = [this] { ++wakes_; };
    return o;
  }
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time_.system_now().time_since_epoch()).count();
  }
  std::vector<store::OutboxOp> queued() {
    return store_.claim_due(std::numeric_limits<std::int64_t>::max() / 2, 100);
  }

  testing::TempDir dir_{testing::TempDir::Backing::memory};
  store::Store store_;
  testing::SimulatedTimeSystem time_;
  boost::asio::io_context io_;
  FakePublishedSource cms_;
  int wakes_ = 0;
};

TEST_F(PendingCanonicalCheckTest, AsksOncePerIntervalAndQueuesTheLinkOfWhatWasPublished) {
  article("a1", "draft");
  article("a2", "ready");
  article("a3", "published");  // live already: never asked about
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, options());
  bool done = false;
  boost::asio::co_spawn(io_, check.run(), [&](std::exception_ptr) { done = true; });
  ASSERT_TRUE(time_.run_until(io_, [&] { return cms_.asked.size() == 2; }));
  EXPECT_EQ(cms_.asked, (std::vector<std::string>{"key-a1/en", "key-a2/en"}));

  cms_.published["key-a1"] = {"2", "live-a1"};
  time_.advance_and_run(io_, 30s);  // half an interval: nobody is asked
  EXPECT_EQ(cms_.asked.size(), 2u);
  EXPECT_TRUE(queued().empty());

  time_.advance_and_run(io_, 30s);
  ASSERT_EQ(cms_.asked.size(), 4u);
  const auto a1 = store_.article("blog", "a1");
  EXPECT_EQ(a1->cms_status, "published");
  EXPECT_EQ(a1->cms_version, "2");
  EXPECT_EQ(a1->route_segment, "live-a1");
  auto ops = queued();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].guid, "a1");
  EXPECT_EQ(ops[0].op, store::OpKind::canonical);
  EXPECT_EQ(ops[0].payload_hash, "https://www.example.com/en/live-a1");
  EXPECT_EQ(wakes_, 1);

  time_.advance_and_run(io_, 60s);  // a1 is published: only a2 is asked about again
  EXPECT_EQ(cms_.asked.back(), "key-a2/en");
  EXPECT_EQ(cms_.asked.size(), 5u);
  EXPECT_EQ(wakes_, 1);
  check.stop();
  EXPECT_TRUE(time_.run_until(io_, [&] { return done; }));
}

// translations: group (issue 23): a feed with locale_map has no feed locale (never asked about
// before), but a translation's row knows its own: that locale is asked about, and its link
// goes to that locale's URL.
TEST_F(PendingCanonicalCheckTest, ATranslationIsAskedAboutInItsOwnLocale) {
  store_.ensure_feed("news", "feed2");
  store::ArticleRow row;
  row.feed = "news";
  row.guid = "de1";
  row.title = "de1";
  row.pixel_key = "PIXEL-de1";
  row.cms_key = "item";
  row.cms_version = "1";
  row.cms_status = "draft";
  row.locale = "de";
  store_.upsert_article(row);
  row.guid = "x1";  // no locale of its own, and the feed has none: not asked about
  row.locale.reset();
  store_.upsert_article(row);
  cms_.published["item"] = {"2", "auf-deutsch"};
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, options());
  bool done = false;
  boost::asio::co_spawn(io_, check.run(), [&](std::exception_ptr) { done = true; });
  ASSERT_TRUE(time_.run_until(io_, [&] { return !cms_.asked.empty(); }));
  EXPECT_EQ(cms_.asked, (std::vector<std::string>{"item/de"}));
  auto ops = queued();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].payload_hash, "https://www.example.com/de/auf-deutsch");
  check.stop();
  EXPECT_TRUE(time_.run_until(io_, [&] { return done; }));
}

// A CMS webhook (issue 19): the item it names is asked about at once, not at the next interval;
// the others keep their schedule; a request without a key asks about every waiting article.
TEST_F(PendingCanonicalCheckTest, ARequestAsksAboutTheItemAtOnce) {
  article("a1", "draft");
  article("a2", "draft");
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, options());
  bool done = false;
  boost::asio::co_spawn(io_, check.run(), [&](std::exception_ptr) { done = true; });
  ASSERT_TRUE(time_.run_until(io_, [&] { return cms_.asked.size() == 2; }));

  time_.advance_and_run(io_, 10s);
  cms_.published["key-a2"] = {"2", "live-a2"};
  const auto asked_at = time_.steady_now();
  check.request("key-a2");
  check.request("key-a2");  // a duplicate delivery
  check.request("key-unknown");
  ASSERT_TRUE(time_.run_until(io_, [&] { return cms_.asked.size() == 3; }));
  EXPECT_EQ(cms_.asked.back(), "key-a2/en");
  EXPECT_EQ(time_.steady_now(), asked_at) << "no wait for the interval";
  EXPECT_EQ(store_.article("blog", "a2")->cms_status, "published");
  ASSERT_EQ(queued().size(), 1u);
  time_.advance_and_run(io_, 1s);
  EXPECT_EQ(cms_.asked.size(), 3u) << "a1 keeps its schedule, a2 is done, the unknown key is dropped";

  check.request(std::nullopt);
  ASSERT_TRUE(time_.run_until(io_, [&] { return cms_.asked.size() == 4; }));
  EXPECT_EQ(cms_.asked.back(), "key-a1/en");
  check.stop();
  EXPECT_TRUE(time_.run_until(io_, [&] { return done; }));
}

// Issue 19, item 2: a scheduled article is asked about shortly after its time (kAfterScheduledTime),
// not at the next interval, and not before its time.
TEST_F(PendingCanonicalCheckTest, AScheduledArticleIsAskedShortlyAfterItsTime) {
  const std::int64_t at = now_ms() + 10 * 60'000;
  article("s1", "scheduled", at);
  auto o = options();
  o.interval = 1h;
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, o);
  bool done = false;
  boost::asio::co_spawn(io_, check.run(), [&](std::exception_ptr) { done = true; });
  ASSERT_TRUE(time_.run_until(io_, [&] { return cms_.asked.size() == 1; }));  // never asked: asked now

  time_.advance_and_run(io_, 10min);  // its time: the CMS's scheduler is given a moment
  EXPECT_EQ(cms_.asked.size(), 1u);
  cms_.published["key-s1"] = {"2", "live-s1"};
  time_.advance_and_run(io_, kAfterScheduledTime - 1ms);
  EXPECT_EQ(cms_.asked.size(), 1u) << "not before its time plus kAfterScheduledTime";
  time_.advance_and_run(io_, 1ms);
  ASSERT_EQ(cms_.asked.size(), 2u) << "asked shortly after its time, not an hour later";
  EXPECT_EQ(now_ms(), at + kAfterScheduledTime.count());
  const auto s1 = store_.article("blog", "s1");
  EXPECT_EQ(s1->cms_status, "published");
  EXPECT_FALSE(s1->publish_at.has_value());
  const auto ops = queued();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].payload_hash, "https://www.example.com/en/live-s1");
  check.stop();
  EXPECT_TRUE(time_.run_until(io_, [&] { return done; }));
}

// A version the relay writes scheduled while the loop sleeps for an hour: note_scheduled wakes it
// to take the time into its schedule. The write counts as a look: nothing is asked at once.
TEST_F(PendingCanonicalCheckTest, AScheduledWriteWakesTheLoopForItsTime) {
  auto o = options();
  o.interval = 1h;
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, o);
  bool done = false;
  boost::asio::co_spawn(io_, check.run(), [&](std::exception_ptr) { done = true; });
  time_.advance_and_run(io_, 1min);  // the loop sleeps: nothing waits

  const std::int64_t at = now_ms() + 5 * 60'000;
  article("s1", "scheduled", at);
  check.note_scheduled("blog", "s1");
  time_.advance_and_run(io_, 1s);
  EXPECT_TRUE(cms_.asked.empty()) << "the relay has just seen it scheduled";
  cms_.published["key-s1"] = {"2", "live-s1"};
  ASSERT_TRUE(time_.run_until(io_, [&] { return cms_.asked.size() == 1; }, 10min));
  EXPECT_EQ(now_ms(), at + kAfterScheduledTime.count());
  EXPECT_EQ(store_.article("blog", "s1")->cms_status, "published");
  EXPECT_EQ(queued().size(), 1u);
  check.stop();
  EXPECT_TRUE(time_.run_until(io_, [&] { return done; }));
}

// Issue 19: the link the check posts fills {meta_url} from what the relay wrote, like the relay's.
TEST_F(PendingCanonicalCheckTest, TheLinkFillsMetaUrlLikeTheRelays) {
  article("a1", "draft", std::nullopt, "/blog/a1");
  cms_.published["key-a1"] = {"2", "live-a1"};
  auto o = options();
  o.url_template = "https://www.example.com/{locale}{meta_url}";
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, o);
  auto round = boost::asio::co_spawn(io_, check.check_due_articles(), boost::asio::use_future);
  io_.run();
  EXPECT_EQ(round.get(), 1u);
  const auto ops = queued();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].payload_hash, "https://www.example.com/en/blog/a1");
  EXPECT_EQ(decode_canonical(ops[0].payload)->url, "https://www.example.com/en/blog/a1");
}

TEST_F(PendingCanonicalCheckTest, NothingIsAskedWhenCanonicalLinksAreOff) {
  article("a1", "draft");
  auto o = options();
  o.canonical_enabled = false;
  PendingCanonicalCheck check(io_.get_executor(), store_, cms_, time_, o);
  bool done = false;
  boost::asio::co_spawn(io_, check.run(), [&](std::exception_ptr) { done = true; });
  EXPECT_TRUE(time_.run_until(io_, [&] { return done; }));
  EXPECT_TRUE(cms_.asked.empty());
}

}  // namespace
}  // namespace feedsync::engine
