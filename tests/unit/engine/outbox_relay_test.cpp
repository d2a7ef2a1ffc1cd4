// The outbox relay against a scripted CmsSink, a scripted HTTP client for the canonical
// post-back, and a real state store on disk, on simulated time: backoffs and deadlines pass in
// no time and every wait is exact.
#include "engine/outbox_relay.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/canonical_client.hpp"
#include "cms/token_source.hpp"
#include "core/content_key.hpp"
#include "core/outbox_payload.hpp"
#include "store/store.hpp"
#include "support/simulated_time_system.hpp"
#include "support/temp_dir.hpp"
#include "unit/engine/fake_sink.hpp"
#include "unit/net/fake_http_client.hpp"

namespace feedsync::engine {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using cms::CmsErrorKind;
using testing::FakeSink;

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest()
      : store_(store::Store::open(dir_ / "state.db", {.access = store::Access::exclusive})),
        canonical_(canonical_http_, {"https://canon.example.test/link", 5000ms}) {
    store_.ensure_feed("blog", "feed1");
    sink_.time = &time_;
  }

  RelayOptions options() {
    RelayOptions o;
    o.max_in_flight = 4;
    o.base_backoff = 2ms;
    o.max_backoff = 20ms;
    o.url_template = "https://www.example.com/{locale}/{route_segment}";
    o.seed = 7;
    return o;
  }

  // Seeds an article row as the poll cycle leaves it and queues its op.
  // `route`: the segment the mapping produced (default "post-" + guid).
  void article(const std::string& guid, store::OpKind kind, bool pushed_before = false,
               std::optional<std::string> pixel = "PIXEL" + std::string("KEY"), std::string route = "",
               std::optional<std::int64_t> publish_at = std::nullopt) {
    // Like the poll cycle: an existing row keeps what the relay recorded on it.
    store::ArticleRow row = store_.article("blog", guid).value_or(store::ArticleRow{});
    row.feed = "blog";
    row.guid = guid;
    row.title = "Title " + guid;
    row.pixel_key = pixel;
    row.cms_key = content_key("blog", guid);
    if (pushed_before && !row.cms_version) row.cms_version = "v0";
    store_.upsert_article(row);
    store::OutboxOp op;
    op.feed = "blog";
    op.guid = guid;
    op.op = kind;
    if (kind == store::OpKind::delete_) {
      op.payload = encode(DeletePayload{row.cms_key, true, std::nullopt});
    } else {
      ArticleDocument doc;
      doc.key = row.cms_key;
      doc.locale = "en";
      doc.display_name = row.title;
      doc.route_segment = route.empty() ? "post-" + guid : route;
      doc.content_type = "ArticlePage";
      doc.container = "c";
      doc.publish = "immediate";
      doc.scheduling = publish_at.has_value();
      doc.publish_at_ms = publish_at;
      op.payload = encode(UpsertPayload{doc, "/blog/" + guid, std::nullopt});
    }
    op.payload_hash = "h-" + guid;
    store_.enqueue(op, now_ms());
  }

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time_.system_now().time_since_epoch()).count();
  }

  // run() with until_empty, on simulated time; `limit` is simulated too.
  RelayExit drain(OutboxRelay& relay, std::chrono::milliseconds limit = 5s) {
    OutboxRelay::RunOptions run;
    run.until_empty = true;
    run.deadline = time_.steady_now() + limit;
    std::optional<RelayExit> exit;
    boost::asio::co_spawn(io_, relay.run(run), [&exit](std::exception_ptr error, RelayExit how) {
      if (error) std::rethrow_exception(error);
      exit = how;
    });
    EXPECT_TRUE(time_.run_until(io_, [&] { return exit.has_value(); })) << "the relay never returned";
    return exit.value_or(RelayExit::stopped);
  }

  std::unique_ptr<OutboxRelay> relay(RelayOptions o) {
    return std::make_unique<OutboxRelay>(io_.get_executor(), store_, sink_, canonical_, nullptr, time_, o);
  }

  // The time between one sink call and the next.
  std::vector<std::chrono::milliseconds> call_gaps() const {
    std::vector<std::chrono::milliseconds> gaps;
    const auto& calls = sink_.calls();
    for (std::size_t i = 1; i < calls.size(); ++i)
      gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(calls[i].at - calls[i - 1].at));
    return gaps;
  }

  std::vector<std::string> journal_actions() {
    std::vector<std::string> actions;
    auto entries = store_.journal(100);
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) actions.push_back(it->action + " " + it->guid);
    return actions;
  }

  testing::TempDir dir_{testing::TempDir::Backing::memory};  // many commits: no fsync on disk
  testing::SimulatedTimeSystem time_;  // before everything that makes timers from it
  boost::asio::io_context io_;
  store::Store store_;
  FakeSink sink_;
  testing::FakeHttpClient canonical_http_;
  cms::CanonicalClient canonical_;
};

