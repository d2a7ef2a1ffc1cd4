#include "net/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace feedsync::net {
namespace {

// Routing never runs handlers; any coroutine will do.
boost::asio::awaitable<ServerResponse> unused(ServerRequest) { co_return ServerResponse{}; }

Router::Match match(const Router& router, Method method, std::string_view target) {
  return router.match(method, target);
}

TEST(RouterTest, LiteralAndParamSegments) {
  Router router;
  router.get("/livez", unused);
  router.post("/feeds/{name}/articles/{guid}/resync", unused);
  router.get("/v2/feed/{id}", unused);

  auto m = match(router, Method::get, "/livez");
  EXPECT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/livez");
  EXPECT_NE(m.handler, nullptr);

  m = match(router, Method::post, "/feeds/blog/articles/a%2Fb%20c/resync");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/feeds/{name}/articles/{guid}/resync");
  EXPECT_EQ(m.params.get("name"), "blog");
  EXPECT_EQ(m.params.get("guid"), "a/b c");  // decoded, and %2F stays inside its segment

  m = match(router, Method::get, "/v2/feed/0569f69ed223720c699936eddbc7tyxP8d3?format=json");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.params.get("id"), "0569f69ed223720c699936eddbc7tyxP8d3");
}

TEST(RouterTest, ParamsNeedNonEmptySegmentsAndExactLength) {
  Router router;
  router.get("/v2/feed/{id}", unused);
  EXPECT_EQ(match(router, Method::get, "/v2/feed/").outcome, Router::Outcome::not_found);
  EXPECT_EQ(match(router, Method::get, "/v2/feed").outcome, Router::Outcome::not_found);
  EXPECT_EQ(match(router, Method::get, "/v2/feed/a/b").outcome, Router::Outcome::not_found);
  EXPECT_EQ(match(router, Method::get, "/v2/feeds/a").outcome, Router::Outcome::not_found);
}

TEST(RouterTest, ColonActionSegment) {
  Router router;
  router.post("/content/{key}:undelete", unused);
  router.post("/content/{key}", unused);
  router.get("/content/{key}", unused);

  auto m = match(router, Method::post, "/content/abc:undelete");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/content/{key}:undelete");
  EXPECT_EQ(m.params.get("key"), "abc");

  // The colon may arrive percent-encoded.
  m = match(router, Method::post, "/content/abc%3Aundelete");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/content/{key}:undelete");

  m = match(router, Method::post, "/content/abc");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/content/{key}");
  EXPECT_EQ(m.params.get("key"), "abc");

  // An empty capture does not match the affixed form.
  m = match(router, Method::post, "/content/:undelete");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/content/{key}");

  // The method takes part in matching: no GET undelete route, so the plain GET route answers.
  m = match(router, Method::get, "/content/abc:undelete");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/content/{key}");
  EXPECT_EQ(m.params.get("key"), "abc:undelete");
}

TEST(RouterTest, PrefixAndSuffixAroundParam) {
  Router router;
  router.post("/content/{key}/versions/v{version}:publish", unused);
  auto m = match(router, Method::post, "/content/k1/versions/v12:publish");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.params.get("key"), "k1");
  EXPECT_EQ(m.params.get("version"), "12");
  EXPECT_EQ(match(router, Method::post, "/content/k1/versions/12:publish").outcome, Router::Outcome::not_found);
}

TEST(RouterTest, CatchAllRest) {
  Router router;
  router.any("/_sim/{rest...}", unused);
  router.post("/_sim/reset", unused);

  auto m = match(router, Method::get, "/_sim/faults/cms");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/_sim/{rest...}");
  EXPECT_EQ(m.params.get("rest"), "faults/cms");

  m = match(router, Method::get, "/_sim");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.params.get("rest"), "");

  m = match(router, Method::post, "/_sim/reset");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/_sim/reset");  // the literal is more specific

  m = match(router, Method::delete_, "/_sim/reset");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/_sim/{rest...}");  // the literal has no DELETE; the catch-all has all methods
  EXPECT_EQ(match(router, Method::get, "/other").outcome, Router::Outcome::not_found);
}

