// Bad input at the edges of the Feed API (issue 21 item 3): each case is rejected or handled with
// a message that names the feed, the page offset or the entry's position, and nothing unusable
// reaches the planner (so nothing of it is written to the CMS). Cases covered elsewhere:
// invalid UTF-8 and NUL bytes (page_parser_test BrokenTextRejectsOnlyItsEntry,
// ProperTextIsUntouched...), duplicate guids (DuplicateGuidsAreReported...), entries that are
// not objects and unparsable timestamps (UnusableEntriesAreRejected...), a time far ahead
// (feed_client_test RejectFutureEntries), the body cap and gzip bombs in the HTTP client
// (net client_body_test ClientBody.*).
#include <boost/asio/io_context.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/content_key.hpp"
#include "core/time.hpp"
#include "feed/feed_client.hpp"
#include "feed/page_parser.hpp"
#include "net/run_on.hpp"
#include "unit/feed/fake_feed.hpp"

namespace feedsync::feed {
namespace {

using ::testing::HasSubstr;
using testing::FakeFeed;
using testing::FakeHttpClient;

constexpr std::int64_t kNewest = 1'753'358'503'000;

std::string content_entry(const std::string& guid, const std::string& modified_at = "2025-11-06T09:48:36Z") {
  return R"({"content":{"guid":")" + guid + R"(","title":"t","modified_at":")" + modified_at + R"("}})";
}

class FeedBadInput : public ::testing::Test {
 protected:
  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return net::run_on(io_, std::move(work));
  }

