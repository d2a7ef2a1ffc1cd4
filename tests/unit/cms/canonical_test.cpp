// The canonical-link post-back and the canonical URL template.
#include "cms/canonical_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/canonical_url.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using feedsync::testing::FakeHttpClient;
using feedsync::testing::json_reply;
using feedsync::testing::run_to_completion;

const char* kEndpoint = "https://js-snippets.example.test/customer_canonical_link";

CanonicalPost sample_post(std::string url = "https://www.example.com/en/hello-world", std::string key = "YXJ0aWNsZT1ndWlkLTE=") {
  return {feedsync::testing::sample_article(), std::move(url), std::move(key)};
}

class CanonicalClientTest : public ::testing::Test {
 protected:
  CanonicalClient client() { return CanonicalClient(http_, CanonicalClientOptions{kEndpoint, std::chrono::seconds(5)}); }
  Expected<CanonicalOutcome, CmsError> post(CanonicalPost p) {
    auto c = client();
    return run_to_completion(c.post(std::move(p)));
  }
  FakeHttpClient http_;
};

TEST_F(CanonicalClientTest, EncodesTheLinkAndKeyAsWholeComponents) {
  auto url = client().request_url("https://www.example.com/a b/é?x=1&y=2+3#top", "YXJ0aWNsZT0x+/=");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(*url,
            "https://js-snippets.example.test/customer_canonical_link"
            "?canonical_link=https%3A%2F%2Fwww.example.com%2Fa%20b%2F%C3%A9%3Fx%3D1%26y%3D2%2B3%23top"
            "&tracking_pixel_key=YXJ0aWNsZT0x%2B%2F%3D");
  CanonicalClient with_query(http_, CanonicalClientOptions{"https://cmp.example.test/link?v=2", {}});
  EXPECT_EQ(*with_query.request_url("https://a.example/", "k"),
            "https://cmp.example.test/link?v=2&canonical_link=https%3A%2F%2Fa.example%2F&tracking_pixel_key=k");
}

TEST_F(CanonicalClientTest, AnyTwoHundredIsSuccessAndThePixelUrlBecomesTheBareKey) {
  http_.push_status(204);
  auto done = post(sample_post("https://www.example.com/x", "https://pixel.example.test/px.gif?key=YWJj"));
  ASSERT_TRUE(done.has_value()) << done.error().message;
  EXPECT_EQ(done->status, 204);
  const net::Request& request = http_.calls().at(0).request;
  EXPECT_EQ(request.method, net::Method::get);
  EXPECT_THAT(request.url, HasSubstr("&tracking_pixel_key=YWJj"));
  EXPECT_FALSE(request.headers.contains("Authorization"));
}

TEST_F(CanonicalClientTest, DomainNotAllowedIsAConfigurationProblem) {
  http_.push(json_reply(400, {{"error", "domain-not-whitelisted"}}));
  auto failed = post(sample_post());
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_EQ(failed.error().status, 400);
  EXPECT_THAT(failed.error().message, HasSubstr("feed=blog guid=guid-1"));
  EXPECT_THAT(failed.error().message, HasSubstr("domain-not-whitelisted"));
  EXPECT_THAT(failed.error().message, HasSubstr("www.example.com"));
  EXPECT_THAT(failed.error().message, HasSubstr("organisation's allowed domains"));
}