TEST_F(OutboxRelayTest, NewArticleIsCreatedRecordedAndItsCanonicalLinkPosted) {
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  EXPECT_EQ(drain(*r), RelayExit::drained);

  ASSERT_EQ(sink_.calls().size(), 1u);
  EXPECT_EQ(sink_.calls()[0].op, "upsert");
  EXPECT_FALSE(sink_.calls()[0].known);
  EXPECT_EQ(sink_.calls()[0].article.key, content_key("blog", "a1"));
  const auto row = store_.article("blog", "a1");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->cms_version, "v1");
  EXPECT_EQ(row->route_segment, "post-a1");
  EXPECT_EQ(row->canonical_url, "https://www.example.com/en/post-a1");
  ASSERT_EQ(canonical_http_.calls().size(), 1u);
  EXPECT_THAT(canonical_http_.calls()[0].request.url,
              HasSubstr("canonical_link=https%3A%2F%2Fwww.example.com%2Fen%2Fpost-a1"));
  EXPECT_THAT(canonical_http_.calls()[0].request.url, HasSubstr("tracking_pixel_key=PIXELKEY"));
  EXPECT_EQ(journal_actions(), (std::vector<std::string>{"created a1", "canonical-posted a1"}));
  EXPECT_EQ(store_.outbox_stats().total, store::OpCounts{});
  EXPECT_EQ(r->stats().created, 1u);
  EXPECT_EQ(r->stats().canonical_posted, 1u);
}

TEST_F(OutboxRelayTest, KnownArticleGetsANewVersionAndTheSameUrlIsNotPostedTwice) {
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  drain(*r);
  article("a1", store::OpKind::upsert, /*pushed_before=*/true);
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 2u);
  EXPECT_TRUE(sink_.calls()[1].known);
  EXPECT_EQ(store_.article("blog", "a1")->cms_version, "v2");
  EXPECT_EQ(canonical_http_.calls().size(), 1u);  // same URL as before
  EXPECT_EQ(r->stats().updated, 1u);
}

// Issue 16: a title edit used to move the published URL (the segment was derived again from the
// new title with every version). Later versions keep the segment the CMS gave the item.
TEST_F(OutboxRelayTest, ATitleEditKeepsTheRouteSegmentTheItemWasPublishedUnder) {
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  drain(*r);
  ASSERT_EQ(store_.article("blog", "a1")->route_segment, "post-a1");
  // The poll maps the edited title to a new segment.
  article("a1", store::OpKind::upsert, /*pushed_before=*/true, "PIXELKEY", "a-new-title");
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 2u);
  EXPECT_EQ(sink_.calls()[1].document.route_segment, "post-a1");
  EXPECT_EQ(store_.article("blog", "a1")->route_segment, "post-a1");
  EXPECT_EQ(canonical_http_.calls().size(), 1u);  // the URL did not change: nothing to post again
}

// Issue 16: `route_segment: follow` lets the URL follow the mapping; the new URL is posted.
TEST_F(OutboxRelayTest, WithFollowATitleEditMovesTheSegmentAndPostsTheNewUrl) {
  auto o = options();
  o.route_segment_follows = {"blog"};
  article("a1", store::OpKind::upsert);
  auto r = relay(o);
  drain(*r);
  article("a1", store::OpKind::upsert, /*pushed_before=*/true, "PIXELKEY", "a-new-title");
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 2u);
  EXPECT_EQ(sink_.calls()[1].document.route_segment, "a-new-title");
  const auto row = store_.article("blog", "a1");
  EXPECT_EQ(row->route_segment, "a-new-title");
  EXPECT_EQ(row->canonical_url, "https://www.example.com/en/a-new-title");
  ASSERT_EQ(canonical_http_.calls().size(), 2u);
  EXPECT_THAT(canonical_http_.calls()[1].request.url, HasSubstr("a-new-title"));
  EXPECT_EQ(r->stats().canonical_posted, 2u);
}

