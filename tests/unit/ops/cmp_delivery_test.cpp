// Reading CMP webhook bodies defensively (issue 19).

#include "ops/cmp_delivery.hpp"

#include <gtest/gtest.h>

#include <string>

namespace feedsync::ops {
namespace {

TEST(CmpDelivery, AssetEventsAreContentChanges) {
  for (const char* event : {"asset_added", "asset_removed", "asset_published", "asset_modified"}) {
    const auto d = read_cmp_delivery(std::string(R"({"event_name":")") + event +
                                     R"(","data":{"asset":{"id":"019a","type":"article"}}})");
    EXPECT_EQ(d.kind, CmpDeliveryKind::content_change) << event;
    EXPECT_EQ(d.event, event);
  }
}

TEST(CmpDelivery, OtherAndUnknownEventsNeedNothing) {
  for (const char* event : {"task_step_completed", "comment_added", "ASSET_ADDED", "x"}) {
    const auto d = read_cmp_delivery(std::string(R"({"event_name":")") + event + R"("})");
    EXPECT_EQ(d.kind, CmpDeliveryKind::other_event) << event;
  }
}

TEST(CmpDelivery, UnknownFieldsAndDataShapesAreIgnored) {
  const auto d = read_cmp_delivery(R"({"data":[1,2,{"x":null}],"extra":true,"event_name":"asset_added","n":1e308})");
  EXPECT_EQ(d.kind, CmpDeliveryKind::content_change);
}

TEST(CmpDelivery, WhatIsNotAnEventObjectIsMalformed) {
  for (const char* body : {"", "not json", "[]", "\"asset_added\"", "{}", R"({"event_name":42})",
                           R"({"event_name":""})", R"({"event_name":null})", R"({"event_name":"asset_added")"}) {
    const auto d = read_cmp_delivery(body);
    EXPECT_EQ(d.kind, CmpDeliveryKind::malformed) << body;
    EXPECT_FALSE(d.problem.empty()) << body;
    EXPECT_TRUE(d.event.empty()) << body;
  }
}

TEST(CmpDelivery, DeepNestingIsRefusedNotWalked) {
  std::string deep = R"({"event_name":"asset_added","data":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_EQ(read_cmp_delivery(deep).kind, CmpDeliveryKind::malformed);
}

TEST(CmpDelivery, TheEventNameIsMadeSafeForALogLine) {
  const auto d = read_cmp_delivery(R"({"event_name":"asset_\nadded)" + std::string(200, 'x') + R"("})");
  EXPECT_EQ(d.kind, CmpDeliveryKind::content_change);
  EXPECT_EQ(d.event.size(), 64u);
  EXPECT_EQ(d.event.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace feedsync::ops
