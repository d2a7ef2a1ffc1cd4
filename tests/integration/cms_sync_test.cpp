// Issue 16 acceptance, through feedsync's own pipeline: a poll cycle reads the simulator's feed
// (engine::PollCycle over feed::FeedClient), the outbox relay writes to its CMS (the real client
// stack of cms_sim_stack.hpp) and posts canonical links to it, with a real state store. One test
// per item of the acceptance list that depends on more than one CMS call: title edits with
// `route_segment: keep` and `follow`, articles with the same title, `delete: keep` and a
// re-publish, a permanent delete, a scheduled publish and `publish: ready` with approvals, each
// in both dialects (v1 first). The CMS status each write leaves is checked on the article's row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "core/mapping.hpp"
#include "engine/feed_target.hpp"
#include "engine/outbox_relay.hpp"
#include "engine/pending_canonical_check.hpp"
#include "cms/cms_sink.hpp"
#include "engine/poll_cycle.hpp"
#include "feed/feed_client.hpp"
#include "integration/cms_sim_stack.hpp"
#include "net/time_system.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::integration {
namespace {

constexpr const char* kFeedId = "simfeed0000000000000000000000001";  // the simulator's default feed
constexpr const char* kUrlTemplate = "https://www.example.com/{locale}/{route_segment}";

class SyncMatrix : public ::testing::TestWithParam<config::CmsApi> {
 protected:
  SyncMatrix() {
    feed_.name = "news";
    feed_.feed_id = kFeedId;
    feed_.deleted_feed_id = sim::derived_deleted_feed_id(kFeedId);
    feed_.deleted_interval = std::chrono::seconds(0);  // read every cycle
    feed_.content_type = "ArticlePage";
    feed_.container = sim::kCmsRootContainer;
    feed_.locale = "en";
    feed_.mapping.display_name.text = "title";
    feed_.mapping.route_segment = config::MappingExpr{"title | slug", {}};
    feed_.mapping.properties.push_back({"Heading", {"title", {}}});
  }

  ~SyncMatrix() override {
    if (!stack_) return;
    stack_->on_loop([&] {
      pending_.reset();
      relay_.reset();
      feeds_.reset();
      return 0;
    });
    stack_.reset();
  }

  // Starts the simulator and the pipeline for feed_ as the test set it up.
  void start(bool approvals = false) {
    StackOptions options;
    options.api = GetParam();
    options.approvals = approvals;
    stack_ = std::make_unique<CmsSimStack>(std::move(options));
    store_ = std::make_unique<store::Store>(store::Store::open(dir_ / "state.db"));
    store_->ensure_feed(feed_.name, feed_.feed_id);
    stack_->on_loop([&] {
      feed::FeedClientOptions feed_options;
      feed_options.base_url = stack_->base_url();
      feeds_ = std::make_unique<feed::FeedClient>(stack_->http(), feed_options);
      engine::RelayOptions relay;
      relay.url_template = kUrlTemplate;
      relay.base_backoff = std::chrono::milliseconds(10);
      relay.seed = 7;
      if (feed_.route_segment == config::RouteSegmentMode::follow) relay.route_segment_follows.insert(feed_.name);
      relay_ = std::make_unique<engine::OutboxRelay>(stack_->executor(), *store_, stack_->sink(), stack_->canonical(),
                                                     &stack_->tokens(), time_, std::move(relay));
      engine::PendingCheckOptions pending;
      pending.interval = std::chrono::milliseconds(0);  // each round asks about every waiting article
      pending.url_template = kUrlTemplate;
      pending.locale_of = [](std::string_view) -> std::optional<std::string> { return "en"; };
      auto& published = dynamic_cast<cms::PublishedVersionSource&>(stack_->sink());
      pending_ = std::make_unique<engine::PendingCanonicalCheck>(stack_->executor(), *store_, published, time_,
                                                                 std::move(pending));
      return 0;
    });
  }