TEST(RouterTest, ExactBeatsCatchAllThatMatchesNothing) {
  Router router;
  router.get("/a/{rest...}", unused);
  router.get("/a", unused);
  EXPECT_EQ(match(router, Method::get, "/a").route, "/a");
  EXPECT_EQ(match(router, Method::get, "/a/b").route, "/a/{rest...}");
}

TEST(RouterTest, MostSpecificWinsRegardlessOfOrder) {
  Router router;
  router.get("/feeds/{name}/{what}", unused);
  router.get("/feeds/{name}/status", unused);
  router.get("/feeds/blog/{what}", unused);
  EXPECT_EQ(match(router, Method::get, "/feeds/blog/status").route, "/feeds/blog/{what}");
  EXPECT_EQ(match(router, Method::get, "/feeds/news/status").route, "/feeds/{name}/status");
  EXPECT_EQ(match(router, Method::get, "/feeds/news/x").route, "/feeds/{name}/{what}");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router router;
  router.post("/feeds/{name}/pause", unused);
  router.get("/status", unused);
  router.post("/status", unused);

  EXPECT_EQ(match(router, Method::get, "/nope").outcome, Router::Outcome::not_found);

  auto m = match(router, Method::get, "/feeds/blog/pause");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "POST");
  EXPECT_EQ(m.handler, nullptr);

  m = match(router, Method::delete_, "/status");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST(RouterTest, HeadFallsBackToGetUnlessItHasItsOwnRoute) {
  Router router;
  router.get("/metrics", unused);
  router.get("/livez", unused);
  router.add(Method::head, "/livez", unused);

  auto m = match(router, Method::head, "/metrics");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/metrics");

  m = match(router, Method::head, "/livez");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_NE(m.handler, match(router, Method::get, "/livez").handler);  // the HEAD route's own
}

TEST(RouterTest, RootPath) {
  Router router;
  router.get("/", unused);
  EXPECT_EQ(match(router, Method::get, "/").outcome, Router::Outcome::found);
  EXPECT_EQ(match(router, Method::get, "/x").outcome, Router::Outcome::not_found);
}

TEST(RouterTest, InvalidPatternsThrow) {
  Router router;
  for (const char* bad : {"", "livez", "/{}", "/{a", "/a}", "/{a}{b}", "/{a}/{a}", "/{rest...}/x",
                          "/x{rest...}", "/{bad-name}"}) {
    EXPECT_THROW(router.get(bad, unused), std::invalid_argument) << bad;
  }
  EXPECT_EQ(router.size(), 0u);
}

TEST(ParseTargetTest, QueryParamsDecodedInOrderWithRepeats) {
  auto target = parse_target("/v2/feed/x?fields=guid&fields=modified_at&q=a%20b+c&flag&empty=&k%3D=v%26");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->path, "/v2/feed/x");
  ASSERT_EQ(target->query.size(), 6u);
  auto all = target->query.get_all("fields");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "guid");
  EXPECT_EQ(all[1], "modified_at");
  EXPECT_EQ(target->query.get("fields"), "guid");
  EXPECT_EQ(target->query.get("q"), "a b c");
  EXPECT_EQ(target->query.get("flag"), "");
  EXPECT_EQ(target->query.get("empty"), "");
  EXPECT_EQ(target->query.get("k="), "v&");
  EXPECT_FALSE(target->query.contains("missing"));
  std::vector<std::string> order;
  for (const auto& item : target->query) order.push_back(item.name);
  EXPECT_EQ(order, (std::vector<std::string>{"fields", "fields", "q", "flag", "empty", "k="}));
}

TEST(ParseTargetTest, PathStaysEncodedSegmentsAreDecoded) {
  auto target = parse_target("/a%20b/c%2Fd/");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->path, "/a%20b/c%2Fd/");
  EXPECT_EQ(target->segments, (std::vector<std::string>{"a b", "c/d", ""}));
  auto root = parse_target("/");
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->segments.empty());
  EXPECT_TRUE(root->query.empty());
}

TEST(ParseTargetTest, RejectsNonOriginForms) {
  EXPECT_FALSE(parse_target("http://example.com/x"));
  EXPECT_FALSE(parse_target("*"));
  EXPECT_FALSE(parse_target("/a b"));
  EXPECT_FALSE(parse_target("/a%zz"));
  EXPECT_FALSE(parse_target(""));
}

}  // namespace
}  // namespace feedsync::net
