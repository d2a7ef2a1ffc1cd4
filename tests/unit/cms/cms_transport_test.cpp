// Authorized requests: the bearer token, one refresh-and-retry on 401, and how every outcome is
// classified (once, by net::classify) into CmsError kinds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cms/sink_factory.hpp"
#include "unit/cms/cms_test_support.hpp"

namespace feedsync::cms {
namespace {

using ::testing::HasSubstr;
using feedsync::testing::json_reply;
using feedsync::testing::kFlatBase;
using feedsync::testing::kKey;
using feedsync::testing::problem_reply;
using feedsync::testing::run_to_completion;
using feedsync::testing::sample_article;

class CmsTransportTest : public ::testing::Test {
 protected:
  std::unique_ptr<RestCmsSink> sink() {
    CmsClientOptions options;
    options.base_url = kFlatBase;
    return make_cms_sink(http_, tokens_, options);
  }
  CmsResult remove() { return run_to_completion(sink()->remove(sample_article(), false)); }

  feedsync::testing::FakeClock clock_;
  feedsync::testing::FakeHttpClient http_{&clock_};
  feedsync::testing::ScriptedCms cms_{http_};
  TokenSource tokens_{http_, clock_, feedsync::testing::test_token_options()};
};

TEST(CmsUrl, KeepsTheBasePathAndEncodesSegments) {
  EXPECT_EQ(cms_url("http://127.0.0.1:8080/_cms/version2/", {"content", "abc:undelete"}),
            "http://127.0.0.1:8080/_cms/version2/content/abc:undelete");
  EXPECT_EQ(cms_url("https://api.cms.optimizely.com/v1", {"content", "a/b c"}, {{"permanent", "true"}}),
            "https://api.cms.optimizely.com/v1/content/a%2Fb%20c?permanent=true");
}

TEST_F(CmsTransportTest, A401RefreshesTheTokenAndRetriesOnce) {
  cms_.reply(401);
  cms_.reply(204);
  auto done = remove();
  ASSERT_TRUE(done.has_value()) << done.error().message;
  ASSERT_EQ(cms_.calls.size(), 2u);
  EXPECT_EQ(cms_.calls[0].headers.get("Authorization"), "Bearer token-1");
  EXPECT_EQ(cms_.calls[1].headers.get("Authorization"), "Bearer token-2");
  EXPECT_EQ(cms_.token_requests, 2);
}

TEST_F(CmsTransportTest, ASecond401IsAnAuthError) {
  cms_.reply(problem_reply(401, {{"title", "Unauthorized"}}));
  cms_.reply(problem_reply(401, {{"title", "Unauthorized"}}));
  auto failed = remove();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::auth);
  EXPECT_EQ(failed.error().status, 401);
  EXPECT_THAT(failed.error().message, HasSubstr("feed=blog guid=guid-1 key=" + std::string(kKey)));
  EXPECT_THAT(failed.error().message, HasSubstr("freshly issued token"));
  EXPECT_EQ(cms_.calls.size(), 2u);
  EXPECT_EQ(cms_.token_requests, 2);
}

TEST_F(CmsTransportTest, RejectedCredentialsStopBeforeTheCms) {
  cms_.token_replies.push_back(json_reply(400, {{"error", "invalid_client"}}));
  auto failed = remove();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, CmsErrorKind::auth);
  EXPECT_THAT(failed.error().message, HasSubstr("CMS delete of feed=blog"));
  EXPECT_THAT(failed.error().message, HasSubstr("invalid_client"));
  EXPECT_TRUE(cms_.calls.empty());
}

TEST_F(CmsTransportTest, StatusesAreClassifiedOnce) {
  struct Case {
    int status;
    CmsErrorKind kind;
  };
  for (auto [status, kind] : {Case{400, CmsErrorKind::permanent}, Case{403, CmsErrorKind::permanent},
                              Case{408, CmsErrorKind::retryable}, Case{409, CmsErrorKind::permanent},
                              Case{412, CmsErrorKind::permanent}, Case{415, CmsErrorKind::permanent},
                              Case{422, CmsErrorKind::permanent}, Case{429, CmsErrorKind::retryable},
                              Case{500, CmsErrorKind::retryable}, Case{503, CmsErrorKind::retryable}}) {
    cms_.reply(status);
    auto failed = remove();
    ASSERT_FALSE(failed.has_value()) << status;
    EXPECT_EQ(failed.error().kind, kind) << status;
    EXPECT_EQ(failed.error().status, status);
    EXPECT_FALSE(failed.error().transport);
  }
  EXPECT_EQ(cms_.calls.size(), 10u);  // nothing retried here: the decorator below does that
}

TEST_F(CmsTransportTest, TransportFailuresAreMarkedAsSuch) {
  struct Case {
    net::ErrorKind error;
    CmsErrorKind kind;
  };
  for (auto [error, kind] : {Case{net::ErrorKind::timeout, CmsErrorKind::retryable},
                             Case{net::ErrorKind::connect, CmsErrorKind::retryable},
                             Case{net::ErrorKind::tls, CmsErrorKind::permanent},
                             Case{net::ErrorKind::cancelled, CmsErrorKind::cancelled}}) {
    cms_.fail(error);
    auto failed = remove();
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().kind, kind) << net::to_string(error);
    EXPECT_TRUE(failed.error().transport);
    EXPECT_THAT(failed.error().message, HasSubstr("CMS delete of feed=blog guid=guid-1"));
  }
}

}  // namespace
}  // namespace feedsync::cms