  // A control-API call that must succeed.
  json::value control(net::Method method, const std::string& path, const json::object& body = {}) {
    auto [status, reply] = stack_->control(method, path, body);
    EXPECT_LT(status, 300) << path << ": " << json::serialize(reply);
    return reply;
  }
  // The feed's timestamps have whole seconds; every change here is a few seconds after the last.
  void later() { stack_->advance(std::chrono::seconds(5)); }
  void publish(const std::string& guid, const std::string& title, json::object more = {}) {
    later();
    more["guid"] = guid;
    more["title"] = title;
    control(net::Method::post, std::string("/_sim/feeds/") + kFeedId + "/articles", more);
  }
  void edit(const std::string& guid, const std::string& title) {
    later();
    control(net::Method::patch, "/_sim/articles/" + guid, {{"title", title}});
  }
  void unpublish(const std::string& guid) {
    later();
    control(net::Method::post, "/_sim/articles/" + guid + ":unpublish");
  }
  void republish(const std::string& guid) {
    later();
    control(net::Method::post, "/_sim/articles/" + guid + ":republish");
  }

  // One poll cycle, then the relay until nothing is left to do.
  engine::CycleReport sync() {
    later();
    auto mapping = compile_mapping(engine::mapping_spec(feed_));
    EXPECT_TRUE(mapping.has_value());
    engine::CycleOptions options;
    options.read_deleted_feed_now = true;
    auto report = stack_->await(cycle(this, feed_, std::move(*mapping), options));
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message);
    engine::OutboxRelay::RunOptions run;
    run.until_empty = true;
    run.deadline = time_.steady_now() + std::chrono::seconds(30);
    EXPECT_EQ(stack_->await(relay_->run(run)), engine::RelayExit::drained);
    EXPECT_TRUE(store_->dead_letters().empty()) << store_->dead_letters().front().last_error.value_or("");
    return report ? *report : engine::CycleReport{};
  }

  // One round of the pending canonical check, then the relay until nothing is left to do; how
  // many articles the round found published.
  std::size_t check_pending() {
    const auto found = stack_->await(pending_->check_due_articles());
    engine::OutboxRelay::RunOptions run;
    run.until_empty = true;
    run.deadline = time_.steady_now() + std::chrono::seconds(30);
    EXPECT_EQ(stack_->await(relay_->run(run)), engine::RelayExit::drained);
    return found;
  }

  std::string key(const std::string& guid) const { return engine::payload_target(feed_, guid).key; }
  // The article's CMS item as the simulator holds it; versions newest first.
  json::object item(const std::string& guid) {
    auto found = stack_->cms_item(key(guid));
    EXPECT_TRUE(found.has_value()) << guid;
    return found.value_or(json::object{{"versions", json::array{}}});
  }
  json::object newest_version(const std::string& guid) {
    const json::object found = item(guid);
    return found.at("versions").as_array().at(0).as_object();
  }
  store::ArticleRow row(const std::string& guid) { return store_->article(feed_.name, guid).value(); }
  // The canonical links the simulator was told for `guid`, in order.
  std::vector<std::string> canonical_links(const std::string& guid) {
    return stack_->on_loop([&] {
      std::vector<std::string> links;
      for (const auto& record : stack_->simulator().feed_api().canonical_records())
        if (record.guid == guid) links.push_back(record.canonical_link);
      return links;
    });
  }
  // Requests whose route contains `part` (":undelete", "DELETE"), whatever their status.
  std::size_t requests_to(const std::string& part) {
    std::size_t n = 0;
    const json::object all = stack_->counters();
    for (const auto& [route, counter] : all.at("routes").as_object())
      if (std::string_view(route).find(part) != std::string_view::npos)
        n += counter.at("count").to_number<std::size_t>();
    return n;
  }