// Issue 16: the CMS status of what was written is kept, so `status` can show what waits in the
// CMS (in review, drafts, scheduled); a deletion in the CMS clears it.
TEST_F(OutboxRelayTest, TheCmsStatusOfTheVersionWrittenIsKeptAndADeleteClearsIt) {
  sink_.upsert_status = cms::WriteStatus::in_review;
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  drain(*r);
  EXPECT_EQ(store_.article("blog", "a1")->cms_status, "inReview");
  EXPECT_TRUE(canonical_http_.calls().empty());  // not live: no canonical link yet

  sink_.upsert_status = cms::WriteStatus::published;
  article("a1", store::OpKind::upsert, /*pushed_before=*/true);
  drain(*r);
  EXPECT_EQ(store_.article("blog", "a1")->cms_status, "published");

  article("a1", store::OpKind::delete_, /*pushed_before=*/true);
  drain(*r);
  const auto row = store_.article("blog", "a1");
  EXPECT_FALSE(row->cms_status.has_value());
  EXPECT_EQ(row->cms_version, "v2");  // still known: a return restores the item
}

// Issue 19: a version written scheduled keeps its time on the row, and the pending canonical check
// is told (on_scheduled); the row also keeps the meta_url the link's {meta_url} is filled with. A
// later write that publishes clears the time and tells nobody.
TEST_F(OutboxRelayTest, AScheduledWriteKeepsItsTimeAndTellsThePendingCheck) {
  std::vector<std::string> told;
  auto o = options();
  o.on_scheduled = [&told](const std::string& feed, const std::string& guid) { told.push_back(feed + "/" + guid); };
  auto r = relay(o);
  const std::int64_t at = now_ms() + 3'600'000;
  sink_.upsert_status = cms::WriteStatus::scheduled;
  article("a1", store::OpKind::upsert, false, "PIXELKEY", "", at);
  drain(*r);
  auto row = store_.article("blog", "a1");
  EXPECT_EQ(row->cms_status, "scheduled");
  EXPECT_EQ(row->publish_at, at);
  EXPECT_EQ(row->meta_url, "/blog/a1");
  EXPECT_EQ(told, (std::vector<std::string>{"blog/a1"}));
  EXPECT_TRUE(canonical_http_.calls().empty());

  sink_.upsert_status = cms::WriteStatus::published;
  article("a1", store::OpKind::upsert, /*pushed_before=*/true);
  drain(*r);
  row = store_.article("blog", "a1");
  EXPECT_EQ(row->cms_status, "published");
  EXPECT_FALSE(row->publish_at.has_value());
  EXPECT_EQ(told.size(), 1u);
}

TEST_F(OutboxRelayTest, NoCanonicalLinkForDraftsArticlesWithoutPixelOrWhenDisabled) {
  sink_.upsert_status = cms::WriteStatus::draft;
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  drain(*r);
  sink_.upsert_status = cms::WriteStatus::published;
  article("a2", store::OpKind::upsert, false, std::nullopt);
  drain(*r);
  auto disabled = options();
  disabled.canonical_enabled = false;
  r->set_canonical(false, disabled.url_template);
  article("a3", store::OpKind::upsert);
  drain(*r);
  EXPECT_EQ(sink_.calls().size(), 3u);
  EXPECT_TRUE(canonical_http_.calls().empty());
  EXPECT_EQ(store_.outbox_stats().total, store::OpCounts{});
}

