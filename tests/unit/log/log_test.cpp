#include "log/log.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace feedsync::log {
namespace {

using std::chrono::system_clock;

// 2026-11-22T12:00:00.123Z
const system_clock::time_point kWhen =
    system_clock::time_point(std::chrono::milliseconds(1795348800123LL));

TEST(LogFormat, TextLineHasTimestampLevelMessageAndFields) {
  const std::vector<Field> fields = {{"feed", "blog"}, {"guid", "a1"}, {"cms_key", "9f0c"}};
  EXPECT_EQ(format_line({}, kWhen, Level::info, "article pushed", fields),
            "2026-11-22T12:00:00.123Z info    article pushed feed=blog guid=a1 cms_key=9f0c");
}

TEST(LogFormat, TextQuotesValuesWithSpacesAndEscapesQuotes) {
  const std::vector<Field> fields = {{"title", "Hello \"world\""}, {"empty", ""}};
  EXPECT_EQ(format_line({}, kWhen, Level::warn, "m", fields),
            "2026-11-22T12:00:00.123Z warn    m title=\"Hello \\\"world\\\"\" empty=\"\"");
}

TEST(LogFormat, NewlinesCannotForgeExtraLines) {
  const std::vector<Field> fields = {{"detail", "a\nb"}};
  const std::string line =
      format_line({}, kWhen, Level::error, "bad\n2026-01-01 info forged", fields);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find("bad\\n2026"), std::string::npos) << line;
  EXPECT_NE(line.find("detail=\"a\\nb\""), std::string::npos) << line;
}

TEST(LogFormat, JournalLinesCarrySyslogPriorityAndNoTimestamp) {
  Options journal{.level = Level::info, .format = Format::text, .journal = true};
  EXPECT_EQ(format_line(journal, kWhen, Level::info, "hello", {}), "<6>hello");
  EXPECT_EQ(format_line(journal, kWhen, Level::warn, "w", {}), "<4>w");
  EXPECT_EQ(format_line(journal, kWhen, Level::error, "e", {}), "<3>e");
  EXPECT_EQ(format_line(journal, kWhen, Level::critical, "c", {}), "<2>c");
  EXPECT_EQ(format_line(journal, kWhen, Level::debug, "d", {}), "<7>d");
}

TEST(LogFormat, JsonIsOneObjectWithStructuredFields) {
  Options json{.level = Level::info, .format = Format::json, .journal = false};
  const std::vector<Field> fields = {{"feed", "blog"}, {"guid", "g\"1"}};
  const std::string line = format_line(json, kWhen, Level::info, "line\none", fields);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto value = boost::json::parse(line).as_object();
  EXPECT_EQ(value.at("ts").as_string(), "2026-11-22T12:00:00.123Z");
  EXPECT_EQ(value.at("level").as_string(), "info");
  EXPECT_EQ(value.at("msg").as_string(), "line\none");
  EXPECT_EQ(value.at("feed").as_string(), "blog");
  EXPECT_EQ(value.at("guid").as_string(), "g\"1");
}

TEST(LogLevels, ParseAndName) {
  EXPECT_EQ(parse_level("debug"), Level::debug);
  EXPECT_EQ(parse_level("warning"), Level::warn);
  EXPECT_EQ(parse_level("off"), Level::off);
  EXPECT_FALSE(parse_level("loud").has_value());
  EXPECT_EQ(level_name(Level::critical), "critical");
}

TEST(LogRedaction, ReplacesEverySecretOccurrence) {
  EXPECT_EQ(redact("token s3cr3t and s3cr3t again", {"s3cr3t"}),
            "token [redacted] and [redacted] again");
  EXPECT_EQ(redact("nothing here", {"s3cr3t", ""}), "nothing here");
  EXPECT_EQ(redact("s3cr3t", {"s3cr3t"}), "[redacted]");
  EXPECT_EQ(redact("s3cr3ts3cr3t!", {"s3cr3t"}), "[redacted][redacted]!");
  EXPECT_EQ(redact("", {"s3cr3t"}), "");
}

TEST(LogRedaction, TheLongestSecretStartingAtAPlaceWins) {
  // A Deleted Feed's id is its live feed's id plus a suffix: neither may leave a part behind.
  const std::vector<std::string> ids{"feed1", "feed1deleted"};
  EXPECT_EQ(redact("GET /v2/feed/feed1deleted and /v2/feed/feed1?x", ids), "GET /v2/feed/[redacted] and /v2/feed/[redacted]?x");
  EXPECT_EQ(redact("abcabd", {"abd", "bca"}), "a[redacted]bd");  // left to right, no overlap
}

TEST(LogRedaction, ThousandsOfSecretsAreAllFound) {
  // 1,000 feeds: 2,000 ids, every one found wherever it is, none mistaken for another.
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "%032x", i * 7919 + 1);
    ids.emplace_back(id);
    ids.push_back(std::string(id) + "deleted");
  }
  const Redactor redactor(ids);
  for (int i = 0; i < 2000; i += 97) {
    EXPECT_EQ(redactor.apply("feed " + ids[i] + " (offset 0): HTTP 500"), "feed [redacted] (offset 0): HTTP 500") << i;
  }
  EXPECT_EQ(redactor.apply("feed 00000000000000000000000000000000 is not one"),
            "feed 00000000000000000000000000000000 is not one");
  EXPECT_FALSE(redactor.empty());
  EXPECT_TRUE(Redactor({"", ""}).empty());
}

class LoggerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    set_secrets({});
    configure({});  // back to stderr so a stale stream is never used
  }
  std::ostringstream out_;
};

TEST_F(LoggerTest, SecretsNeverReachTheOutputInAnyFormat) {
  const std::string secret = "pa\"ss\\word-123";
  for (Format format : {Format::text, Format::json}) {
    out_.str("");
    configure({.level = Level::trace, .format = format, .journal = false}, &out_);
    set_secrets({secret});
    info("token request failed for " + secret, {{"body", "client_secret=" + secret}});
    const std::string written = out_.str();
    EXPECT_EQ(written.find(secret), std::string::npos) << written;
    EXPECT_EQ(written.find("pa\\\"ss"), std::string::npos) << written;  // JSON-escaped form
    EXPECT_NE(written.find("[redacted]"), std::string::npos) << written;
  }
}

TEST_F(LoggerTest, LevelFiltersLines) {
  configure({.level = Level::warn, .format = Format::text, .journal = false}, &out_);
  info("quiet");
  warn("loud");
  EXPECT_EQ(out_.str().find("quiet"), std::string::npos);
  EXPECT_NE(out_.str().find("loud"), std::string::npos);
  EXPECT_FALSE(enabled(Level::info));
  EXPECT_TRUE(enabled(Level::error));
}

TEST_F(LoggerTest, EachRecordIsExactlyOneLine) {
  configure({.level = Level::info, .format = Format::text, .journal = true}, &out_);
  info("one\ntwo", {{"k", "v\nw"}});
  EXPECT_EQ(out_.str(), "<6>one\\ntwo k=\"v\\nw\"\n");
}

class JournalDetection : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("JOURNAL_STREAM"); }
};

TEST_F(JournalDetection, MatchesOnlyStderrsDeviceAndInode) {
  struct stat st {};
  ASSERT_EQ(::fstat(2, &st), 0);
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());
  const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  ::setenv("JOURNAL_STREAM", other.c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(stderr_is_journal());
}

}  // namespace
}  // namespace feedsync::log
