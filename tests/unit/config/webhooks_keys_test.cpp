// Issue 19's keys: webhooks.cmp / webhooks.cms secrets and http.webhook_listen with its TLS.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace feedsync::config {
namespace {

using namespace std::chrono_literals;
using testing::error_of;
using testing::fake_env;
using ::testing::HasSubstr;
using testing::kMinimal;
using testing::kSecret;
using testing::load;
using ::testing::Not;

constexpr const char* kCmpSecret = "cmp-secret-of-32-characters-long";

Environment env() { return fake_env({{"CMS_SECRET", kSecret}, {"CMP_SECRET", kCmpSecret}, {"CMS_HOOK", "hook-token"}}); }

TEST(WebhookKeys, OffByDefault) {
  const Config config = load(kMinimal);
  EXPECT_FALSE(config.webhooks.cmp.secret);
  EXPECT_FALSE(config.webhooks.cms.token);
  EXPECT_EQ(config.webhooks.cmp.coalesce, 100ms);
  EXPECT_FALSE(config.http.webhook_listen);
}

TEST(WebhookKeys, SecretsFromTheEnvironmentAreRedacted) {
  const Config config = load(std::string(kMinimal) +
                                 "webhooks:\n  cmp:\n    secret: ${CMP_SECRET}\n    coalesce: 2s\n"
                                 "  cms:\n    token: ${CMS_HOOK}\n",
                             env());
  ASSERT_TRUE(config.webhooks.cmp.secret);
  EXPECT_EQ(config.webhooks.cmp.secret->reveal(), kCmpSecret);
  ASSERT_TRUE(config.webhooks.cms.token);
  EXPECT_EQ(config.webhooks.cms.token->reveal(), "hook-token");
  EXPECT_EQ(config.webhooks.cmp.coalesce, 2s);
  const auto secrets = config.secret_values();
  EXPECT_THAT(secrets, ::testing::Contains(kCmpSecret));
  EXPECT_THAT(secrets, ::testing::Contains("hook-token"));
}

TEST(WebhookKeys, ALiteralSecretIsRefusedWithoutShowingIt) {
  const auto error = error_of(std::string(kMinimal) + "webhooks:\n  cmp:\n    secret: literal-value\n", env());
  EXPECT_THAT(error, HasSubstr("webhooks.cmp.secret"));
  EXPECT_THAT(error, HasSubstr("secret_file"));
}

TEST(WebhookKeys, ACmpSecretLongerThan32CharactersIsRefused) {
  const auto error = error_of(std::string(kMinimal) + "webhooks:\n  cmp:\n    secret: ${LONG}\n",
                              fake_env({{"CMS_SECRET", kSecret}, {"LONG", std::string(33, 'a')}}));
  EXPECT_THAT(error, HasSubstr("webhooks.cmp.secret"));
  EXPECT_THAT(error, HasSubstr("32 characters"));
  EXPECT_THAT(error, Not(HasSubstr(std::string(33, 'a'))));
}

TEST(WebhookKeys, WebhookListenAndItsTls) {
  const Config config = load(std::string(kMinimal) +
                             "http:\n  webhook_listen: \"[::]:9465\"\n  webhook_tls_cert_file: /etc/f/hook.crt\n"
                             "  webhook_tls_key_file: /etc/f/hook.key\n");
  ASSERT_TRUE(config.http.webhook_listen);
  EXPECT_EQ(config.http.webhook_listen_host, "::");
  EXPECT_EQ(config.http.webhook_listen_port, 9465);
  EXPECT_EQ(config.http.webhook_tls_cert_file, "/etc/f/hook.crt");
  EXPECT_EQ(config.http.webhook_tls_key_file, "/etc/f/hook.key");
}

TEST(WebhookKeys, TlsNeedsBothFilesAndTheWebhookListener) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "http:\n  webhook_listen: 0.0.0.0:9465\n  webhook_tls_cert_file: a.crt\n"),
              HasSubstr("http.webhook_tls_cert_file: webhook_tls_cert_file and webhook_tls_key_file go together"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "http:\n  webhook_tls_cert_file: a.crt\n  webhook_tls_key_file: a.key\n"),
              HasSubstr("http.webhook_tls_cert_file: TLS applies to http.webhook_listen"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "http:\n  webhook_listen: nope\n"), HasSubstr("http.webhook_listen"));
}

TEST(WebhookKeys, UnknownKeysAreRefused) {
  EXPECT_THAT(error_of(std::string(kMinimal) + "webhooks:\n  cmp:\n    secrte: x\n"), HasSubstr("webhooks.cmp.secrte"));
  EXPECT_THAT(error_of(std::string(kMinimal) + "webhooks:\n  github: {}\n"), HasSubstr("webhooks.github"));
}

}  // namespace
}  // namespace feedsync::config
