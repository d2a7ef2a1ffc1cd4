// cms.* configuration keys reach the client objects: verify_writes -> SinkOptions,
// token_request and token_refresh_skew -> TokenOptions, with the documented defaults.
#include <gtest/gtest.h>

#include "cms/sink_factory.hpp"
#include "cms/token_request.hpp"

namespace feedsync::cms {
namespace {

using namespace std::chrono_literals;

TEST(ClientOptions, DefaultsAreJsonTokensThirtySecondSkewAndNoReadBack) {
  const config::CmsConfig cms;
  EXPECT_EQ(token_options(cms).style, TokenRequestStyle::json_body);
  EXPECT_EQ(token_options(cms).refresh_skew, 30s);
  EXPECT_FALSE(cms_client_options(cms).sink.verify_writes);
}

TEST(ClientOptions, ConfiguredValuesArePassedOn) {
  config::CmsConfig cms;
  cms.token_request = config::TokenRequest::form;
  cms.token_refresh_skew = 1500ms;
  cms.verify_writes = true;
  EXPECT_EQ(token_options(cms).style, TokenRequestStyle::form_basic);
  EXPECT_EQ(token_options(cms).refresh_skew, 1500ms);  // not cut to whole seconds
  EXPECT_TRUE(cms_client_options(cms).sink.verify_writes);
}

TEST(ClientOptions, TheSinkClockIsTheSystemClockUnlessGiven) {
  const config::CmsConfig cms;
  EXPECT_EQ(cms_client_options(cms).sink.clock, nullptr);
  const SystemClock clock;
  EXPECT_EQ(cms_client_options(cms, clock).sink.clock, &clock);
}

}  // namespace
}  // namespace feedsync::cms