TEST_F(OutboxRelayTest, RetryableFailuresAreRetriedAfterABackoff) {
  sink_.upsert_script.push_back(FakeSink::error(CmsErrorKind::retryable, 503, "CMS unavailable"));
  sink_.upsert_script.push_back(FakeSink::error(CmsErrorKind::permanent, 0, "connection refused", true));
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  EXPECT_EQ(drain(*r), RelayExit::drained);
  EXPECT_EQ(sink_.calls().size(), 3u);
  EXPECT_EQ(r->stats().retried, 2u);
  EXPECT_EQ(store_.article("blog", "a1")->cms_version, "v3");  // the third call succeeded
  EXPECT_EQ(store_.outbox_stats().total.dead, 0);
  // Full jitter between base/2 and base * 2^(attempt-1) (base 2 ms), to the millisecond.
  const auto gaps = call_gaps();
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_GE(gaps[0], 1ms);
  EXPECT_LE(gaps[0], 2ms);
  EXPECT_GE(gaps[1], 1ms);
  EXPECT_LE(gaps[1], 4ms);
}

TEST_F(OutboxRelayTest, PermanentFailuresAreDeadLetteredWithTheCmsMessage) {
  sink_.upsert_script.push_back(
      FakeSink::error(CmsErrorKind::permanent, 422, "feed=blog guid=a1: properties.Heading: too long"));
  article("a1", store::OpKind::upsert);
  article("a2", store::OpKind::upsert);
  auto r = relay(options());
  EXPECT_EQ(drain(*r), RelayExit::drained);
  const auto dead = store_.dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].guid, "a1");
  EXPECT_THAT(dead[0].last_error.value_or(""), HasSubstr("properties.Heading: too long"));
  EXPECT_TRUE(store_.article("blog", "a2")->cms_version.has_value());  // the other article is not held up
  EXPECT_THAT(journal_actions(), ::testing::Contains("dead-lettered a1"));
  EXPECT_EQ(r->stats().dead_lettered, 1u);
}

TEST_F(OutboxRelayTest, UndeleteRestoresThenWritesANewVersion) {
  article("a1", store::OpKind::undelete, /*pushed_before=*/true);
  auto r = relay(options());
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 2u);
  EXPECT_EQ(sink_.calls()[0].op, "undelete");
  EXPECT_EQ(sink_.calls()[1].op, "upsert");
  EXPECT_TRUE(sink_.calls()[1].known);
  EXPECT_EQ(r->stats().undeleted, 1u);
}

TEST_F(OutboxRelayTest, UndeleteOfAnItemGoneForGoodCreatesItAfresh) {
  sink_.undelete_script.push_back(FakeSink::error(CmsErrorKind::permanent, 404, "no such content item"));
  article("a1", store::OpKind::undelete, /*pushed_before=*/true);
  auto r = relay(options());
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 2u);
  EXPECT_FALSE(sink_.calls()[1].known);
  EXPECT_EQ(store_.outbox_stats().total, store::OpCounts{});
}

TEST_F(OutboxRelayTest, DeleteRemovesWithTheConfiguredPermanence) {
  article("a1", store::OpKind::delete_, true);
  auto r = relay(options());
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 1u);
  EXPECT_EQ(sink_.calls()[0].op, "remove");
  EXPECT_TRUE(sink_.calls()[0].permanent);
  EXPECT_EQ(journal_actions(), (std::vector<std::string>{"purged a1"}));
}

