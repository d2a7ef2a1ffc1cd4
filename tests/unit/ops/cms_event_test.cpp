// Reading CMS (SaaS) webhook requests defensively (issue 19): the verification variants, publish
// events and their content keys.

#include "ops/cms_event.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace feedsync::ops {
namespace {

constexpr const char* kKey = "0f2a9b3c4d5e6f708192a3b4c5d6e7f8";

TEST(CmsEvent, EventGridValidationIsAnsweredWithValidationResponse) {
  const auto e = read_cms_event(R"([{"id":"1","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent",
      "data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6","validationUrl":"https://x"}}])");
  ASSERT_EQ(e.kind, CmsEventKind::verification);
  EXPECT_EQ(e.challenge, "512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
  EXPECT_EQ(boost::json::parse(e.answer).at("validationResponse").as_string(), e.challenge);
}

TEST(CmsEvent, ChallengeFieldsAreEchoedUnderTheirOwnNameAndTheCommonOnes) {
  for (const char* field : {"challenge", "validationCode", "validationToken", "verificationToken", "verificationCode"}) {
    for (const std::string& body : {std::string(R"({"type":"webhook.verification",")") + field + R"(":"abc123"})",
                                    std::string(R"({"eventType":"Validation","data":{")") + field + R"(":"abc123"}})",
                                    std::string(R"({")") + field + R"(":"abc123"})"}) {
      const auto e = read_cms_event(body);
      ASSERT_EQ(e.kind, CmsEventKind::verification) << body;
      EXPECT_EQ(e.challenge_field, field);
      const auto answer = boost::json::parse(e.answer).as_object();
      EXPECT_EQ(answer.at(field).as_string(), "abc123") << body;
      EXPECT_EQ(answer.at("challenge").as_string(), "abc123") << body;
      EXPECT_EQ(answer.at("validationResponse").as_string(), "abc123") << body;
    }
  }
}

TEST(CmsEvent, AnUnsafeChallengeIsNotEchoed) {
  EXPECT_EQ(read_cms_event(R"({"challenge":"a\nb"})").kind, CmsEventKind::malformed);
  EXPECT_EQ(read_cms_event(R"({"challenge":""})").kind, CmsEventKind::malformed);
  std::string too_long = R"({"challenge":")";
  too_long.append(300, 'x');
  too_long.append("\"}");
  EXPECT_EQ(read_cms_event(too_long).kind, CmsEventKind::malformed);
}

TEST(CmsEvent, PublishEventsCarryTheirKeyWhereverItIs) {
  // Whole literals: the key as stored, and as a GUID with dashes, braces and capitals.
  for (const char* body : {
           R"({"type":"content.published","data":{"key":"0f2a9b3c4d5e6f708192a3b4c5d6e7f8"}})",
           R"({"eventType":"ContentPublished","data":{"contentKey":"0F2A9B3C-4D5E-6F70-8192-A3B4C5D6E7F8"}})",
           R"({"event":"cms.content.publish","data":{"content":{"key":"{0F2A9B3C-4D5E-6F70-8192-A3B4C5D6E7F8}"}}})",
           R"({"type":{"subject":"content","action":"published"},"data":{"contentLink":{"guidValue":"0f2a9b3c-4d5e-6f70-8192-a3b4c5d6e7f8"}}})",
           R"({"eventName":"Published","key":"0f2a9b3c4d5e6f708192a3b4c5d6e7f8"})"}) {
    const auto e = read_cms_event(body);
    ASSERT_EQ(e.kind, CmsEventKind::publish) << body;
    ASSERT_TRUE(e.cms_key) << body;
    EXPECT_EQ(*e.cms_key, kKey) << body;
  }
}

TEST(CmsEvent, APublishWithoutAReadableKeyAsksAboutEverything) {
  const auto e = read_cms_event(R"({"type":"content.published","data":{"key":"not-a-key"}})");
  EXPECT_EQ(e.kind, CmsEventKind::publish);
  EXPECT_FALSE(e.cms_key);
}

TEST(CmsEvent, OtherEventsAndUnpublishNeedNothing) {
  for (const char* body : {R"({"type":"content.unpublished","data":{"key":"0f2a9b3c4d5e6f708192a3b4c5d6e7f8"}})",
                           R"({"type":"content.created"})", R"({"something":"else"})"}) {
    EXPECT_EQ(read_cms_event(body).kind, CmsEventKind::other) << body;
  }
}

TEST(CmsEvent, WhatIsNotJsonIsMalformed) {
  for (const char* body : {"", "nope", "42", "[1,2]"}) {
    const auto e = read_cms_event(body);
    EXPECT_EQ(e.kind, CmsEventKind::malformed) << body;
    EXPECT_FALSE(e.problem.empty()) << body;
  }
}

TEST(CmsEvent, NormalizesKeys) {
  EXPECT_EQ(normalize_cms_key("0F2A9B3C-4D5E-6F70-8192-A3B4C5D6E7F8"), kKey);
  EXPECT_EQ(normalize_cms_key("{0f2a9b3c4d5e6f708192a3b4c5d6e7f8}"), kKey);
  EXPECT_FALSE(normalize_cms_key("0f2a9b3c4d5e6f708192a3b4c5d6e7f"));
  EXPECT_FALSE(normalize_cms_key("0f2a9b3c4d5e6f708192a3b4c5d6e7f80"));
  EXPECT_FALSE(normalize_cms_key("zf2a9b3c4d5e6f708192a3b4c5d6e7f8"));
  EXPECT_FALSE(normalize_cms_key(""));
}

}  // namespace
}  // namespace feedsync::ops