TEST_F(CanonicalClientTest, UnknownKeyAndOtherRefusalsSayWhatToCheck) {
  http_.push_status(404);
  auto unknown = post(sample_post());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(unknown.error().message, HasSubstr("does not know the tracking pixel key YXJ0aWNsZT1ndWlkLTE="));

  http_.push_status(403);
  auto refused = post(sample_post());
  EXPECT_THAT(refused.error().message, HasSubstr("allowed domains"));

  http_.push_status(302, {{"Location", "https://login.example.test/"}});
  auto redirected = post(sample_post());
  EXPECT_EQ(redirected.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(redirected.error().message, HasSubstr("redirects to https://login.example.test/; check canonical.endpoint"));
}

// The service's own error shape: {"error": {"code", "message"}}.
net::Response cmp_error(int status, const char* code, const char* message) {
  return json_reply(status, {{"error", {{"code", code}, {"message", message}}}});
}

TEST_F(CanonicalClientTest, ARejectedLinkQuotesTheServiceAndPointsAtTheTemplateNotTheDomains) {
  http_.push(cmp_error(400, "canonical-link-error", "canonical_link must be an absolute http(s) URL, got '/en/x'"));
  auto failed = post(sample_post());
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(failed.error().message,
              HasSubstr("HTTP 400 (canonical-link-error: canonical_link must be an absolute http(s) URL, got "
                        "'/en/x'): CMP rejected the link https://www.example.com/en/hello-world: check "
                        "canonical.url_template"));
  EXPECT_THAT(failed.error().message, Not(HasSubstr("allowed domains")));
}

TEST_F(CanonicalClientTest, ADomainRefusalInTheMessageSuggestsTheAllowedDomains) {
  http_.push(cmp_error(422, "domain-not-whitelisted", "The domain www.example.com is not whitelisted"));
  auto failed = post(sample_post());
  EXPECT_THAT(failed.error().message, HasSubstr("(domain-not-whitelisted: The domain www.example.com is not whitelisted)"));
  EXPECT_THAT(failed.error().message, HasSubstr("add it to the organisation's allowed domains"));

  http_.push(cmp_error(400, "canonical-link-error", "Domain not allowed for this organization"));
  EXPECT_THAT(post(sample_post()).error().message, HasSubstr("add it to the organisation's allowed domains"));
}

TEST_F(CanonicalClientTest, AForbiddenWithoutWordsStillSuggestsTheAllowedDomains) {
  http_.push_status(403);
  auto failed = post(sample_post());
  EXPECT_THAT(failed.error().message,
              HasSubstr("HTTP 403: CMP refused the link: check that www.example.com is among the organisation's "
                        "allowed domains in CMP and that canonical.endpoint is right"));
}

TEST_F(CanonicalClientTest, AnUnexplainedBadRequestNamesTheSettingsWithoutGuessingDomains) {
  http_.push_status(400);
  auto bare = post(sample_post());
  EXPECT_THAT(bare.error().message,
              HasSubstr("HTTP 400: CMP refused the request: check canonical.url_template and canonical.endpoint"));
  EXPECT_THAT(bare.error().message, Not(HasSubstr("allowed domains")));

  http_.push(cmp_error(400, "400", "Something else went wrong"));
  auto worded = post(sample_post());
  EXPECT_THAT(worded.error().message, HasSubstr("(400: Something else went wrong): CMP refused the request"));

  http_.push(cmp_error(404, "404", "No article found for tracking_pixel_key YXJ0aWNsZT1ndWlkLTE="));
  EXPECT_THAT(post(sample_post()).error().message, HasSubstr("does not know the tracking pixel key"));

  http_.push_status(401);
  EXPECT_THAT(post(sample_post()).error().message, HasSubstr("asks for credentials"));
  http_.push_status(410);
  auto gone = post(sample_post());
  EXPECT_THAT(gone.error().message, HasSubstr("HTTP 410: check canonical.endpoint"));
  EXPECT_EQ(gone.error().kind, CmsErrorKind::permanent);
}

TEST_F(CanonicalClientTest, ServerAndNetworkTroubleIsRetryable) {
  http_.push_status(503);
  EXPECT_EQ(post(sample_post()).error().kind, CmsErrorKind::retryable);
  http_.push_status(429);
  EXPECT_EQ(post(sample_post()).error().kind, CmsErrorKind::retryable);
  http_.push_error(net::ErrorKind::connect);
  auto failed = post(sample_post());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::retryable);
  EXPECT_TRUE(failed.error().transport);
}

TEST_F(CanonicalClientTest, NoPixelKeyIsPermanentWithoutARequest) {
  auto failed = post(sample_post("https://www.example.com/x", "  "));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::permanent);
  EXPECT_THAT(failed.error().message, HasSubstr("no tracking pixel key"));
  EXPECT_TRUE(http_.calls().empty());
}