  static boost::asio::awaitable<Expected<engine::CycleReport, engine::CycleError>> cycle(
      SyncMatrix* self, config::FeedConfig feed, CompiledMapping mapping, engine::CycleOptions options) {
    engine::PollCycle poll(*self->feeds_, *self->store_, self->stack_->sim_clock());
    co_return co_await poll.run(std::move(feed), std::move(mapping), std::move(options));
  }

  config::FeedConfig feed_;
  feedsync::testing::TempDir dir_{feedsync::testing::TempDir::Backing::memory};
  net::RealTimeSystem time_;
  std::unique_ptr<CmsSimStack> stack_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<feed::FeedClient> feeds_;
  std::unique_ptr<engine::OutboxRelay> relay_;
  std::unique_ptr<engine::PendingCanonicalCheck> pending_;
};

// Import, update, and a title edit under the default `route_segment: keep`: the published URL
// (segment and canonical link) stays what it was.
TEST_P(SyncMatrix, ImportThenATitleEditKeepsTheSegmentAndTheCanonicalUrl) {
  start();
  publish("a1", "First title");
  publish("a2", "Another story");
  const auto imported = sync();
  EXPECT_EQ(imported.created, 2u);
  EXPECT_EQ(newest_version("a1").at("routeSegment").as_string(), "first-title");
  EXPECT_EQ(newest_version("a1").at("status").as_string(), "published");
  EXPECT_EQ(row("a1").cms_status, "published");
  EXPECT_EQ(canonical_links("a1"), (std::vector<std::string>{"https://www.example.com/en/first-title"}));

  edit("a1", "A better title");
  const auto edited = sync();
  EXPECT_EQ(edited.updated, 1u);
  const auto version = newest_version("a1");
  EXPECT_EQ(version.at("displayName").as_string(), "A better title");
  EXPECT_EQ(version.at("status").as_string(), "published");
  EXPECT_EQ(version.at("routeSegment").as_string(), "first-title");
  EXPECT_EQ(row("a1").route_segment, "first-title");
  EXPECT_EQ(row("a1").canonical_url, "https://www.example.com/en/first-title");
  EXPECT_EQ(canonical_links("a1").size(), 1u);  // the URL did not change: nothing posted again
  EXPECT_EQ(item("a2").at("versions").as_array().size(), 1u);  // untouched
}

// `route_segment: follow`: the title edit moves the segment, and CMP is told the new URL.
TEST_P(SyncMatrix, WithFollowATitleEditMovesTheSegmentAndPostsTheNewUrl) {
  feed_.route_segment = config::RouteSegmentMode::follow;
  start();
  publish("a1", "First title");
  sync();
  edit("a1", "A better title");
  EXPECT_EQ(sync().updated, 1u);
  EXPECT_EQ(newest_version("a1").at("routeSegment").as_string(), "a-better-title");
  EXPECT_EQ(newest_version("a1").at("status").as_string(), "published");
  EXPECT_EQ(row("a1").route_segment, "a-better-title");
  EXPECT_EQ(row("a1").canonical_url, "https://www.example.com/en/a-better-title");
  EXPECT_EQ(canonical_links("a1"), (std::vector<std::string>{"https://www.example.com/en/first-title",
                                                             "https://www.example.com/en/a-better-title"}));
}