// translations: group (issue 23): three translations of one item. Deleting one while another is
// live deletes only its locale; deleting the last deletes the item, as `delete:` says. Decided
// when the op runs, from the store then.
TEST_F(OutboxRelayTest, ATranslationDeletesItsLocaleUntilItIsTheLastOne) {
  const std::string item = group_content_key("blog", "g1");
  auto translation = [&](const std::string& guid, const std::string& locale, store::ArticleStatus status) {
    store::ArticleRow row = store_.article("blog", guid).value_or(store::ArticleRow{});
    row.feed = "blog";
    row.guid = guid;
    row.title = guid;
    row.cms_key = item;
    row.cms_version = "v1";
    row.locale = locale;
    row.status = status;
    store_.upsert_article(row);
  };
  auto delete_op = [&](const std::string& guid, const std::string& locale) {
    store::OutboxOp op;
    op.feed = "blog";
    op.guid = guid;
    op.op = store::OpKind::delete_;
    op.payload = encode(DeletePayload{item, false, locale});
    op.payload_hash = "delete";
    store_.enqueue(op, now_ms());
  };
  translation("en-1", "en", store::ArticleStatus::active);
  translation("de-1", "de", store::ArticleStatus::active);
  translation("fr-1", "fr", store::ArticleStatus::deleted);
  delete_op("fr-1", "fr");
  auto r = relay(options());
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 1u);
  EXPECT_EQ(sink_.calls()[0].op, "remove_locale");
  EXPECT_EQ(sink_.calls()[0].document.locale, "fr");
  EXPECT_EQ(sink_.calls()[0].article.key, item);

  // de and en go in one cycle: neither is live when its op runs, so each deletes the item (the
  // second finds it gone or deleted: done either way).
  translation("de-1", "de", store::ArticleStatus::deleted);
  translation("en-1", "en", store::ArticleStatus::deleted);
  delete_op("de-1", "de");
  delete_op("en-1", "en");
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 3u);
  EXPECT_EQ(sink_.calls()[1].op, "remove");
  EXPECT_FALSE(sink_.calls()[1].permanent);
  EXPECT_EQ(sink_.calls()[2].op, "remove");
  EXPECT_EQ(journal_actions(), (std::vector<std::string>{"deleted fr-1", "deleted de-1", "deleted en-1"}));
  EXPECT_EQ(store_.journal(1).at(0).detail.find("locale"), std::string::npos);

  // A translation that arrived after its sibling's delete was queued keeps the item.
  translation("it-1", "it", store::ArticleStatus::deleted);
  delete_op("it-1", "it");
  translation("es-1", "es", store::ArticleStatus::active);
  drain(*r);
  ASSERT_EQ(sink_.calls().size(), 4u);
  EXPECT_EQ(sink_.calls()[3].op, "remove_locale");
  EXPECT_EQ(sink_.calls()[3].document.locale, "it");
}

// translations: group, a feed switched from off: the upsert into the group's item retires the
// article's own item once written; a failed retire leaves the op to run again (no item lost).
TEST_F(OutboxRelayTest, AMoveToTheGroupsItemDeletesTheArticlesOwnItemAfterTheWrite) {
  const std::string item = group_content_key("blog", "g1");
  store::ArticleRow row;
  row.feed = "blog";
  row.guid = "a1";
  row.title = "A1";
  row.cms_key = item;
  row.locale = "de";
  store_.upsert_article(row);
  ArticleDocument doc;
  doc.key = item;
  doc.locale = "de";
  doc.display_name = "A1";
  doc.content_type = "ArticlePage";
  doc.container = "c";
  doc.publish = "immediate";
  store::OutboxOp op;
  op.feed = "blog";
  op.guid = "a1";
  op.op = store::OpKind::upsert;
  op.payload = encode(UpsertPayload{doc, std::nullopt, DeletePayload{content_key("blog", "a1"), false, std::nullopt}});
  op.payload_hash = "h";
  store_.enqueue(op, now_ms());
  sink_.remove_script.push_back(FakeSink::error(CmsErrorKind::retryable, 503, "unavailable"));
  auto r = relay(options());
  drain(*r);
  const auto& calls = sink_.calls();
  ASSERT_GE(calls.size(), 4u);
  EXPECT_EQ(calls[0].op, "upsert");
  EXPECT_FALSE(calls[0].known);  // a create in the group's item (409 there: a new locale version)
  EXPECT_EQ(calls[0].article.key, item);
  EXPECT_EQ(calls[1].op, "remove");
  EXPECT_EQ(calls[1].article.key, content_key("blog", "a1"));
  EXPECT_EQ(calls[2].op, "upsert");  // the failed retire ran the op again
  EXPECT_EQ(calls[3].op, "remove");
  EXPECT_EQ(store_.article("blog", "a1")->cms_key, item);
  EXPECT_TRUE(store_.article("blog", "a1")->cms_version.has_value());
}

TEST_F(OutboxRelayTest, NeverMoreThanMaxInFlightAtOnce) {
  sink_.latency = 5ms;
  for (int i = 0; i < 20; ++i) article("a" + std::to_string(i), store::OpKind::upsert, false, std::nullopt);
  auto o = options();
  o.max_in_flight = 3;
  auto r = relay(o);
  EXPECT_EQ(drain(*r), RelayExit::drained);
  EXPECT_EQ(sink_.calls().size(), 20u);
  EXPECT_EQ(sink_.max_in_flight(), 3u);
}