  boost::asio::io_context io_;
  FakeHttpClient http_;
  FeedClientOptions options_ = [] {
    FeedClientOptions options;
    options.base_url = "https://feeds.example.test";
    return options;
  }();
};

// A service that ignores pagesize and sends 50,000 entries in one page: read whole, each entry
// once; the scan goes on at the offset after them and ends at the empty page.
TEST_F(FeedBadInput, APageOf50000EntriesIsReadWhole) {
  FakeFeed feed;
  feed.add(50'000, kNewest);
  http_.fallback = [&](const net::Request& request) {
    net::Request all = request;
    all.url.replace(all.url.find("pagesize="), std::string("pagesize=999").size(), "pagesize=50000");
    return feed.serve(all);
  };
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("feed1"));
  ASSERT_TRUE(scan.has_value()) << scan.error().message;
  EXPECT_EQ(scan->entries.size(), 50'000u);
  EXPECT_TRUE(scan->rejected.empty());
  EXPECT_EQ(scan->entries.back().guid, "g49999");

  std::string body = R"({"entries":[)";
  for (int i = 0; i < 50'000; ++i) body += (i ? "," : "") + content_entry("g" + std::to_string(i));
  body += "]}";
  auto page = parse_feed_page(body, ParseContent::yes);
  ASSERT_TRUE(page.has_value()) << page.error();
  EXPECT_EQ(page->raw_entry_count, 50'000u);
  EXPECT_EQ(page->full_entries.size(), 50'000u);
}

// The client asks the HTTP layer to cap the body (FeedClientOptions::max_body, 64 MiB); a body
// over it fails the poll with a message naming the feed and the offset, and nothing is parsed.
TEST_F(FeedBadInput, ABodyOverTheCapFailsThePollNamingTheFeed) {
  options_.max_body = 1024;
  http_.push_error(net::ErrorKind::body_too_large, "GET feeds.example.test: response body over 1024 bytes");
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("blogfeed"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::network);
  EXPECT_THAT(scan.error().message, HasSubstr("feed blogfeed (offset 0)"));
  EXPECT_THAT(scan.error().message, HasSubstr("over 1024 bytes"));
  ASSERT_EQ(http_.calls().size(), 1u);
  EXPECT_EQ(http_.calls()[0].request.max_body, 1024u);
  EXPECT_EQ(FeedClientOptions{}.max_body, 64u * 1024 * 1024);
}

// 100,000 nested arrays, as the page and inside one entry's content: Boost.JSON stops at its
// depth limit (no recursion to blow the stack), and the page fails as a whole, naming the feed.
TEST_F(FeedBadInput, DeepNestingFailsThePageNotTheProcess) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto page = parse_feed_page(deep, ParseContent::no);
  ASSERT_FALSE(page.has_value());
  EXPECT_THAT(page.error(), HasSubstr("not valid JSON"));

  const std::string nested_entry = R"({"entries":[)" + content_entry("ok") +
                                   R"(,{"content":{"guid":"deep","modified_at":"2025-11-06T09:48:36Z","x":)" +
                                   deep + "}}]}";
  http_.fallback = [&](const net::Request&) { return net::Response{200, {}, nested_entry}; };
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("blogfeed"));
  ASSERT_FALSE(scan.has_value());
  EXPECT_EQ(scan.error().kind, FeedErrorKind::malformed);
  EXPECT_THAT(scan.error().message, HasSubstr("feed blogfeed (offset 0): the page is not valid JSON"));
}

// A guid is an opaque identifier: `/`, `..`, spaces and 10 KB are kept as sent, each gives its
// own content key (a UUID: nothing of the guid reaches a CMS path), and none is confused with
// another.
TEST_F(FeedBadInput, GuidsWithSlashesDotsSpacesOr10KbAreKeptAsOpaqueIdentifiers) {
  const std::vector<std::string> guids{"a/b", "/", "..", ".", "../../etc/passwd", "a b", " ", "a%2Fb",
                                       std::string(10 * 1024, 'g')};
  std::string body = R"({"entries":[)";
  for (std::size_t i = 0; i < guids.size(); ++i) body += (i ? "," : "") + content_entry(guids[i]);
  body += "]}";
  auto page = parse_feed_page(body, ParseContent::yes);
  ASSERT_TRUE(page.has_value()) << page.error();
  EXPECT_TRUE(page->rejected.empty());
  ASSERT_EQ(page->entries.size(), guids.size());
  std::set<std::string> keys;
  for (std::size_t i = 0; i < guids.size(); ++i) {
    EXPECT_EQ(page->entries[i].guid, guids[i]);
    const std::string key = content_key("blog", guids[i]);
    EXPECT_EQ(key.size(), 32u);
    EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), guids.size());
}

// 1970 (a default or a broken clock), 2999 (a clock far ahead) and unparsable text: each entry
// is rejected by position and guid, the rest of the page is read, and the far-future one keeps
// its guid so it is not taken for vanished.
TEST_F(FeedBadInput, TimestampsIn1970Or2999OrUnparsableAreRejectedNamingTheEntry) {
  const std::string body = R"({"entries":[)" + content_entry("ok") + "," +
                           content_entry("epoch", "1970-01-01T00:00:00Z") + "," +
                           content_entry("future", "2999-01-01T00:00:00Z") + "," +
                           content_entry("garbled", "2025-13-45T99:99:99Z") + "]}";
  http_.fallback = [&](const net::Request& request) {
    if (request.url.find("offset=0") != std::string::npos) return net::Response{200, {}, body};
    return net::Response{200, {}, R"({"entries":[]})"};
  };
  FeedClient client(http_, options_);
  auto scan = run(client.full_index("blogfeed"));
  ASSERT_TRUE(scan.has_value()) << scan.error().message;
  ASSERT_EQ(scan->entries.size(), 2u);  // "future" parses; reject_future_entries takes it out
  const std::int64_t now = *parse_rfc3339_ms("2025-11-06T10:00:00Z");
  EXPECT_EQ(reject_future_entries(*scan, now), 1u);
  ASSERT_EQ(scan->entries.size(), 1u);
  EXPECT_EQ(scan->entries[0].guid, "ok");
  ASSERT_EQ(scan->rejected.size(), 3u);
  EXPECT_EQ(scan->rejected[0].position, 1u);
  EXPECT_EQ(scan->rejected[0].guid, "epoch");
  EXPECT_THAT(scan->rejected[0].reason, HasSubstr("before 2000-01-01"));
  EXPECT_EQ(scan->rejected[1].position, 3u);
  EXPECT_EQ(scan->rejected[1].guid, "garbled");
  EXPECT_THAT(scan->rejected[1].reason, HasSubstr("\"2025-13-45T99:99:99Z\" is not an RFC 3339"));
  EXPECT_EQ(scan->rejected[2].guid, "future");
  EXPECT_THAT(scan->rejected[2].reason, HasSubstr("more than a day ahead"));
}

}  // namespace
}  // namespace feedsync::feed
