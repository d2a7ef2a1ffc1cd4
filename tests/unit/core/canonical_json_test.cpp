#include "core/canonical_json.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/mapping_payload.hpp"

namespace feedsync {
namespace {

namespace json = boost::json;

std::string canon(std::string_view text) { return canonical_json(json::parse(text)); }

TEST(CanonicalJson, SortsKeysByCodePointAtEveryLevel) {
  EXPECT_EQ(canon(R"({"b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "é": 0, "Z": 0}})"),
            R"({"a":{"Z":0,"z":[3,{"x":2,"y":1}],"é":0},"b":1})");
  // U+E000 sorts before U+1F600 by code point (UTF-16 order, as in RFC 8785, would differ).
  EXPECT_EQ(canon("{\"\xF0\x9F\x98\x80\": 1, \"\xEE\x80\x80\": 2, \"~\": 3}"),
            "{\"~\":3,\"\xEE\x80\x80\":2,\"\xF0\x9F\x98\x80\":1}");
}

TEST(CanonicalJson, WritesNoInsignificantWhitespace) {
  EXPECT_EQ(canon(" [ 1 , 2 , { } , [ ] , \"a b\" ] "), R"([1,2,{},[],"a b"])");
}

TEST(CanonicalJson, EscapesMinimally) {
  json::value v = "q\" b\\ s/ \n\r\t\b\f \x01\x1f \x7f é \xE2\x80\xA8 😀";
  EXPECT_EQ(canonical_json(v),
            "\"q\\\" b\\\\ s/ \\n\\r\\t\\b\\f \\u0001\\u001f \x7f é \xE2\x80\xA8 😀\"");
}

TEST(CanonicalJson, ParsedEscapesAndRawCharactersMeetInOneForm) {
  EXPECT_EQ(canon(R"("\u00e9\/\u0041")"), canon(R"("é/A")"));
}

TEST(CanonicalJson, NumbersInShortestRoundTripForm) {
  EXPECT_EQ(format_json_number(1.0), "1");
  EXPECT_EQ(format_json_number(-0.0), "0");
  EXPECT_EQ(format_json_number(-12.0), "-12");
  EXPECT_EQ(format_json_number(0.1), "0.1");
  EXPECT_EQ(format_json_number(1.5e-7), "1.5e-07");
  EXPECT_EQ(format_json_number(1e300), "1e+300");
  EXPECT_EQ(format_json_number(1e15), "1000000000000000");
  EXPECT_EQ(format_json_number(std::nan("")), "null");
  EXPECT_EQ(format_json_number(std::numeric_limits<double>::infinity()), "null");
  for (const double d :
       {0.1, 1.0 / 3, 123456.789, 5e-324, 1.7976931348623157e308, 9007199254740993.0}) {
    EXPECT_EQ(std::strtod(format_json_number(d).c_str(), nullptr), d) << format_json_number(d);
  }
  EXPECT_EQ(canon("[1.0, 1, 1e0, 10E-1]"), "[1,1,1,1]");
  EXPECT_EQ(canon("[-9223372036854775808, 18446744073709551615]"),
            "[-9223372036854775808,18446744073709551615]");
  EXPECT_EQ(canon("[true, false, null]"), "[true,false,null]");
}

