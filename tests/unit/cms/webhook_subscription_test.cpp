// The CMS webhook subscription's request and the reading of the event type list (issue 19).

#include "cms/webhook_subscription.hpp"

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::cms {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PublishEventTypes, PicksPublishButNotUnpublishInEveryListShape) {
  for (const char* body : {R"(["content.published","content.unpublished","content.created"])",
                           R"({"items":[{"key":"content.published"},{"key":"content.unpublished"},{"key":"x"}]})",
                           R"({"value":[{"name":"content.published","description":"..."}]})",
                           R"([{"eventType":"content.published"},{"id":"content.deleted"}])"}) {
    auto types = publish_event_types(body);
    ASSERT_TRUE(types) << body;
    EXPECT_THAT(*types, ElementsAre("content.published")) << body;
  }
  EXPECT_THAT(*publish_event_types(R"(["ContentPublished","ContentScheduledPublish"])"),
              ElementsAre("ContentPublished", "ContentScheduledPublish"));
  EXPECT_TRUE(publish_event_types("[]")->empty());
}

TEST(PublishEventTypes, WhatIsNotAListIsAnError) {
  EXPECT_FALSE(publish_event_types("nope"));
  EXPECT_FALSE(publish_event_types(R"({"count":2})"));
}

TEST(WebhookSubscriptionBody, CarriesTheEndpointTheEventsAndTheToken) {
  WebhookSubscription s;
  s.endpoint_url = "https://feedsync.example.com/hooks/cms";
  s.token = "tok-123";
  s.event_types = {"content.published"};
  const auto body = boost::json::parse(webhook_subscription_body(s)).as_object();
  EXPECT_EQ(body.at("endpointUrl").as_string(), "https://feedsync.example.com/hooks/cms");
  EXPECT_EQ(body.at("authenticationToken").as_string(), "tok-123");
  EXPECT_EQ(body.at("eventTypes").as_array().at(0).as_string(), "content.published");
  EXPECT_TRUE(body.at("active").as_bool());
}

TEST(WebhookSubscriptionCurl, LeavesTheSecretsToTheShell) {
  WebhookSubscription s;
  s.endpoint_url = "https://feedsync.example.com/hooks/cms";
  s.token = "tok-123";
  s.event_types = {"content.published"};
  const auto curl = webhook_subscription_curl("https://api.cms.optimizely.com/v1", s);
  EXPECT_THAT(curl, HasSubstr("'https://api.cms.optimizely.com/v1/experimental/webhooks'"));
  EXPECT_THAT(curl, HasSubstr("Authorization: Bearer $CMS_TOKEN"));
  EXPECT_THAT(curl, HasSubstr(R"("authenticationToken":"'"$CMS_WEBHOOK_TOKEN"'")"));
  EXPECT_THAT(curl, Not(HasSubstr("tok-123")));
}

}  // namespace
}  // namespace feedsync::cms