TEST_F(OutboxRelayTest, UnreadablePayloadIsDeadLetteredNotRetriedForever) {
  store::OutboxOp op;
  op.feed = "blog";
  op.guid = "bad";
  op.op = store::OpKind::upsert;
  op.payload = "{not json";
  store_.enqueue(op, now_ms());
  auto r = relay(options());
  EXPECT_EQ(drain(*r), RelayExit::drained);
  EXPECT_TRUE(sink_.calls().empty());
  ASSERT_EQ(store_.dead_letters().size(), 1u);
  EXPECT_THAT(store_.dead_letters()[0].last_error.value_or(""), HasSubstr("not JSON"));
}

TEST_F(OutboxRelayTest, AMalformedDocumentIsDeadLetteredWithoutACmsCall) {
  // Read once, in the relay: the CMS sink only ever sees a well-formed document.
  store::OutboxOp op;
  op.feed = "blog";
  op.guid = "bad";
  op.op = store::OpKind::undelete;
  op.payload = R"({"document":{"key":"k","contentType":"T","container":"c","displayName":"D","publishAt":"soon"}})";
  store_.enqueue(op, now_ms());
  auto r = relay(options());
  EXPECT_EQ(drain(*r), RelayExit::drained);
  EXPECT_TRUE(sink_.calls().empty());
  ASSERT_EQ(store_.dead_letters().size(), 1u);
  EXPECT_THAT(store_.dead_letters()[0].last_error.value_or(""),
              HasSubstr("\"publishAt\" is not an RFC 3339 date-time"));
}

TEST_F(OutboxRelayTest, CanonicalRejectionIsDeadLetteredAndTheArticleStaysPublished) {
  canonical_http_.push_status(400, {}, "domain not allowed");
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  drain(*r);
  const auto dead = store_.dead_letters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].op, store::OpKind::canonical);
  EXPECT_EQ(store_.article("blog", "a1")->cms_version, "v1");
  EXPECT_FALSE(store_.article("blog", "a1")->canonical_url.has_value());
}

