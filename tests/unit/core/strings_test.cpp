#include "core/strings.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

TEST(AsciiLower, FoldsOnlyAsciiCapitals) {
  EXPECT_EQ(ascii_lower('A'), 'a');
  EXPECT_EQ(ascii_lower('Z'), 'z');
  EXPECT_EQ(ascii_lower('a'), 'a');
  EXPECT_EQ(ascii_lower('@'), '@');  // just below 'A'
  EXPECT_EQ(ascii_lower('['), '[');  // just above 'Z'
  EXPECT_EQ(ascii_lower("Content-Type: Text/HTML"), "content-type: text/html");
  EXPECT_EQ(ascii_lower(""), "");
  // UTF-8 bytes pass through whatever the process locale: "ÄÖ" stays as it is.
  EXPECT_EQ(ascii_lower("\xC3\x84\xC3\x96X"), "\xC3\x84\xC3\x96x");
}

TEST(IequalsAscii, IgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals_ascii("Content-Length", "content-length"));
  EXPECT_TRUE(iequals_ascii("", ""));
  EXPECT_FALSE(iequals_ascii("true", "tru"));
  EXPECT_FALSE(iequals_ascii("true", "truE "));
  EXPECT_FALSE(iequals_ascii("@", "`"));  // 0x40 and 0x60 differ by the case bit, but are no letters
  EXPECT_FALSE(iequals_ascii("\xC3\xA4", "\xC3\x84"));  // ä and Ä: not ASCII
}

TEST(IstartsWithAscii, ComparesThePrefixOnly) {
  EXPECT_TRUE(istarts_with_ascii("Text/Plain; charset=utf-8", "text/plain"));
  EXPECT_TRUE(istarts_with_ascii("abc", ""));
  EXPECT_FALSE(istarts_with_ascii("text", "text/plain"));
  EXPECT_FALSE(istarts_with_ascii("application/json", "text/"));
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("interval", "interval"), 0u);
  EXPECT_EQ(edit_distance("intervall", "interval"), 1u);
  EXPECT_EQ(edit_distance("inteval", "interval"), 1u);
  EXPECT_EQ(edit_distance("display_name", "displayName"), 2u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("slgu", "slug"), 2u);  // a swap is two edits
}

}  // namespace
}  // namespace feedsync