// Two articles with the same title in one container: both published, at distinct URLs, each
// told to CMP; a later edit of the second (same title, new body) keeps its derived segment
// without being refused again.
TEST_P(SyncMatrix, ArticlesWithTheSameTitleAreBothPublishedAtDistinctUrls) {
  feed_.route_segment = config::RouteSegmentMode::follow;
  feed_.mapping.properties.push_back({"Summary", {"meta_description", {}}});
  start();
  publish("s1", "Same title");
  publish("s2", "Same title");
  EXPECT_EQ(sync().created, 2u);
  const std::string derived = "same-title-" + key("s2").substr(0, 6);
  const auto first = row("s1").route_segment.value_or("");
  const auto second = row("s2").route_segment.value_or("");
  // Which one came first is the feed's order; one has the plain segment, the other the derived.
  EXPECT_NE(first, second);
  EXPECT_TRUE((first == "same-title" && second == derived) ||
              (second == "same-title" && first == "same-title-" + key("s1").substr(0, 6)))
      << first << " " << second;
  for (const auto* guid : {"s1", "s2"}) {
    EXPECT_EQ(newest_version(guid).at("status").as_string(), "published") << guid;
    EXPECT_EQ(canonical_links(guid).size(), 1u) << guid;
  }
  const auto refusals = stack_->requests_with_status(400);

  const std::string deduplicated = first == "same-title" ? "s2" : "s1";
  later();
  control(net::Method::patch, "/_sim/articles/" + deduplicated, {{"meta_description", "A new summary"}});
  EXPECT_EQ(sync().updated, 1u);
  EXPECT_EQ(newest_version(deduplicated).at("routeSegment").as_string(), row(deduplicated).route_segment.value());
  EXPECT_EQ(stack_->requests_with_status(400), refusals);  // sent with its own segment at once
  EXPECT_EQ(canonical_links(deduplicated).size(), 1u);
}

// `delete: keep`: an article that leaves the feed keeps its CMS item; when it comes back, its
// next change is an ordinary upsert (no undelete the service would refuse), nothing dead-letters.
TEST_P(SyncMatrix, DeleteKeepThenARepublishIsAnOrdinaryUpsert) {
  feed_.delete_mode = config::DeleteMode::keep;
  start();
  publish("k1", "Kept story");
  publish("stays", "Another story");  // a feed that empties at once has its deletions held
  sync();
  unpublish("k1");
  EXPECT_EQ(sync().deleted, 1u);
  EXPECT_EQ(row("k1").status, store::ArticleStatus::deleted);
  const json::object kept = item("k1");
  EXPECT_TRUE(!kept.contains("deleted") || kept.at("deleted").is_null()) << json::serialize(kept);
  EXPECT_EQ(requests_to("DELETE"), 0u);

  republish("k1");
  const auto back = sync();
  EXPECT_EQ(back.undeleted, 1u);
  EXPECT_EQ(requests_to(":undelete"), 0u);
  EXPECT_EQ(row("k1").status, store::ArticleStatus::active);
  EXPECT_EQ(row("k1").cms_status, "published");
  EXPECT_EQ(newest_version("k1").at("status").as_string(), "published");
}

// `delete: permanent`: the item is gone from the CMS, and so is the article's CMS status.
TEST_P(SyncMatrix, APermanentDeleteRemovesTheItem) {
  feed_.delete_mode = config::DeleteMode::permanent;
  start();
  publish("p1", "Short-lived");
  publish("stays", "Another story");  // a feed that empties at once has its deletions held
  sync();
  ASSERT_EQ(row("p1").cms_status, "published");
  unpublish("p1");
  EXPECT_EQ(sync().deleted, 1u);
  EXPECT_FALSE(stack_->cms_item(key("p1")).has_value());
  EXPECT_FALSE(row("p1").cms_status.has_value());
  EXPECT_EQ(stack_->cms_get_status("/content/" + key("p1")), 404);
}

