// How the CMS says a route segment is taken, and the segment written instead (issue 16).
#include "cms/route_segment.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace feedsync::cms {
namespace {

net::Response answer(int status, std::string body) {
  net::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(RefusesRouteSegment, ValidationAnswersAndConflictsThatNameIt) {
  struct Case {
    const char* name;
    net::Response response;
    bool refused;
  };
  const std::vector<Case> cases = {
      {"v1 400, nested field", answer(400, R"({"status":400,"errors":[{"field":"initialVersion.routeSegment",
         "detail":"The routeSegment 'a' is already in use in this container."}]})"), true},
      {"flat 400, field map", answer(400, R"({"status":400,"errors":{"routeSegment":["in use"]}})"), true},
      {"422, any case", answer(422, R"({"errors":[{"field":"RouteSegment","detail":"taken"}]})"), true},
      {"409 with a field error", answer(409, R"({"status":409,"title":"Conflict",
         "errors":[{"field":"routeSegment","detail":"The routeSegment 'a' is already in use."}]})"), true},
      {"409 naming it in the detail only", answer(409, R"({"status":409,"title":"Conflict",
         "detail":"The routeSegment 'a' is already in use in this container."})"), true},
      {"409: the key exists", answer(409, R"({"status":409,"title":"Conflict",
         "detail":"Content with key 'abc' already exists."})"), false},
      {"409 without a body", answer(409, ""), false},
      {"400 naming another field", answer(400, R"({"errors":[{"field":"status","detail":"read-only"}]})"), false},
      {"400 naming it in the detail only: a validation answer names its fields",
       answer(400, R"({"detail":"routeSegment is taken"})"), false},
      {"a field that only ends like it", answer(400, R"({"errors":[{"field":"myrouteSegment","detail":"x"}]})"),
       false},
      {"500 naming it", answer(500, R"({"errors":[{"field":"routeSegment","detail":"x"}]})"), false},
      {"201", answer(201, R"({"routeSegment":"a"})"), false},
  };
  for (const auto& c : cases) EXPECT_EQ(refuses_route_segment(c.response), c.refused) << c.name;
}

TEST(DeduplicatedRouteSegment, TheSegmentWithTheFirstSixHexOfTheKey) {
  EXPECT_EQ(deduplicated_route_segment("same-title", "0123456789abcdef0123456789abcdef"), "same-title-012345");
  // The same on every call: every retry and every process writes the same segment.
  EXPECT_EQ(deduplicated_route_segment("same-title", "0123456789abcdef0123456789abcdef"),
            deduplicated_route_segment("same-title", "0123456789abcdef0123456789abcdef"));
}

}  // namespace
}  // namespace feedsync::cms
