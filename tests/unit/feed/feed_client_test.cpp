#include "feed/feed_client.hpp"

#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/run_on.hpp"
#include "unit/feed/fake_feed.hpp"

namespace feedsync::feed {
namespace {

using ::testing::HasSubstr;
using testing::FakeFeed;
using testing::FakeHttpClient;

constexpr std::int64_t kNewest = 1'753'358'503'000;

class FeedClientTest : public ::testing::Test {
 protected:
  FeedClientTest() {
    feed_.attach(http_);
    options_.base_url = "https://feeds.example.test";
    options_.extra_headers.add("X-Tenant", "t1");
  }

  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return net::run_on(io_, std::move(work));
  }

  boost::asio::io_context io_;
  FakeHttpClient http_;
  FakeFeed feed_;
  FeedClientOptions options_;
};

TEST_F(FeedClientTest, PageUrlsAreTheDocumentedFieldLimitedRequests) {
  FeedClient client(http_, options_);
  EXPECT_EQ(client.page_url("0569f69ed223720c699936eddbc7tyxP8d3", 999, 1998, true),
            "https://feeds.example.test/v2/feed/0569f69ed223720c699936eddbc7tyxP8d3"
            "?format=json&sort_by=modified_at&fields=guid,modified_at&pagesize=999&offset=1998");
  EXPECT_EQ(client.page_url("abc", 200, 0, false),
            "https://feeds.example.test/v2/feed/abc?format=json&sort_by=modified_at&pagesize=200&offset=0");
  options_.base_url = "https://gateway.example.test/cmp/";
  FeedClient prefixed(http_, options_);
  EXPECT_EQ(prefixed.page_url("a b", 10, 0, false),
            "https://gateway.example.test/cmp/v2/feed/a%20b?format=json&sort_by=modified_at&pagesize=10&offset=0");
}

// Only an empty page ends a scan (issue 17): a short page may be a server-side cap. That costs one
// request more than reading a short page as the end, never more.
TEST_F(FeedClientTest, FullIndexPagesUntilAnEmptyPageAtTheBoundaries) {
  for (auto [articles, requests] : {std::pair{0, 1}, {998, 2}, {999, 2}, {1000, 3}, {1001, 3}, {1998, 3}}) {
    feed_.articles.clear();
    feed_.add(articles, kNewest);
    const auto before = http_.calls().size();
    FeedClient client(http_, options_);
    auto scan = run(client.full_index("feed1"));
    ASSERT_TRUE(scan.has_value()) << scan.error().message;
    EXPECT_EQ(scan->entries.size(), static_cast<std::size_t>(articles)) << articles;
    EXPECT_EQ(scan->requests, requests) << articles;
    EXPECT_EQ(http_.calls().size() - before, static_cast<std::size_t>(requests)) << articles;
    EXPECT_TRUE(scan->complete) << articles;
    EXPECT_EQ(scan->envelope_modified_at, feed_.envelope_modified_at);
    EXPECT_FALSE(scan->shape.capped) << articles;
    EXPECT_TRUE(scan->shape.notes(options_.index_page_size).empty()) << articles;
  }
  const auto& last = http_.calls().back().request;
  EXPECT_EQ(last.headers.get("X-Tenant"), "t1");
  EXPECT_EQ(last.max_body, 64u * 1024 * 1024);
}

TEST_F(FeedClientTest, IncrementalPollStopsBelowWatermarkMinusOverlap) {
  feed_.add(5000, kNewest);  // one article per second, newest first
  FeedClient client(http_, options_);
  // Nothing new: the first page already reaches below the watermark.
  auto steady = run(client.incremental_index("feed1", kNewest, 300'000));
  ASSERT_TRUE(steady.has_value());
  EXPECT_EQ(steady->requests, 1);
  EXPECT_FALSE(steady->complete);
  // A watermark 1200 articles back needs two pages.
  auto catching_up = run(client.incremental_index("feed1", kNewest - 1200 * 1000LL, 0));
  ASSERT_TRUE(catching_up.has_value());
  EXPECT_EQ(catching_up->requests, 2);
}

// A short page ends an incremental poll only when it holds something already seen (at or below
// the watermark); a short page of entries all newer may be a cap, so the poll reads on.
TEST_F(FeedClientTest, AShortPageEndsAnIncrementalPollOnlyWhenItReachesTheWatermark) {
  feed_.add(5, kNewest);  // all five inside the overlap
  FeedClient client(http_, options_);
  auto settled = run(client.incremental_index("feed1", kNewest, 300'000));
  ASSERT_TRUE(settled.has_value());
  EXPECT_EQ(settled->requests, 1);
  EXPECT_EQ(settled->entries.size(), 5u);
  auto all_new = run(client.incremental_index("feed1", kNewest - 60'000, 300'000));
  ASSERT_TRUE(all_new.has_value());
  EXPECT_EQ(all_new->requests, 2);  // the five, then the empty page
  EXPECT_TRUE(all_new->reached_end);
}

// Issue 17: a service capping pages at 233 made a feed of 700 look like 233 articles, and the
// next full scan would have deleted the rest. Offsets now advance by the entries received.
TEST_F(FeedClientTest, APageCapIsNotTakenForTheEndOfTheFeed) {
  feed_.add(700, kNewest);
  feed_.page_cap = 233;
  FeedClient client(http_, options_);
  const auto before = http_.calls().size();
  auto scan = run(client.full_index("feed1"));
  ASSERT_TRUE(scan.has_value()) << scan.error().message;
  EXPECT_EQ(scan->entries.size(), 700u);
  EXPECT_EQ(scan->entries.back().guid, "g699");
  EXPECT_TRUE(scan->complete);
  EXPECT_EQ(scan->requests, 5);  // 233 + 233 + 233 + 1 + the empty page
  std::vector<std::string> offsets;
  for (auto i = before; i < http_.calls().size(); ++i) {
    const auto& url = http_.calls()[i].request.url;
    offsets.push_back(url.substr(url.find("offset=") + 7));
  }
  EXPECT_EQ(offsets, (std::vector<std::string>{"0", "233", "466", "699", "700"}));
  EXPECT_TRUE(scan->shape.capped);
  EXPECT_EQ(scan->shape.largest_page, 233u);
  EXPECT_THAT(client.new_shape_notes("feed1", scan->shape),
              ::testing::ElementsAre(HasSubstr("pages hold at most 233 entries (asked for 999)")));
  EXPECT_TRUE(client.new_shape_notes("feed1", scan->shape).empty());  // once per feed

  // An incremental poll whose first (short) page is all above the watermark reads on; one that
  // reaches below it stops after one page, as before.
  auto catching_up = run(client.incremental_index("feed1", kNewest - 300 * 1000LL, 0));
  ASSERT_TRUE(catching_up.has_value());
  EXPECT_EQ(catching_up->requests, 2);
  EXPECT_EQ(catching_up->entries.size(), 466u);
  auto steady = run(client.incremental_index("feed1", kNewest, 60'000));
  ASSERT_TRUE(steady.has_value());
  EXPECT_EQ(steady->requests, 1);

  // The fetch pages the same way: g650 is on the third capped page of 200 asked for.
  options_.page_size = 200;
  FeedClient fetcher(http_, options_);
  auto fetched = run(fetcher.fetch("feed1", {"g650"}));
  ASSERT_TRUE(fetched.has_value());
  ASSERT_EQ(fetched->entries.size(), 1u);
  EXPECT_EQ(fetched->requests, 4);  // offsets 0, 200, 400, 600
  EXPECT_TRUE(fetched->missing.empty());
}

// A service that ignores `offset` would send the first page for ever: the scan fails, naming it,
// instead of looping.
TEST_F(FeedClientTest, AServiceIgnoringOffsetFailsTheScanInsteadOfLooping) {
  feed_.add(300, kNewest);
  feed_.page_cap = 100;
  feed_.ignore_offset = true;
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("feed1"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::malformed);
  EXPECT_THAT(scan.error().message, HasSubstr("feed feed1 (offset 100)"));
  EXPECT_THAT(scan.error().message, HasSubstr("ignore `offset`"));
  auto fetched = run(client.fetch("feed1", {"absent"}));
  ASSERT_FALSE(fetched.has_value());
  EXPECT_THAT(fetched.error().message, HasSubstr("ignore `offset`"));
}

// The same, on pages whose guids cannot be read (so the pages cannot be compared): the scan ends
// at a bound no feed reaches, naming it, instead of never.
TEST_F(FeedClientTest, AScanWithoutAnEndStopsAtTheEntryBound) {
  options_.max_scan_entries = 50;
  http_.fallback = [](const net::Request&) -> net::Result {
    std::string entries;
    for (int i = 0; i < 10; ++i) entries += std::string(i ? "," : "") + R"({"content":{"modified_at":"2025-11-06T09:48:36Z"}})";
    return net::Response{200, {}, R"({"modified_at":"2025-11-06T09:48:36Z","entries":[)" + entries + "]}"};
  };
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("feed1"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_THAT(scan.error().message, HasSubstr("more than 50 entries and no empty page"));
  EXPECT_EQ(http_.calls().size(), 7u);  // offsets 0, 10, ... 60: the page at 60 is past the bound
}

// `check --connect` reads at most two pages: enough to tell a cap from the end of the feed.
TEST_F(FeedClientTest, TheProbeTellsACapFromTheEndInTwoRequests) {
  feed_.add(700, kNewest);
  feed_.page_cap = 233;
  FeedClient client(http_, options_);
  auto capped = run(client.probe("feed1"));
  ASSERT_TRUE(capped.has_value());
  EXPECT_EQ(capped->requests, 2);
  EXPECT_TRUE(capped->shape.capped);
  EXPECT_FALSE(capped->complete);
  feed_.page_cap = 0;
  auto whole = run(client.probe("feed1"));
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->requests, 2);  // 700, then the empty page
  EXPECT_FALSE(whole->shape.capped);
  EXPECT_TRUE(whole->complete);
}

TEST_F(FeedClientTest, FeedChangingUnderAScanMakesItIncomplete) {
  feed_.add(1500, kNewest);
  feed_.before_page = [this](std::int64_t offset) {
    if (offset > 0) feed_.envelope_modified_at += 1000;  // an editor published mid-scan
  };
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("feed1"));
  ASSERT_TRUE(scan.has_value());
  EXPECT_TRUE(scan->reached_end);
  EXPECT_FALSE(scan->complete);
}

TEST(RejectFutureEntries, ATimeFarAheadIsNotTrustedAndItsGuidIsKept) {
  IndexScan scan;
  const std::int64_t now = kNewest;
  scan.entries.push_back({"ok", now + 3'600'000, 0});               // an hour ahead: clock skew
  scan.entries.push_back({"future", 253'402'214'400'000, 0});       // 9999-12-31
  EXPECT_EQ(reject_future_entries(scan, now), 1u);
  ASSERT_EQ(scan.entries.size(), 1u);
  EXPECT_EQ(scan.entries[0].guid, "ok");
  ASSERT_EQ(scan.rejected.size(), 1u);
  EXPECT_EQ(scan.rejected[0].guid, "future");
  EXPECT_THAT(scan.rejected[0].reason, ::testing::HasSubstr("9999-12-31"));
  EXPECT_THAT(scan.rejected[0].reason, ::testing::HasSubstr("more than a day ahead"));
}

TEST_F(FeedClientTest, UnknownFeedIsNotFoundWithTheServersMessage) {
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("nosuchfeed"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::not_found);
  EXPECT_THAT(scan.error().message, HasSubstr("feed nosuchfeed not found"));
  EXPECT_THAT(scan.error().message, HasSubstr("Collection with guid x not found"));
}

TEST_F(FeedClientTest, FailuresOnALaterPageFailTheWholeScan) {
  feed_.add(1500, kNewest);
  http_.fallback = [this](const net::Request& request) -> net::Result {
    if (request.url.find("offset=999") != std::string::npos)
      return net::Response{200, {}, R"({"entries": [ {"content": )"};
    return feed_.serve(request);
  };
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("feed1"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::malformed);
  EXPECT_THAT(scan.error().message, HasSubstr("feed feed1 (offset 999)"));

  http_.fallback = [](const net::Request&) -> net::Result { return net::Response{503, {}, ""}; };
  scan = run(client.full_index("feed1"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::http_status);
  EXPECT_EQ(scan.error().status, 503);

  http_.push_error(net::ErrorKind::timeout, "GET feeds.example.test: request timed out");
  scan = run(client.full_index("feed1"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::network);
  EXPECT_THAT(scan.error().message, HasSubstr("timed out"));
}

TEST_F(FeedClientTest, FetchStopsOnceEveryWantedGuidIsSeenAndReportsMissing) {
  feed_.add(1000, kNewest);
  options_.page_size = 200;
  FeedClient client(http_, options_);
  auto result = run(client.fetch("feed1", {"g5", "g350", "gone"}));
  ASSERT_TRUE(result.has_value()) << result.error().message;
  ASSERT_EQ(result->entries.size(), 2u);
  EXPECT_EQ(result->entries[0].index.guid, "g5");
  EXPECT_EQ(result->entries[0].content.at("title").as_string(), "Title");
  EXPECT_EQ(result->missing, std::vector<std::string>{"gone"});
  EXPECT_EQ(result->requests, 6);  // "gone" is never found: read to the end (5 full + 1 empty)

  auto quick = run(client.fetch("feed1", {"g1", "g250"}));
  ASSERT_TRUE(quick.has_value());
  EXPECT_EQ(quick->requests, 2);  // g250 is on the second page of 200
  EXPECT_TRUE(quick->missing.empty());
}

}  // namespace
}  // namespace feedsync::feed
