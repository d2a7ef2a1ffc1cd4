#include "core/content_key.hpp"

#include <gtest/gtest.h>

namespace feedsync {
namespace {

const Uuid kDns = *parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
const Uuid kUrl = *parse_uuid("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

TEST(Uuid, ParsesDashedPlainBracedAndUpperCase) {
  const auto dashed = parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  ASSERT_TRUE(dashed);
  EXPECT_EQ(parse_uuid("6BA7B8109DAD11D180B400C04FD430C8"), dashed);
  EXPECT_EQ(parse_uuid("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"), dashed);
  EXPECT_EQ(uuid_hex(*dashed), "6ba7b8109dad11d180b400c04fd430c8");
  EXPECT_EQ(uuid_dashed(*dashed), "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
}

TEST(Uuid, RejectsMalformedText) {
  EXPECT_FALSE(parse_uuid(""));
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c"));     // short
  EXPECT_FALSE(parse_uuid("6ba7b8109-dad-11d1-80b4-00c04fd430c8"));    // dash misplaced
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430cg"));    // not hex
  EXPECT_FALSE(parse_uuid("6ba7b8109dad11d180b400c04fd430c8aa"));      // long
  EXPECT_FALSE(parse_uuid("{6ba7b810-9dad-11d1-80b4-00c04fd430c8"));   // one brace
}

// RFC 4122 appendix B (as corrected by erratum 1352) and RFC 9562 §A.4; cross-checked with
// Python's uuid.uuid5.
TEST(Uuid, Version5MatchesPublishedVectors) {
  EXPECT_EQ(uuid_dashed(uuid_v5(kDns, "www.example.com")), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  EXPECT_EQ(uuid_dashed(uuid_v5(kDns, "python.org")), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_EQ(uuid_dashed(uuid_v5(kUrl, "https://www.example.com/")),
            "3d3ed9d2-aa3d-5fa6-90e8-ed662e90f559");
}

TEST(Uuid, Version5SetsVersionAndVariantBits) {
  for (const char* name : {"", "a", "blog\nguid", "\xff\xfe"}) {
    const Uuid u = uuid_v5(kContentKeyNamespace, name);
    EXPECT_EQ(u[6] >> 4, 5) << name;
    EXPECT_EQ(u[8] >> 6, 2) << name;
  }
}

TEST(ContentKey, NamespaceIsTheDocumentedConstant) {
  EXPECT_EQ(uuid_dashed(kContentKeyNamespace), "1bf10b18-b24f-464f-a631-ee345354ff46");
}

TEST(ContentKey, NameIsFeedNewlineGuid) {
  EXPECT_EQ(content_key_name("blog", "abc"), std::string("blog\nabc"));
  EXPECT_EQ(content_key("blog", "abc"), uuid_hex(uuid_v5(kContentKeyNamespace, "blog\nabc")));
}

// Pinned: these keys identify content in live CMS instances. If this test fails, every article
// would be created again under a new key. Values from Python: uuid.uuid5(ns, feed + "\n" + guid).
TEST(ContentKey, PinnedKeys) {
  EXPECT_EQ(content_key("blog", "151a3f3ccda517geab6db0aF5f9be72d9"),
            "0e6b89eb11e05aa1a1e79edccceb2942");
  EXPECT_EQ(content_key("news", "151a3f3ccda517geab6db0aF5f9be72d9"),
            "2f0a7bb2587e593488bab65718e5f9c2");
  EXPECT_EQ(content_key("blog", "x"), "030e790035455182becd1d6d2d1219f2");
  EXPECT_EQ(content_key("blog", ""), "fa255d5cca9a5cdf934280d3bd440eb4");
  EXPECT_EQ(content_key("blog", "art\u00edcl\u00e9-\u65e5\u672c"),
            "c91bc4cce1e75da3af49c7c607b0d467");  // the guid's UTF-8 bytes, not normalised
}

TEST(ContentKey, KeysAreThirtyTwoLowerCaseHexAndDistinct) {
  const std::string a = content_key("blog", "guid-1");
  const std::string b = content_key("blog", "guid-2");
  const std::string c = content_key("blog2", "guid-1");
  for (const auto& key : {a, b, c}) {
    ASSERT_EQ(key.size(), 32u);
    EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
  }
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  // The separator keeps ("blog", "1x") and ("blog1", "x") apart.
  EXPECT_NE(content_key("blog", "1x"), content_key("blog1", "x"));
}

TEST(ContentKey, OtherNamespaceGivesOtherKeys) {
  const Uuid other = *parse_uuid("00000000-0000-0000-0000-000000000001");
  EXPECT_NE(content_key("blog", "x", other), content_key("blog", "x"));
  EXPECT_EQ(content_key("blog", "x", other), content_key("blog", "x", other));
}

// translations: group (issue 23): the key of a group's item. Pinned against Python's
// uuid.uuid5(UUID("1bf10b18-b24f-464f-a631-ee345354ff46"), "blog\ngroup\n<group_id>").hex.
TEST(ContentKey, GroupKeyIsPinnedAndNeverAnArticleKey) {
  EXPECT_EQ(group_content_key_name("blog", "g1"), "blog\ngroup\ng1");
  EXPECT_EQ(group_content_key("blog", "66b59bf2a1e34c8fa2f2c5e0a3d8a1b7"), "0b7967deaa4d521b9c5007b4bbaa372e");
  // Deterministic, per feed, per group, per namespace.
  EXPECT_EQ(group_content_key("blog", "g1"), group_content_key("blog", "g1"));
  EXPECT_NE(group_content_key("blog", "g1"), group_content_key("blog", "g2"));
  EXPECT_NE(group_content_key("blog", "g1"), group_content_key("news", "g1"));
  EXPECT_NE(group_content_key("blog", "g1", *parse_uuid("00000000-0000-0000-0000-000000000001")),
            group_content_key("blog", "g1"));
  // A group_id equal to a guid does not take that article's key.
  EXPECT_NE(group_content_key("blog", "g1"), content_key("blog", "g1"));
}

}  // namespace
}  // namespace feedsync
