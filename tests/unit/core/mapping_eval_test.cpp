// Paths over feed content: lookups, fan-out, labels, and what counts as missing.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/mapping_expr.hpp"

namespace feedsync::mapping {
namespace {

namespace json = boost::json;

const json::object kContent = json::parse(R"({
  "title": "Feed Article Sample",
  "lang_code": "en",
  "authors": null,
  "topics": [],
  "meta_keywords": ["a", null, "b"],
  "source": {"guid": "5bc5", "name": "Instance"},
  "images": [
    {"url": "https://img.example/1.png", "width": "369", "height": 512},
    {"url": "https://img.example/2.png", "caption": "second"}
  ],
  "videos": {"url": "https://v.example/only"},
  "custom_fields": [
    {"label": "Ad Date", "values": ["2025-07-24T11:00:00.000Z"]},
    {"label": "Regions", "values": ["EU", "US"]},
    {"label": "Empty", "values": []}
  ],
  "content_pillar": [{"label": "BLOG:Social Impact"}, {"label": "Health"}, {"other": 1}],
  "odd key": {"x": 1},
  "count": 3, "ratio": 0.5, "flag": false
})").as_object();

Value run(std::string_view text, const json::object& content = kContent) {
  const auto compiled = compile_expression(text);
  EXPECT_TRUE(compiled) << text << ": " << (compiled ? "" : compiled.error().message);
  if (!compiled) return {};
  const auto value = evaluate(*compiled, content);
  EXPECT_TRUE(value) << text << ": " << (value ? "" : value.error().message);
  return value ? *value : Value{};
}

json::value get(std::string_view text) {
  const Value v = run(text);
  EXPECT_FALSE(v.missing()) << text;
  return v.missing() ? json::value() : *v.json;
}

TEST(MappingPaths, FieldsAndNestedFields) {
  EXPECT_EQ(get("title"), json::value("Feed Article Sample"));
  EXPECT_EQ(get("source.name"), json::value("Instance"));
  EXPECT_EQ(get("count"), json::value(3));
  EXPECT_EQ(get("ratio"), json::value(0.5));
  EXPECT_EQ(get("flag"), json::value(false));
  EXPECT_EQ(get("source"), json::parse(R"({"guid": "5bc5", "name": "Instance"})"));
}

TEST(MappingPaths, Indexes) {
  EXPECT_EQ(get("images[0].url"), json::value("https://img.example/1.png"));
  EXPECT_EQ(get("images[1].caption"), json::value("second"));
  EXPECT_EQ(get("images[-1].url"), json::value("https://img.example/2.png"));
  EXPECT_EQ(get("images[0].width"), json::value("369"));  // strings and numbers flow through
  EXPECT_EQ(get("images[0].height"), json::value(512));
}

TEST(MappingPaths, LabelLookupsOnListsAndObjects) {
  EXPECT_EQ(get("custom_fields[\"Ad Date\"].values[0]"), json::value("2025-07-24T11:00:00.000Z"));
  EXPECT_EQ(get("custom_fields['Regions'].values"), json::parse(R"(["EU", "US"])"));
  EXPECT_EQ(get("source[\"name\"]"), json::value("Instance"));
  EXPECT_EQ(get("[\"odd key\"].x"), json::value(1));
  EXPECT_TRUE(run("custom_fields[\"ad date\"].values[0]").missing());  // labels are exact
}

TEST(MappingPaths, FanOutMakesFlatLists) {
  EXPECT_EQ(get("content_pillar[*].label"), json::parse(R"(["BLOG:Social Impact", "Health"])"));
  EXPECT_EQ(get("images[*].url"),
            json::parse(R"(["https://img.example/1.png", "https://img.example/2.png"])"));
  EXPECT_EQ(get("custom_fields[*].values[*]"),
            json::parse(R"(["2025-07-24T11:00:00.000Z", "EU", "US"])"));
  EXPECT_EQ(get("custom_fields[*].values[0]"),
            json::parse(R"(["2025-07-24T11:00:00.000Z", "EU"])"));
  EXPECT_EQ(get("images[*].caption"), json::parse(R"(["second"])"));
  EXPECT_EQ(get("meta_keywords[*]"), json::parse(R"(["a", "b"])"));  // nulls dropped
  EXPECT_EQ(get("videos[*].url"), json::parse(R"(["https://v.example/only"])"));  // one object
  EXPECT_EQ(get("topics[*].name"), json::array());  // an empty list stays a list
}

TEST(MappingPaths, MissingIsNotAnError) {
  for (const char* text :
       {"nope", "nope.deeper", "authors", "authors[*].name", "authors[0].name", "images[5].url",
        "images[-3].url", "title.length", "title[0]", "source[0]", "images.url",
        "custom_fields[\"Nope\"].values[0]", "custom_fields[\"Empty\"].values[0]", "nope[*]"}) {
    EXPECT_TRUE(run(text).missing()) << text;
  }
}

TEST(MappingPaths, LiteralsAreValues) {
  EXPECT_EQ(get("\"fixed\""), json::value("fixed"));
  EXPECT_EQ(get("12"), json::value(12));
  EXPECT_EQ(get("true"), json::value(true));
  EXPECT_TRUE(get("null").is_null());
}

TEST(MappingPaths, MissingFlowsThroughTransformsUntilDefault) {
  EXPECT_TRUE(run("nope | text | slug | trim | truncate(3) | first | join | date | number")
                  .missing());
  EXPECT_TRUE(run("nope | image(width=10)").missing());
  EXPECT_EQ(*run("nope | text | default(\"x\")").json, json::value("x"));
}

TEST(MappingBlank, WhatCounts) {
  EXPECT_TRUE(is_blank(Value{}));
  EXPECT_TRUE(is_blank(Value{json::value(nullptr)}));
  EXPECT_TRUE(is_blank(Value{json::value("")}));
  EXPECT_TRUE(is_blank(Value{json::value(" \t\n\xC2\xA0")}));
  EXPECT_TRUE(is_blank(Value{json::value(json::array())}));
  EXPECT_FALSE(is_blank(Value{json::value(0)}));
  EXPECT_FALSE(is_blank(Value{json::value(false)}));
  EXPECT_FALSE(is_blank(Value{json::value("x")}));
  EXPECT_FALSE(is_blank(Value{json::value(json::object())}));
}

TEST(MappingDefault, ReplacesBlankValuesOnly) {
  EXPECT_EQ(get("nope | default(\"Staff\")"), json::value("Staff"));
  EXPECT_EQ(get("authors[*].name | default(\"Staff\")"), json::value("Staff"));
  EXPECT_EQ(get("topics | default(\"none\")"), json::value("none"));
  EXPECT_EQ(get("\"  \" | default(\"none\")"), json::value("none"));
  EXPECT_EQ(get("title | default(\"x\")"), json::value("Feed Article Sample"));
  EXPECT_EQ(get("flag | default(true)"), json::value(false));
  EXPECT_EQ(get("nope | default(source.name)"), json::value("Instance"));
  EXPECT_EQ(get("nope | default(3)"), json::value(3));
  EXPECT_TRUE(get("nope | default(null)").is_null());
  EXPECT_TRUE(run("nope | default(also_nope)").missing());
  EXPECT_EQ(get("nope | default(also_nope) | default(\"last\")"), json::value("last"));
}

TEST(MappingFirst, TakesTheHeadOfAList) {
  EXPECT_EQ(get("content_pillar[*].label | first"), json::value("BLOG:Social Impact"));
  EXPECT_EQ(get("title | first"), json::value("Feed Article Sample"));
  EXPECT_TRUE(run("topics | first").missing());
}

TEST(MappingJoin, ListsToText) {
  EXPECT_EQ(get("content_pillar[*].label | join"), json::value("BLOG:Social Impact, Health"));
  EXPECT_EQ(get("content_pillar[*].label | join(\" / \")"),
            json::value("BLOG:Social Impact / Health"));
  EXPECT_EQ(get("custom_fields[\"Regions\"].values | join(\"\")"), json::value("EUUS"));
  EXPECT_EQ(get("meta_keywords | join(\"+\")"), json::value("a+b"));  // null elements skipped
  EXPECT_EQ(get("topics | join"), json::value(""));
  EXPECT_EQ(get("title | join"), json::value("Feed Article Sample"));
  EXPECT_EQ(get("images[*].height | join"), json::value("512"));
  EXPECT_TRUE(run("authors[*].name | join").missing());
}

TEST(MappingNumber, TextToNumbers) {
  EXPECT_EQ(get("images[0].width | number"), json::value(369));
  EXPECT_EQ(get("images[0].height | number"), json::value(512));
  EXPECT_EQ(get("\" 2.5 \" | number"), json::value(2.5));
  EXPECT_EQ(get("images[*].width | number"), json::parse("[369]"));
}

std::string error_of(std::string_view text, const json::object& content = kContent) {
  const auto compiled = compile_expression(text);
  EXPECT_TRUE(compiled) << text;
  if (!compiled) return {};
  const auto value = evaluate(*compiled, content);
  EXPECT_FALSE(value) << text;
  if (value) return {};
  return std::to_string(value.error().offset) + ": " + value.error().message;
}

TEST(MappingRuntimeErrors, NameTheTransformAndTheValue) {
  EXPECT_EQ(error_of("source | text"), "9: text: expected text, got an object");
  EXPECT_EQ(error_of("images | join"),
            "9: join: expected a list of text, but an element is an object");
  EXPECT_EQ(error_of("source | join"), "9: join: expected a list, got an object");
  EXPECT_EQ(error_of("title | number"), "8: number: \"Feed Article Sample\" is not a number");
  EXPECT_EQ(error_of("flag | number"), "7: number: expected a number, got a boolean");
  EXPECT_EQ(error_of("images | slug"), "9: slug: expected text, got an object");
}

}  // namespace
}  // namespace feedsync::mapping