// Issue 15: the canonical-link endpoint's Retry-After is honoured like the CMS's, and capped by
// engine.max_retry_backoff (a day-long Retry-After must not park the link for a day).
TEST_F(OutboxRelayTest, ACanonicalRetryAfterIsHonouredUpToTheMaxBackoff) {
  for (const auto max_backoff : {60'000ms, 3'000ms}) {
    canonical_http_.push_status(503, {{"Retry-After", "20"}});
    const std::string guid = "a" + std::to_string(max_backoff.count());
    article(guid, store::OpKind::upsert);
    auto o = options();
    o.max_backoff = max_backoff;
    auto r = relay(o);
    EXPECT_EQ(drain(*r, 500ms), RelayExit::deadline) << "the link waits for its retry";
    const auto due = store_.next_due();
    ASSERT_TRUE(due);
    const auto wait = std::chrono::milliseconds(*due - now_ms());
    EXPECT_GE(wait, std::min(20'000ms, max_backoff) - 1'000ms) << max_backoff.count();
    EXPECT_LE(wait, std::min(20'000ms, max_backoff)) << max_backoff.count();
    EXPECT_EQ(r->stats().retried, 1u);
    store_.complete(store_.claim_due(*due, 10).at(0).id);  // out of the way of the next round
  }
}

TEST_F(OutboxRelayTest, AnAuthFailureWithoutRejectedCredentialsBacksOffInsteadOfSpinning) {
  // The token source has not rejected the credentials (it was never even asked), so nothing
  // closes the gate: the op must wait out a backoff (15-30 ms) between attempts. A tight loop
  // would make hundreds of calls in the 300 ms; backoffs make 11 to 21.
  for (int i = 0; i < 1000; ++i) sink_.upsert_script.push_back(FakeSink::error(CmsErrorKind::auth, 401, "fresh token refused"));
  article("a1", store::OpKind::upsert);
  auto o = options();
  o.base_backoff = 30ms;
  o.max_backoff = 30ms;
  testing::FakeHttpClient token_http;
  cms::TokenOptions token_options;
  token_options.token_url = "https://cms.example.test/oauth/token";
  token_options.client_id = "id";
  cms::TokenSource tokens(token_http, time_, token_options);
  auto r = std::make_unique<OutboxRelay>(io_.get_executor(), store_, sink_, canonical_, &tokens, time_, o);
  EXPECT_EQ(drain(*r, 300ms), RelayExit::deadline);
  EXPECT_GE(sink_.calls().size(), 11u);
  EXPECT_LE(sink_.calls().size(), 21u);
  for (const auto gap : call_gaps()) {
    EXPECT_GE(gap, 15ms);
    EXPECT_LE(gap, 30ms);
  }
  EXPECT_EQ(store_.dead_letters().size(), 0u);  // an auth problem is not the article's fault
}

TEST_F(OutboxRelayTest, DeadlineEndsADrainThatCannotFinish) {
  for (int i = 0; i < 50; ++i) sink_.upsert_script.push_back(FakeSink::error(CmsErrorKind::retryable, 503, "down"));
  article("a1", store::OpKind::upsert);
  auto o = options();
  o.base_backoff = 40ms;
  o.max_backoff = 40ms;
  auto r = relay(o);
  const auto start = time_.steady_now();
  EXPECT_EQ(drain(*r, 150ms), RelayExit::deadline);
  EXPECT_EQ(time_.steady_now() - start, 150ms);  // at the deadline, not a backoff later
  EXPECT_EQ(store_.outbox_stats().total.pending, 1);
  // Backoffs of 20-40 ms: 4 calls (0, 40, 80, 120 ms) to 8 (every 20 ms).
  EXPECT_GE(sink_.calls().size(), 4u);
  EXPECT_LE(sink_.calls().size(), 8u);
}

// SyncEngine::progress() sums the stats of every relay it ran (one per reload).
TEST(RelayStatsTest, AddingAddsEveryField) {
  RelayStats sum{1, 2, 3, 4, 5, 6, 7, 8};
  const RelayStats more{10, 20, 30, 40, 50, 60, 70, 80};
  sum += more;
  EXPECT_EQ(sum.created, 11u);
  EXPECT_EQ(sum.updated, 22u);
  EXPECT_EQ(sum.undeleted, 33u);
  EXPECT_EQ(sum.deleted, 44u);
  EXPECT_EQ(sum.canonical_posted, 55u);
  EXPECT_EQ(sum.retried, 66u);
  EXPECT_EQ(sum.dead_lettered, 77u);
  EXPECT_EQ(sum.store_errors, 88u);
}


// Issue 22: an editor's version the audit kept (cms.on_cms_edit: keep) gets no CMP change written
// over it, and says so; under overwrite the change is written and the mark goes, also said.
TEST_F(OutboxRelayTest, AnEditorsKeptVersionIsNotOverwrittenUnlessThePolicySaysSo) {
  article("a1", store::OpKind::upsert);
  auto r = relay(options());
  drain(*r);
  auto row = *store_.article("blog", "a1");
  row.cms_edit_kept = "v9";
  store_.upsert_article(row);

  article("a1", store::OpKind::upsert, /*pushed_before=*/true);
  drain(*r);
  EXPECT_EQ(sink_.calls().size(), 1u) << "nothing written over the editor's version";
  EXPECT_EQ(store_.outbox_stats().total, store::OpCounts{}) << "the op is done, not retried";
  EXPECT_EQ(store_.article("blog", "a1")->cms_edit_kept, "v9");
  EXPECT_EQ(journal_actions().back(), "cms-edit-kept a1");

  auto overwriting = options();
  overwriting.overwrite_cms_edits = true;
  auto r2 = relay(overwriting);
  article("a1", store::OpKind::upsert, /*pushed_before=*/true);
  drain(*r2);
  ASSERT_EQ(sink_.calls().size(), 2u);
  EXPECT_TRUE(sink_.calls()[1].known);
  EXPECT_FALSE(store_.article("blog", "a1")->cms_edit_kept.has_value());
  const auto actions = journal_actions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "cms-edit-overwritten a1"), actions.end());
}

}  // namespace
}  // namespace feedsync::engine
