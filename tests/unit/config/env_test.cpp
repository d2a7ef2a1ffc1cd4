#include "config/env.hpp"

#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace feedsync::config {
namespace {

using detail::expand_env;
using detail::sole_env_reference;
using testing::fake_env;

TEST(ExpandEnv, ReplacesVariables) {
  const auto env = fake_env({{"HOST", "cms.example.com"}, {"EMPTY", ""}});
  EXPECT_EQ(expand_env("https://${HOST}/api", env).text, "https://cms.example.com/api");
  EXPECT_EQ(expand_env("${HOST}${HOST}", env).text, "cms.example.comcms.example.com");
  EXPECT_EQ(expand_env("a${EMPTY}b", env).text, "ab");
  EXPECT_EQ(expand_env("no variables", env).text, "no variables");
  EXPECT_EQ(expand_env("", env).text, "");
}

TEST(ExpandEnv, DoubleDollarIsALiteralDollar) {
  const auto env = fake_env({{"X", "1"}});
  EXPECT_EQ(expand_env("price $$5", env).text, "price $5");
  EXPECT_EQ(expand_env("$${X}", env).text, "${X}");
  EXPECT_EQ(expand_env("$$$${X}", env).text, "$${X}");
  EXPECT_EQ(expand_env("$$${X}", env).text, "$1");
}

TEST(ExpandEnv, ValuesAreNotExpandedAgain) {
  const auto env = fake_env({{"A", "${B}"}, {"B", "no"}});
  EXPECT_EQ(expand_env("${A}", env).text, "${B}");
}

TEST(ExpandEnv, UnsetVariableIsAnErrorNamingIt) {
  const auto result = expand_env("x${MISSING}", fake_env({}));
  EXPECT_EQ(result.error, "environment variable MISSING is not set");
}

TEST(ExpandEnv, CredentialsDirectoryGetsASystemdHint) {
  const auto result = expand_env("${CREDENTIALS_DIRECTORY}/x", fake_env({}));
  EXPECT_EQ(result.error,
            "environment variable CREDENTIALS_DIRECTORY is not set (systemd sets it for units with "
            "LoadCredential=; outside systemd, set it yourself)");
}

TEST(ExpandEnv, MalformedReferencesAreErrors) {
  const auto env = fake_env({{"HOME", "/root"}});
  EXPECT_EQ(expand_env("$HOME", env).error,
            "a \"$\" must start ${VARIABLE}; write $$ for a literal $");
  EXPECT_EQ(expand_env("trailing $", env).error,
            "a \"$\" must start ${VARIABLE}; write $$ for a literal $");
  EXPECT_EQ(expand_env("${HOME", env).error, "unterminated \"${\": expected ${VARIABLE}");
  EXPECT_EQ(expand_env("${}", env).error,
            "\"${}\" is not a variable reference: names are letters, digits and _");
  EXPECT_EQ(expand_env("${1X}", env).error,
            "\"${1X}\" is not a variable reference: names are letters, digits and _");
  EXPECT_EQ(expand_env("${A-B}", env).error,
            "\"${A-B}\" is not a variable reference: names are letters, digits and _");
}

TEST(ExpandEnv, DefaultEnvironmentReadsTheProcessEnvironment) {
  ::setenv("FEEDSYNC_TEST_ENV_VALUE", "from-process", 1);
  EXPECT_EQ(Environment{}.get("FEEDSYNC_TEST_ENV_VALUE"), "from-process");
  ::unsetenv("FEEDSYNC_TEST_ENV_VALUE");
  EXPECT_EQ(Environment{}.get("FEEDSYNC_TEST_ENV_VALUE"), std::nullopt);
}

TEST(SoleEnvReference, OnlyAWholeReferenceCounts) {
  EXPECT_EQ(sole_env_reference("${CMS_SECRET}"), "CMS_SECRET");
  EXPECT_EQ(sole_env_reference("${_x1}"), "_x1");
  EXPECT_EQ(sole_env_reference("x${CMS_SECRET}"), std::nullopt);
  EXPECT_EQ(sole_env_reference("${CMS_SECRET}x"), std::nullopt);
  EXPECT_EQ(sole_env_reference("${A}${B}"), std::nullopt);
  EXPECT_EQ(sole_env_reference("$CMS_SECRET"), std::nullopt);
  EXPECT_EQ(sole_env_reference("${}"), std::nullopt);
  EXPECT_EQ(sole_env_reference("hunter2"), std::nullopt);
}

}  // namespace
}  // namespace feedsync::config
