// The canonical-link post-back: which requests the endpoint refuses and how, and that an
// accepted link shows up in the feed and in the control API.
#include <gtest/gtest.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "sim_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

namespace json = boost::json;

std::string enc(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

std::string canonical(std::string_view link, std::string_view key) {
  return "/customer_canonical_link?canonical_link=" + enc(link) + "&tracking_pixel_key=" + enc(key);
}

struct Published {
  std::string guid;
  std::string key;
};

Published one_article(SimHarness& h) {
  auto r = h.post("/_sim/feeds/" + kFeed + "/articles", "{}");
  EXPECT_EQ(r.status, 201);
  auto a = r.json();
  return {std::string(a.at("guid").as_string()), std::string(a.at("content").at("pixel_key").as_string())};
}

TEST(SimCanonical, AcceptsAndRecordsTheLink) {
  SimHarness h;
  auto a = one_article(h);
  auto r = h.get(canonical("https://www.example.com/en/story-1/", a.key));
  ASSERT_EQ(r.status, 200) << r.body;

  auto page = h.get(feed_url()).json();
  EXPECT_EQ(page.at("entries").at(0).at("content").at("customer_canonical_link").as_string(),
            "https://www.example.com/en/story-1/");
  auto records = h.get("/_sim/canonical").json().at("records").as_array();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("guid").as_string(), a.guid);
  EXPECT_EQ(records[0].at("tracking_pixel_key").as_string(), a.key);
  EXPECT_EQ(records[0].at("canonical_link").as_string(), "https://www.example.com/en/story-1/");
  EXPECT_EQ(records[0].at("time").as_string(), "2026-11-22T12:00:00Z");
  // Recording the link is not an edit: the article's timestamps stay.
  EXPECT_EQ(page.at("entries").at(0).at("content").at("modified_at").as_string(), "2026-11-22T12:00:00Z");
}

TEST(SimCanonical, AcceptsTheFullPixelUrlAsKey) {
  SimHarness h;
  auto a = one_article(h);
  auto r = h.get(canonical("http://example.org/a", "https://pixel.optimizely.com/px.gif?key=" + a.key));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h.get("/_sim/canonical").json().at("records").at(0).at("tracking_pixel_key").as_string(), a.key);
}

TEST(SimCanonical, RefusesBadRequests) {
  SimulatorOptions options;
  options.allowed_domains = {"example.com", "Example.ORG"};
  SimHarness h(options);
  auto a = one_article(h);

  auto unknown = h.get(canonical("https://www.example.com/x", pixel_key_for("0000")));
  EXPECT_EQ(unknown.status, 404);

  EXPECT_EQ(h.get("/customer_canonical_link?tracking_pixel_key=" + enc(a.key)).status, 400);
  EXPECT_EQ(h.get("/customer_canonical_link?canonical_link=" + enc("https://example.com/")).status, 400);
  for (const char* bad : {"/relative/path", "www.example.com/x", "ftp://example.com/x", "https://", "not a url",
                          "mailto:someone@example.com"}) {
    auto r = h.get(canonical(bad, a.key));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json().at("error").at("code").as_string(), "canonical-link-error") << bad;
  }

  auto foreign = h.get(canonical("https://www.evil.net/x", a.key));
  EXPECT_EQ(foreign.status, 422);
  EXPECT_EQ(foreign.json().at("error").at("code").as_string(), "domain-not-whitelisted");
  EXPECT_EQ(h.get(canonical("https://notexample.com/x", a.key)).status, 422);  // suffix, not a subdomain

  EXPECT_EQ(h.get(canonical("https://news.example.com/x", a.key)).status, 200);
  EXPECT_EQ(h.get(canonical("https://EXAMPLE.org/y", a.key)).status, 200);
  EXPECT_EQ(h.get("/_sim/canonical").json().at("records").as_array().size(), 2u);
  // Only accepted links reach the article.
  EXPECT_EQ(h.get("/_sim/articles/" + a.guid).json().at("content").at("customer_canonical_link").as_string(),
            "https://EXAMPLE.org/y");
}

TEST(SimCanonical, ArticlesInTheDeletedFeedStillResolveButRemovedOnesDoNot) {
  SimHarness h;
  auto a = one_article(h);
  ASSERT_EQ(h.post("/_sim/articles/" + a.guid + ":unpublish").status, 200);
  EXPECT_EQ(h.get(canonical("https://x.com/a", a.key)).status, 200);
  ASSERT_EQ(h.del("/_sim/articles/" + a.guid).status, 204);
  EXPECT_EQ(h.get(canonical("https://x.com/a", a.key)).status, 404);
}

}  // namespace
}  // namespace feedsync::sim::testing
