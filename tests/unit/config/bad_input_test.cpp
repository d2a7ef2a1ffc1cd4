// Bad configuration input at the edges (issue 21 item 3): a 10 MB YAML, a file over the size cap,
// an alias bomb, deep nesting. Each loads or is refused with a message naming the file and the
// line; memory and time stay bounded (yaml-cpp shares aliased nodes rather than copying them,
// and the loader rejects a list where the schema wants a mapping or a scalar before walking it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace feedsync::config::testing;

// 10 MB of comments around a valid configuration: read whole and loaded as usual.
TEST(ConfigBadInput, A10MbYamlLoads) {
  std::string yaml = kMinimal;
  const std::string comment = "# " + std::string(97, 'x') + "\n";
  while (yaml.size() < 10 * 1024 * 1024) yaml += comment;
  yaml += "log:\n  level: debug\n";
  const Config config = load(yaml);
  EXPECT_EQ(config.log.level, "debug");
  ASSERT_EQ(config.feeds.size(), 1u);

  feedsync::testing::TempDir dir;
  const Config from_file = load_config(dir.write("feedsync.yaml", yaml), default_env());
  EXPECT_EQ(from_file.feeds.size(), 1u);
}

// A file over the 16 MiB cap is not read into memory at all: the error names the file.
TEST(ConfigBadInput, AFileOverTheCapIsRefusedNamingIt) {
  feedsync::testing::TempDir dir;
  std::string yaml = kMinimal;
  yaml += std::string(17 * 1024 * 1024, '#');
  const auto path = dir.write("huge.yaml", yaml);
  try {
    load_config(path, default_env());
    FAIL() << "a 17 MiB configuration loaded";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), StartsWith(path.string() + ": cannot read configuration file: "));
    EXPECT_THAT(e.what(), HasSubstr("is larger than 16384 KiB"));
  }
}

// Billion laughs: nine levels of nine aliases, 9^9 (387 million) leaves if expanded, as `items`
// (one line each, indented by `indent`). Wherever it is put, the loader names the line and the
// key at once, in little memory.
std::string alias_bomb(const std::string& indent) {
  std::string bomb = indent + "- &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    bomb += indent + "- &" + level + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(level - 1);
    bomb += "]\n";
  }
  return bomb + indent + "- *i\n";
}

TEST(ConfigBadInput, AnAliasBombIsRefusedNamingTheLine) {
  // Under a key the schema does not know: refused as unknown, without being walked.
  EXPECT_THAT(error_of(std::string(kMinimal) + "x-lol:\n" + alias_bomb("  ")),
              StartsWith("feedsync.yaml:16:1: x-lol: unknown key \"x-lol\""));
  // As the feeds list: its first element is not a mapping.
  const std::string head = std::string(kMinimal).substr(0, std::string(kMinimal).find("feeds:\n") + 7);
  EXPECT_EQ(error_of(head + alias_bomb("  ")), "feedsync.yaml:9:5: feeds[0]: expected a mapping, got a list");
  // As a header value, where a single value is wanted.
  EXPECT_EQ(error_of("source:\n  headers:\n    X-Lol:\n" + alias_bomb("      ")),
            "feedsync.yaml:4:7: source.headers.X-Lol: expected a single value, got a list");
}

// Deep flow nesting stops at yaml-cpp's depth guard: an error naming the file, not a stack
// overflow.
TEST(ConfigBadInput, DeepNestingIsAnErrorNotACrash) {
  EXPECT_THAT(error_of("feeds: " + std::string(100'000, '[')), StartsWith("feedsync.yaml"));
  EXPECT_THAT(error_of("feeds: " + std::string(100'000, '[')), HasSubstr("invalid YAML"));
}

}  // namespace
}  // namespace feedsync::config