TEST(CanonicalJson, ReparsesToAnEqualValue) {
  const json::value v = json::parse(
      R"({"k": [1, -2.5, "x\u0000y", {"n": null, "t": true}], "é": 1e-9, "": ""})");
  EXPECT_EQ(json::parse(canonical_json(v)), v);
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

MappedPayload sample_payload() {
  MappedPayload p;
  p.display_name = "Feed Article Sample";
  p.route_segment = "feed-article-sample";
  p.locale = "en";
  p.properties["Heading"] = "Feed Article Sample";
  p.properties["Body"] = "<p>Lorem</p>";
  p.properties["Authors"] = json::array{"Ada", "Grace"};
  p.properties["Width"] = 369;
  p.rich_text = {"Body"};
  return p;
}

const PayloadTarget kTarget{"0e6b89eb11e05aa1a1e79edccceb2942", "ArticlePage",
                            "98eb33cfa7df48d1b987442c522984c8", "immediate"};

TEST(PayloadHash, DocumentHoldsWhatTheCmsSees) {
  EXPECT_EQ(canonical_json(to_json(article_document(sample_payload(), kTarget))),
            R"({"container":"98eb33cfa7df48d1b987442c522984c8","contentType":"ArticlePage",)"
            R"("displayName":"Feed Article Sample","key":"0e6b89eb11e05aa1a1e79edccceb2942",)"
            R"("locale":"en","properties":{"Authors":["Ada","Grace"],"Body":"<p>Lorem</p>",)"
            R"("Heading":"Feed Article Sample","Width":369},"publish":"immediate",)"
            R"("richText":["Body"],"routeSegment":"feed-article-sample"})");
}

// Pinned (the value is Python's sha256 of json.dumps(sort_keys, compact) of the same document)
// so that a change of the canonical form (which would make every article "changed" once
// after an upgrade) is a deliberate decision, not an accident.
TEST(PayloadHash, StableAcrossRuns) {
  EXPECT_EQ(payload_hash(article_document(sample_payload(), kTarget)), sha256_hex(canonical_json(
      to_json(article_document(sample_payload(), kTarget)))));
  EXPECT_EQ(payload_hash(article_document(sample_payload(), kTarget)), 
            "ff3a8939c9a8ba99688dda179044fe683fd270c6dad4db65e31b2d6cc02ada5d");
}

TEST(PayloadHash, IndependentOfPropertyAndRichTextOrder) {
  MappedPayload a = sample_payload();
  MappedPayload b;
  b.locale = "en";
  b.route_segment = "feed-article-sample";
  b.display_name = "Feed Article Sample";
  b.properties["Width"] = 369.0;  // the same number, read as a double
  b.properties["Authors"] = json::array{"Ada", "Grace"};
  b.properties["Heading"] = "Feed Article Sample";
  b.properties["Body"] = "<p>Lorem</p>";
  b.rich_text = {"Body"};
  EXPECT_EQ(payload_hash(article_document(a, kTarget)), payload_hash(article_document(b, kTarget)));
  a.rich_text = {"Body", "Heading"};
  b.rich_text = {"Heading", "Body"};
  EXPECT_EQ(payload_hash(article_document(a, kTarget)), payload_hash(article_document(b, kTarget)));
}

TEST(PayloadHash, ChangesWithAnythingTheCmsSees) {
  const std::string base = payload_hash(article_document(sample_payload(), kTarget));
  auto changed = [&](auto edit, PayloadTarget target = kTarget) {
    MappedPayload p = sample_payload();
    edit(p);
    return payload_hash(article_document(p, target));
  };
  EXPECT_NE(changed([](MappedPayload& p) { p.properties["Heading"] = "Other"; }), base);
  EXPECT_NE(changed([](MappedPayload& p) { p.properties.erase("Width"); }), base);
  EXPECT_NE(changed([](MappedPayload& p) { p.route_segment.reset(); }), base);
  EXPECT_NE(changed([](MappedPayload& p) { p.route_segment = ""; }), base);
  EXPECT_NE(changed([](MappedPayload& p) { p.rich_text.clear(); }), base);
  EXPECT_NE(changed([](MappedPayload& p) { p.locale = "fr"; }), base);
  // List order is content.
  EXPECT_NE(changed([](MappedPayload& p) {
              p.properties["Authors"] = json::array{"Grace", "Ada"};
            }),
            base);
  PayloadTarget draft = kTarget;
  draft.publish = "draft";
  EXPECT_NE(changed([](MappedPayload&) {}, draft), base);
  PayloadTarget type = kTarget;
  type.content_type = "NewsPage";
  EXPECT_NE(changed([](MappedPayload&) {}, type), base);
}

}  // namespace
}  // namespace feedsync
