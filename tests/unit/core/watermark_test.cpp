// The watermark rules of the poll cycle, case by case.
#include "core/watermark.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

using Ms = std::optional<std::int64_t>;

IndexEntry entry(const std::string& guid, std::int64_t content, std::int64_t placement = 0) {
  return {guid, placement, content};
}

TEST(NextWatermark, NewestSeenCappedBelowWhatWentMissingNeverBack) {
  struct Case {
    const char* name;
    Ms newest_seen;
    std::vector<IndexEntry> wanted;
    std::vector<std::string> missing;
    Ms previous;
    Ms expected;
  };
  const std::vector<Case> cases = {
      {"first poll of an empty feed", std::nullopt, {}, {}, std::nullopt, std::nullopt},
      {"first poll", 500, {entry("a", 500)}, {}, std::nullopt, 500},
      {"moves forward", 900, {entry("a", 900)}, {}, 500, 900},
      {"never moves back", 400, {}, {}, 500, 500},
      {"an empty incremental poll keeps it", std::nullopt, {}, {}, 500, 500},
      {"a fetched entry gone by the fetch holds it below that entry", 900,
       {entry("a", 900), entry("b", 700)}, {"b"}, 500, 699},
      {"the placement time counts when it is the newer", 900, {entry("b", 600, 800)}, {"b"}, 500, 799},
      {"the lowest of several missing entries wins", 900,
       {entry("a", 800), entry("b", 700), entry("c", 750)}, {"a", "b"}, 500, 699},
      {"the cap never takes it below the previous one", 900, {entry("b", 400)}, {"b"}, 500, 500},
      {"a missing guid that was not wanted changes nothing", 900, {entry("a", 900)}, {"z"}, 500, 900},
      {"no entry seen: nothing to cap", std::nullopt, {entry("b", 400)}, {"b"}, std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(next_watermark(c.newest_seen, c.wanted, c.missing, c.previous), c.expected) << c.name;
  }
}

TEST(NextDeletedWatermark, NewestReadUnlessHeldNeverBack) {
  struct Case {
    const char* name;
    Ms newest_read;
    bool held;
    Ms previous;
    Ms expected;
  };
  const std::vector<Case> cases = {
      {"first read", 300, false, std::nullopt, 300},
      {"moves forward", 300, false, 200, 300},
      {"never moves back", 100, false, 200, 200},
      {"nothing read: nothing to record", std::nullopt, false, 200, std::nullopt},
      {"held deletions: read again after approval", 300, true, 200, std::nullopt},
      {"held on a first read", 300, true, std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(next_deleted_watermark(c.newest_read, c.held, c.previous), c.expected) << c.name;
  }
}

}  // namespace
}  // namespace feedsync