CanonicalVars vars(std::string route = "hello-world", std::string meta_url = "/blog/hello") {
  return {"en", std::move(route), "6946107a8ad6414f8f1786364dab1ec2", "guid-1", std::move(meta_url)};
}

TEST(CanonicalUrl, FillsEveryPlaceholder) {
  EXPECT_EQ(*render_canonical_url("https://www.example.com/{locale}/{route_segment}", vars()),
            "https://www.example.com/en/hello-world");
  EXPECT_EQ(*render_canonical_url("http://x.example/{key}?g={guid}", vars()),
            "http://x.example/6946107a8ad6414f8f1786364dab1ec2?g=guid-1");
  EXPECT_EQ(*render_canonical_url("https://www.example.com{meta_url}", vars()), "https://www.example.com/blog/hello");
}

TEST(CanonicalUrl, EncodesValuesSoTheyCannotChangeTheUrlsShape) {
  EXPECT_EQ(*render_canonical_url("https://www.example.com/{locale}/{route_segment}", vars("héllo wörld")),
            "https://www.example.com/en/h%C3%A9llo%20w%C3%B6rld");
  EXPECT_EQ(*render_canonical_url("https://www.example.com/{route_segment}", vars("a/b?c")),
            "https://www.example.com/a%2Fb%3Fc");
  EXPECT_EQ(*render_canonical_url("{meta_url}", vars("r", "https://www.example.com/a b/é")),
            "https://www.example.com/a%20b/%C3%A9");
  EXPECT_EQ(*render_canonical_url("{meta_url}", vars("r", "https://www.example.com/a%20b?x=1")),
            "https://www.example.com/a%20b?x=1");
}

// Issue 21 (bad input at the edges): a feed's guid is opaque text. "/", spaces and 10 KB are
// encoded into one segment; "." and ".." cannot be (they are unreserved) and would move the
// link up the site, so no link is made for such an article, with a message saying why.
TEST(CanonicalUrl, GuidsCannotChangeTheLinksPath) {
  auto with_guid = [](std::string guid) {
    CanonicalVars v = vars();
    v.guid = std::move(guid);
    return render_canonical_url("https://www.example.com/articles/{guid}", v);
  };
  EXPECT_EQ(*with_guid("../../etc/passwd"), "https://www.example.com/articles/..%2F..%2Fetc%2Fpasswd");
  EXPECT_EQ(*with_guid("a b/c"), "https://www.example.com/articles/a%20b%2Fc");
  EXPECT_EQ(with_guid(std::string(10 * 1024, 'g'))->size(), std::string("https://www.example.com/articles/").size() + 10 * 1024);
  EXPECT_THAT(with_guid("..").error(), HasSubstr("{guid} is \"..\", which would be a dot segment"));
  EXPECT_THAT(with_guid(".").error(), HasSubstr("{guid} is \".\""));
  EXPECT_EQ(*with_guid("..."), "https://www.example.com/articles/...");
  EXPECT_THAT(render_canonical_url("https://www.example.com/{route_segment}", vars("..")).error(),
              HasSubstr("{route_segment} is \"..\""));
}

TEST(CanonicalUrl, RejectsBadTemplatesAndResults) {
  EXPECT_THAT(render_canonical_url("https://x.example/{slug}", vars()).error(), HasSubstr("unknown placeholder {slug}"));
  EXPECT_THAT(render_canonical_url("https://x.example/{locale", vars()).error(), HasSubstr("is not closed"));
  EXPECT_THAT(render_canonical_url("https://x.example/{route_segment}", vars("")).error(),
              HasSubstr("{route_segment} is empty"));
  EXPECT_THAT(render_canonical_url("/{locale}/{route_segment}", vars()).error(), HasSubstr("not an absolute http(s) URL"));
  EXPECT_THAT(render_canonical_url("ftp://x.example/{route_segment}", vars()).error(), HasSubstr("not an absolute"));
  EXPECT_TRUE(check_canonical_template("https://x.example/{locale}/{route_segment}").has_value());
  EXPECT_FALSE(check_canonical_template("https://x.example/{nope}").has_value());
}

}  // namespace
}  // namespace feedsync::cms
