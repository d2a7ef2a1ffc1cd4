// The helpers under the transforms: HTML entities and text, the pixel, UTF-8, date formats.

#include <gtest/gtest.h>

#include "core/html.hpp"
#include "core/mapping_date.hpp"
#include "core/mapping_text.hpp"

namespace feedsync {
namespace {

TEST(HtmlEntities, NamedDecimalAndHex) {
  EXPECT_EQ(html::decode_entities("&amp; &lt; &gt; &quot; &apos; &#39; &#x27; &#X27;"),
            "& < > \" ' ' ' '");
  EXPECT_EQ(html::decode_entities("a&nbsp;b"), "a\xC2\xA0" "b");
  EXPECT_EQ(html::decode_entities("&eacute;&Eacute;&hellip;&mdash;&euro;&trade;"),
            "éÉ…—€™");
  EXPECT_EQ(html::decode_entities("&#128512;&#x1F600;"), "😀😀");
  EXPECT_EQ(html::decode_entities("&#000065;"), "A");
}

TEST(HtmlEscape, EscapesTheFourMarkupCharactersOnly) {
  EXPECT_EQ(html::escape(R"(<a href="x?a=1&b=2">it's > "that"</a>)"),
            "&lt;a href=&quot;x?a=1&amp;b=2&quot;&gt;it's &gt; &quot;that&quot;&lt;/a&gt;");
  EXPECT_EQ(html::escape("plain \xC3\xA9t\xC3\xA9"), "plain \xC3\xA9t\xC3\xA9");
  EXPECT_EQ(html::escape(""), "");
  std::string out = "<p>";
  html::append_escaped(out, "a&b");
  EXPECT_EQ(out, "<p>a&amp;b");
  // What escape() writes, decode_entities() reads back.
  const std::string text = "x < y && \"z\" > 0";
  EXPECT_EQ(html::decode_entities(html::escape(text)), text);
}

TEST(HtmlEntities, MalformedReferencesStayAsWritten) {
  EXPECT_EQ(html::decode_entities("AT&T"), "AT&T");
  EXPECT_EQ(html::decode_entities("&amp"), "&amp");
  EXPECT_EQ(html::decode_entities("&nosuch;"), "&nosuch;");
  EXPECT_EQ(html::decode_entities("&#;&#x;&#12a;"), "&#;&#x;&#12a;");
  EXPECT_EQ(html::decode_entities("&AMP;"), "&AMP;");  // names are case-sensitive
  EXPECT_EQ(html::decode_entities("&&amp;"), "&&");
  EXPECT_EQ(html::decode_entities("&#xD800;&#99999999999;"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(HtmlEntities, TableLookup) {
  EXPECT_EQ(html::named_entity("AElig"), U'\u00C6');
  EXPECT_EQ(html::named_entity("zwnj"), U'\u200C');
  EXPECT_EQ(html::named_entity("amp"), U'&');
  EXPECT_FALSE(html::named_entity(""));
  EXPECT_FALSE(html::named_entity("ampx"));
}

TEST(HtmlText, BlocksSeparateWordsInlineTagsDoNot) {
  EXPECT_EQ(html::to_text("<ul><li>one</li><li>two</li></ul>"), "one two");
  EXPECT_EQ(html::to_text("<td>a</td><td>b</td>"), "a b");
  EXPECT_EQ(html::to_text("un<em>believ</em>able"), "unbelievable");
  EXPECT_EQ(html::to_text("<!DOCTYPE html><p>x</p>"), "x");
  EXPECT_EQ(html::to_text("<p>open <b unterminated"), "open <b unterminated");
  EXPECT_EQ(html::to_text("<SCRIPT>x</SCRIPT>y<style>"), "y");
  EXPECT_EQ(html::to_text("&lt;p&gt; is a tag"), "<p> is a tag");
  EXPECT_EQ(html::to_text(""), "");
}

TEST(HtmlPixel, TheDocumentedSampleBody) {
  const std::string body =
      "<p>Lorem ipsum dolor sit amet, consectetur adipiscing ...</p>\n<p>...sed do eiusmod tempor "
      "incididunt...</p>\n<img src=\"https://pixel.optimizely.com/px.gif?key=YXJ0aWNsZT0xNTFhM2Yz"
      "Y2NkYTUxMWVhYjZkYjBhZDRmOWJlNzJkOQ==\" alt=\"\" height=\"1\" width=\"1\" "
      "class=\"nc_pixel\"/>";
  EXPECT_EQ(html::strip_tracking_pixel(body),
            "<p>Lorem ipsum dolor sit amet, consectetur adipiscing ...</p>\n<p>...sed do eiusmod "
            "tempor incididunt...</p>");
  EXPECT_EQ(html::to_text(html::strip_tracking_pixel(body)),
            "Lorem ipsum dolor sit amet, consectetur adipiscing ... ...sed do eiusmod tempor "
            "incididunt...");
}

TEST(HtmlPixel, EveryPixelGoesWherever) {
  EXPECT_EQ(html::strip_tracking_pixel("<img class=\"nc_pixel\"><p>x</p><img class='nc_pixel'/>"),
            "<p>x</p>");
  EXPECT_EQ(html::strip_tracking_pixel("<!-- <img class=nc_pixel> --><p>x</p>"),
            "<!-- <img class=nc_pixel> --><p>x</p>");
  EXPECT_EQ(html::strip_tracking_pixel("<img class=\"a&#32;nc_pixel\">"), "");
  EXPECT_EQ(html::strip_tracking_pixel("<imgx class=nc_pixel>"), "<imgx class=nc_pixel>");
}

TEST(Utf8, DecodesAndEncodes) {
  const std::string text = "a\xC3\xA9\xE6\x9D\xB1\xF0\x9F\x98\x80";
  std::size_t pos = 0;
  EXPECT_EQ(mapping::next_code_point(text, pos), U'a');
  EXPECT_EQ(mapping::next_code_point(text, pos), U'\u00E9');
  EXPECT_EQ(mapping::next_code_point(text, pos), U'\u6771');
  EXPECT_EQ(mapping::next_code_point(text, pos), U'\U0001F600');
  EXPECT_EQ(pos, text.size());
  std::string out;
  for (const char32_t cp : {U'a', U'\u00E9', U'\u6771', U'\U0001F600'}) {
    mapping::append_utf8(out, cp);
  }
  EXPECT_EQ(out, text);
}

TEST(Utf8, InvalidBytesCountAsOneReplacementEach) {
  // Stray continuation, overlong, surrogate, past U+10FFFF, truncated.
  for (const std::string bad :
       {"\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE6\x9D"}) {
    std::size_t pos = 0;
    EXPECT_EQ(mapping::next_code_point(bad, pos), U'\uFFFD');
    EXPECT_EQ(pos, 1u);
  }
  EXPECT_EQ(mapping::count_code_points("\xE6\x9D"), 2u);
  EXPECT_EQ(mapping::truncate_code_points("\xE6\x9D\xB1\xE6\x9D", 1), "\xE6\x9D\xB1");
}

TEST(Slug, EdgeCases) {
  EXPECT_EQ(mapping::slugify(""), "");
  EXPECT_EQ(mapping::slugify("---"), "");
  EXPECT_EQ(mapping::slugify("ÀÉÎÕÜ àéîõü ÿ Ÿ"), "aeiou-aeiou-y-y");
  EXPECT_EQ(mapping::slugify("a\xFF" "b"), "a-b");  // invalid UTF-8 separates
}

TEST(DateFormat, Validation) {
  EXPECT_FALSE(mapping::invalid_date_specifier("%Y-%m-%dT%H:%M:%S%z %% plain"));
  EXPECT_EQ(mapping::invalid_date_specifier("ok %q"), 3u);
  EXPECT_EQ(mapping::invalid_date_specifier("trailing %"), 9u);
}

TEST(DateFormat, BeforeTheEpochAndLeapDays) {
  EXPECT_EQ(mapping::format_date(-1000, "%F %T"), "1969-12-31 23:59:59");
  EXPECT_EQ(mapping::format_date(951782400000, "%F %j %a"), "2000-02-29 060 Tue");
}

}  // namespace
}  // namespace feedsync