// `schedule: true`: a publish time ahead leaves the version scheduled (no canonical link yet),
// and the CMS publishes it when the time comes.
TEST_P(SyncMatrix, AScheduledArticleWaitsForItsTime) {
  feed_.schedule = true;
  feed_.mapping.publish_at = config::MappingExpr{R"(custom_fields["Ad Date"].values[0])", {}};
  start();
  const std::string at = stack_->sim_time(std::chrono::hours(2));
  publish("t1", "Timed story",
          {{"custom_fields", json::array{json::object{{"label", "Ad Date"}, {"values", json::array{json::string(at)}}}}}});
  sync();
  EXPECT_EQ(newest_version("t1").at("status").as_string(), "scheduled");
  EXPECT_EQ(row("t1").cms_status, "scheduled");
  EXPECT_TRUE(canonical_links("t1").empty());
  EXPECT_EQ(store_->cms_status_counts({"scheduled"}, feed_.name),
            (std::vector<store::CmsStatusCount>{{feed_.name, "scheduled", 1}}));
  EXPECT_EQ(check_pending(), 0u);  // the time has not come: no link
  EXPECT_TRUE(canonical_links("t1").empty());
  stack_->advance(std::chrono::hours(3));
  EXPECT_EQ(newest_version("t1").at("status").as_string(), "published");
  // Issue 19: the pending canonical check finds it published and its link is posted, once.
  EXPECT_EQ(check_pending(), 1u);
  EXPECT_EQ(row("t1").cms_status, "published");
  EXPECT_EQ(canonical_links("t1"), (std::vector<std::string>{"https://www.example.com/en/timed-story"}));
  EXPECT_EQ(check_pending(), 0u);
  EXPECT_EQ(canonical_links("t1").size(), 1u);
}

// Issue 19: `publish: draft`, 20 articles; an editor publishes 5 of them in the CMS. The pending
// canonical check posts exactly those 5 links, once each.
TEST_P(SyncMatrix, AnEditorPublishingDraftsGetsExactlyThoseCanonicalLinksPosted) {
  feed_.publish = config::PublishMode::draft;
  start();
  for (int i = 0; i < 20; ++i) publish("d" + std::to_string(i), "Draft story " + std::to_string(i));
  EXPECT_EQ(sync().created, 20u);
  EXPECT_EQ(check_pending(), 0u);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(canonical_links("d" + std::to_string(i)).empty());

  const std::set<int> edited{1, 4, 9, 13, 18};
  for (int i : edited) control(net::Method::post, "/_sim/cms/items/" + key("d" + std::to_string(i)) + ":publish");
  EXPECT_EQ(check_pending(), 5u);
  EXPECT_EQ(check_pending(), 0u);  // nothing new: nothing posted twice
  for (int i = 0; i < 20; ++i) {
    const std::string guid = "d" + std::to_string(i);
    if (edited.count(i)) {
      EXPECT_EQ(canonical_links(guid),
                (std::vector<std::string>{"https://www.example.com/en/draft-story-" + std::to_string(i)}))
          << guid;
      EXPECT_EQ(row(guid).cms_status, "published") << guid;
    } else {
      EXPECT_TRUE(canonical_links(guid).empty()) << guid;
      EXPECT_EQ(row(guid).cms_status, "draft") << guid;
    }
  }
}

// `publish: ready` on a content type with an approval sequence: the version waits in review,
// which is the write's goal reached, and the store counts it for `status`.
TEST_P(SyncMatrix, ReadyWithApprovalsLeavesTheArticleInReviewCountedForStatus) {
  feed_.publish = config::PublishMode::ready;
  start(/*approvals=*/true);
  publish("r1", "Needs approval");
  publish("r2", "Needs approval too");
  EXPECT_EQ(sync().created, 2u);
  for (const auto* guid : {"r1", "r2"}) {
    EXPECT_EQ(newest_version(guid).at("status").as_string(), "inReview") << guid;
    EXPECT_EQ(row(guid).cms_status, "inReview") << guid;
    EXPECT_TRUE(canonical_links(guid).empty()) << guid;  // not live
  }
  EXPECT_EQ(store_->cms_status_counts({"draft", "ready", "inReview", "scheduled"}, feed_.name),
            (std::vector<store::CmsStatusCount>{{feed_.name, "inReview", 2}}));
}

INSTANTIATE_TEST_SUITE_P(BothDialects, SyncMatrix, ::testing::Values(config::CmsApi::v1, config::CmsApi::version2),
                         [](const auto& info) { return info.param == config::CmsApi::v1 ? "v1" : "version2"; });

}  // namespace
}  // namespace feedsync::integration
