// The text-shaped transforms: text, html, strip_pixel, slug, truncate, trim, date, image.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/mapping_expr.hpp"

namespace feedsync::mapping {
namespace {

namespace json = boost::json;

Value run(std::string_view text, const json::object& content) {
  const auto compiled = compile_expression(text);
  EXPECT_TRUE(compiled) << text << ": " << (compiled ? "" : compiled.error().message);
  if (!compiled) return {};
  const auto value = evaluate(*compiled, content);
  EXPECT_TRUE(value) << text << ": " << (value ? "" : value.error().message);
  return value ? *value : Value{};
}

// Applies `transform` to the string `input` (as content field "v").
json::value on(std::string_view input, std::string_view transform) {
  json::object content;
  content["v"] = input;
  const Value v = run("v | " + std::string(transform), content);
  return v.missing() ? json::value("<missing>") : *v.json;
}

std::string error_on(std::string_view input, std::string_view transform) {
  json::object content;
  content["v"] = input;
  const auto compiled = compile_expression("v | " + std::string(transform));
  EXPECT_TRUE(compiled);
  const auto value = evaluate(*compiled, content);
  EXPECT_FALSE(value) << transform;
  return value ? std::string() : value.error().message;
}

TEST(MappingText, StripsTagsAndDecodesEntities) {
  EXPECT_EQ(on("<p>Fish &amp; chips</p><p>Tom&#39;s &#x27;best&#X27;&nbsp;bar</p>", "text"),
            json::value("Fish & chips Tom's 'best' bar"));
  EXPECT_EQ(on("<h1>Title</h1>\n\n<p>First<br/>line   two</p>", "text"),
            json::value("Title First line two"));
  EXPECT_EQ(on("<b>bo</b>ld <a href=\"x?a=1&amp;b=2\" title='a > b'>link</a>", "text"),
            json::value("bold link"));
  EXPECT_EQ(on("a < b &lt; c", "text"), json::value("a < b < c"));
  EXPECT_EQ(on("x<!-- hidden <p>y</p> -->z<script>var a = '<p>';</script>!", "text"),
            json::value("xz!"));
  EXPECT_EQ(on("<style>p { color: red }</style><p>caf&eacute; &hellip; &#128512; 東京</p>", "text"),
            json::value("café … 😀 東京"));
  EXPECT_EQ(on("&unknown; &amp &#xZZ; &#0; &#1114112;", "text"),
            json::value("&unknown; &amp &#xZZ; \xEF\xBF\xBD \xEF\xBF\xBD"));
  EXPECT_EQ(on("   ", "text"), json::value(""));
}

TEST(MappingText, NumbersBecomeText) {
  json::object content;
  content["n"] = 42;
  EXPECT_EQ(*run("n | text", content).json, json::value("42"));
}

TEST(MappingHtml, KeepsTheStringAndMarksIt) {
  json::object content;
  content["v"] = "<p>a &amp; b</p>";
  const Value html = run("v | html", content);
  EXPECT_EQ(*html.json, json::value("<p>a &amp; b</p>"));
  EXPECT_TRUE(html.html);
  EXPECT_FALSE(run("v", content).html);
  EXPECT_FALSE(run("v | html | text", content).html);
  EXPECT_TRUE(run("v | strip_pixel", content).html);
  EXPECT_TRUE(run("v | html | trim", content).html);
}

constexpr std::string_view kPixel =
    "<img src=\"https://pixel.optimizely.com/px.gif?key=YXJ0aWNsZT0xNTFhM2YzY2NkYTUxMWVhYjZkYjBhZD"
    "RmOWJlNzJkOQ==\" alt=\"\" height=\"1\" width=\"1\" class=\"nc_pixel\"/>";

TEST(MappingStripPixel, RemovesTheTrackingPixelOnly) {
  const std::string body = "<p>Lorem</p>\n<p>ipsum</p>\n" + std::string(kPixel);
  EXPECT_EQ(on(body, "strip_pixel"), json::value("<p>Lorem</p>\n<p>ipsum</p>"));
  EXPECT_EQ(on("<p>a</p><IMG CLASS='x nc_pixel y' src=p.gif><p>b</p>", "strip_pixel"),
            json::value("<p>a</p><p>b</p>"));
  EXPECT_EQ(on("<p>a</p> <img class=nc_pixel>", "strip_pixel"), json::value("<p>a</p>"));
  const std::string kept = "<p>a</p><img class=\"nc_pixel_large\" src=\"x.png\"><img src=y.png>";
  EXPECT_EQ(on(kept, "strip_pixel"), json::value(kept));
  EXPECT_EQ(on("<p>a &amp; b</p>", "strip_pixel"), json::value("<p>a &amp; b</p>"));
  EXPECT_EQ(on("<p title=\"<img class=nc_pixel>\">x</p>", "strip_pixel"),
            json::value("<p title=\"<img class=nc_pixel>\">x</p>"));
}

TEST(MappingSlug, AsciiWordsAndSeparators) {
  EXPECT_EQ(on("Feed Article Sample", "slug"), json::value("feed-article-sample"));
  EXPECT_EQ(on("  --Hello,   World!--  ", "slug"), json::value("hello-world"));
  EXPECT_EQ(on("BLOG:Social_Impact 2025", "slug"), json::value("blog-social-impact-2025"));
  EXPECT_EQ(on("/blog/my-article/", "slug"), json::value("blog-my-article"));
  EXPECT_EQ(on("Martin's Test Group", "slug"), json::value("martins-test-group"));
  EXPECT_EQ(on("Martin\xE2\x80\x99s caf\xC3\xA9", "slug"), json::value("martins-cafe"));
}

TEST(MappingSlug, TransliteratesLatinAndDropsOtherScripts) {
  EXPECT_EQ(on("Crème Brûlée à la carte", "slug"), json::value("creme-brulee-a-la-carte"));
  EXPECT_EQ(on("Straße Ærø Łódź Œuvre ĳs", "slug"), json::value("strasse-aero-lodz-oeuvre-ijs"));
  EXPECT_EQ(on("e\xCC\x81t\xC3\xA9", "slug"), json::value("ete"));  // decomposed é
  EXPECT_EQ(on("2 × 3 ÷ 4", "slug"), json::value("2-3-4"));
  EXPECT_EQ(on("Hello 👋 World 🌍", "slug"), json::value("hello-world"));
  EXPECT_EQ(on("東京 Tokyo 2025", "slug"), json::value("tokyo-2025"));
  EXPECT_EQ(on("Ελληνικά and кириллица", "slug"), json::value("and"));
  EXPECT_EQ(on("東京", "slug"), json::value("<missing>"));
  EXPECT_EQ(on("/", "slug"), json::value("<missing>"));
}

TEST(MappingSlug, FallsBackWhenTheInputGivesNoSlug) {
  json::object content = json::parse(R"({"meta_url": "/", "title": "Feed Article Sample",
                                         "good": "Custom URL", "cjk": "東京"})").as_object();
  EXPECT_EQ(*run("meta_url | slug(title)", content).json, json::value("feed-article-sample"));
  EXPECT_EQ(*run("missing | slug(title)", content).json, json::value("feed-article-sample"));
  EXPECT_EQ(*run("good | slug(title)", content).json, json::value("custom-url"));
  EXPECT_EQ(*run("cjk | slug(\"Article\")", content).json, json::value("article"));
  EXPECT_TRUE(run("cjk | slug(cjk)", content).missing());
  EXPECT_TRUE(run("meta_url | slug(nothing)", content).missing());
}

TEST(MappingTruncate, CountsCodePointsNeverSplittingUtf8) {
  EXPECT_EQ(on("Hello world", "truncate(5)"), json::value("Hello"));
  EXPECT_EQ(on("Hello", "truncate(5)"), json::value("Hello"));
  EXPECT_EQ(on("Hello", "truncate(0)"), json::value(""));
  EXPECT_EQ(on("café crème", "truncate(4)"), json::value("café"));
  EXPECT_EQ(on("😀😁😂🤣", "truncate(3)"), json::value("😀😁😂"));
  EXPECT_EQ(on("東京都庁舎", "truncate(2)"), json::value("東京"));
  EXPECT_EQ(on("Hello wonderful world", "truncate(8, \"…\")"), json::value("Hello w…"));
  EXPECT_EQ(on("Hello wonderful world", "truncate(7, \"…\")"), json::value("Hello…"));
  EXPECT_EQ(on("Hello", "truncate(5, \"…\")"), json::value("Hello"));
  EXPECT_EQ(on("Hello", "truncate(2, \"...\")"), json::value("He"));  // no room for the suffix
  EXPECT_EQ(on("東京都庁舎", "truncate(3, \"…\")"), json::value("東京…"));
}

TEST(MappingTrim, RemovesOuterWhitespace) {
  EXPECT_EQ(on(" \t a b \n\xC2\xA0", "trim"), json::value("a b"));
  EXPECT_EQ(on("\xC2\xA0\xC3\xA9\xC2\xA0", "trim"), json::value("\xC3\xA9"));
}

TEST(MappingPrefixSuffix, WrapPresentValuesOnly) {
  EXPECT_EQ(on("/blog/x", "prefix(\"https://www.example.com\")"),
            json::value("https://www.example.com/blog/x"));
  EXPECT_EQ(on("Title", "suffix(\" | Example\")"), json::value("Title | Example"));
  json::object content = json::parse(R"({"tags": ["a", "b"], "n": 5})").as_object();
  EXPECT_EQ(*run("tags | prefix(\"#\")", content).json, json::parse(R"(["#a", "#b"])"));
  EXPECT_EQ(*run("n | prefix(\"$\")", content).json, json::value("$5"));
  EXPECT_TRUE(run("missing | prefix(\"x\") | suffix(\"y\")", content).missing());
}

TEST(MappingDate, RewritesRfc3339InUtc) {
  EXPECT_EQ(on("2025-07-24T12:01:43Z", "date"), json::value("2025-07-24T12:01:43Z"));
  EXPECT_EQ(on("2025-07-24T14:01:43+02:00", "date"), json::value("2025-07-24T12:01:43Z"));
  EXPECT_EQ(on("2025-07-24T11:00:00.250Z", "date"), json::value("2025-07-24T11:00:00.250Z"));
  EXPECT_EQ(on("2025-07-24T12:01:43Z", "date(\"%d %B %Y\")"), json::value("24 July 2025"));
  EXPECT_EQ(on("2025-07-24T13:01:43Z", "date(\"%a %b %e %I:%M:%S %p %Z %z\")"),
            json::value("Thu Jul 24 01:01:43 PM UTC +0000"));
  EXPECT_EQ(on("2025-01-05T00:00:00Z", "date(\"%F %T | %y %j %A %I%p %s %%\")"),
            json::value("2025-01-05 00:00:00 | 25 005 Sunday 12AM 1736035200 %"));
  EXPECT_EQ(on("2024-12-31T23:30:00-01:00", "date(\"%Y-%m-%d\")"), json::value("2025-01-01"));
}

TEST(MappingDate, RejectsWhatIsNotADate) {
  EXPECT_EQ(error_on("yesterday", "date"), "date: \"yesterday\" is not an RFC 3339 date-time");
  EXPECT_EQ(error_on("2025-02-30T00:00:00Z", "date(\"%F\")"),
            "date: \"2025-02-30T00:00:00Z\" is not an RFC 3339 date-time");
  json::object content;
  content["n"] = 5;
  const auto compiled = compile_expression("n | date");
  EXPECT_EQ(evaluate(*compiled, content).error().message,
            "date: expected an RFC 3339 date-time, got a number");
}

constexpr std::string_view kMango =
    "https://img.optimizely.com/Zz0yNWU2MzMzNgfWNkYTUxMWV5hOD7QzYzBhMDY3NTYwZjM5Nw==/mango.png";

TEST(MappingImage, AppendsResizeParameters) {
  EXPECT_EQ(on(kMango, "image(width=1200, height=630)"),
            json::value(std::string(kMango) + "?width=1200&height=630"));
  EXPECT_EQ(on(kMango, "image(height=\"630\", width=\"1200\")"),
            json::value(std::string(kMango) + "?height=630&width=1200"));
  EXPECT_EQ(on(kMango, "image(width=600, height=600, center_width=10, center_height=0.5)"),
            json::value(std::string(kMango) +
                        "?width=600&height=600&center_width=10&center_height=0.5"));
}

TEST(MappingImage, KeepsTheQueryAndReplacesExistingParameters) {
  EXPECT_EQ(on("https://img.example/t.png?width=75&height=75&v=2#top", "image(width=1200)"),
            json::value("https://img.example/t.png?width=1200&height=75&v=2#top"));
  EXPECT_EQ(on("https://img.example/t.png?width=1&width=2", "image(width=3)"),
            json::value("https://img.example/t.png?width=3"));
  EXPECT_EQ(on("https://img.example/a%20b.png?q=a%20b&x=%26", "image(height=10)"),
            json::value("https://img.example/a%20b.png?q=a%20b&x=%26&height=10"));
  EXPECT_EQ(on("https://img.example/t.png?", "image(width=5)"),
            json::value("https://img.example/t.png?width=5"));
  EXPECT_EQ(on("/relative/t.png", "image(width=5)"), json::value("/relative/t.png?width=5"));
}

TEST(MappingImage, AppliesToEveryUrlOfAList) {
  json::object content = json::parse(R"({"images": [{"url": "https://a/1.png"},
                                                    {"url": "https://a/2.png?x=1"}]})")
                             .as_object();
  EXPECT_EQ(*run("images[*].url | image(width=10)", content).json,
            json::parse(R"(["https://a/1.png?width=10", "https://a/2.png?x=1&width=10"])"));
}

TEST(MappingImage, RejectsWhatIsNotAUrl) {
  EXPECT_EQ(error_on("not a url", "image(width=5)").rfind("image: \"not a url\" is not a URL", 0),
            0u);
}

}  // namespace
}  // namespace feedsync::mapping
