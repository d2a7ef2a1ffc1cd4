// Secrets: from a file or a whole ${VAR}, never a literal, and never in an error message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::config {
namespace {

using ::testing::ElementsAre;
using testing::error_of;
using testing::fake_env;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kMinimal;
using testing::kSecret;
using testing::load;
using ::testing::Not;
using testing::replaced;

const std::string kSecretLine = "  client_secret: ${CMS_SECRET}";

// kMinimal with the client secret line replaced.
std::string with_secret(const std::string& line) { return replaced(kMinimal, kSecretLine, line); }

class SecretFiles : public ::testing::Test {
 protected:
  std::filesystem::path write_secret(
      const std::string& name, const std::string& content,
      std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                    std::filesystem::perms::owner_write) {
    auto path = dir_.write(name, content);
    std::filesystem::permissions(path, mode);
    return path;
  }
  Environment env() const { return fake_env({{"CREDENTIALS_DIRECTORY", dir_.path().string()}}); }
  std::string dir() const { return dir_.path().string(); }

  feedsync::testing::TempDir dir_;
};

TEST(Secrets, FromTheEnvironment) {
  const Config config = load(kMinimal);
  EXPECT_EQ(config.cms.client_secret.reveal(), kSecret);
  EXPECT_EQ(config.cms.client_secret.origin(), "environment CMS_SECRET");
}

TEST_F(SecretFiles, FromAFileWithoutTheTrailingNewline) {
  write_secret("cms_client_secret", "file-secret\n");
  const Config config =
      load(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/cms_client_secret"), env());
  EXPECT_EQ(config.cms.client_secret.reveal(), "file-secret");
  EXPECT_EQ(config.cms.client_secret.origin(), "file " + dir() + "/cms_client_secret");
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST_F(SecretFiles, OnlyTrailingLineBreaksAreTrimmed) {
  write_secret("s", "  two words \r\n\n");
  const Config config =
      load(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/s"), env());
  EXPECT_EQ(config.cms.client_secret.reveal(), "  two words ");
}

TEST(Secrets, LiteralsAreRejectedWithoutEchoingThem) {
  const std::string message = error_of(with_secret("  client_secret: hunter2-literal"));
  EXPECT_EQ(
      message,
      "feedsync.yaml:5:18: cms.client_secret: secrets cannot be written into the configuration "
      "file; use client_secret: ${ENV_VAR} or client_secret_file: /path/to/file");
  EXPECT_THAT(message, Not(HasSubstr("hunter2")));

  // Anything around the reference makes it a literal too.
  EXPECT_THAT(error_of(with_secret("  client_secret: pre-${CMS_SECRET}")),
              HasSubstr("secrets cannot be written into the configuration file"));
  EXPECT_THAT(error_of(with_secret("  client_secret: $${CMS_SECRET}")),
              HasSubstr("secrets cannot be written into the configuration file"));
}

TEST(Secrets, UnsetOrEmptyVariable) {
  EXPECT_EQ(error_of(kMinimal, fake_env({})),
            "feedsync.yaml:5:18: cms.client_secret: environment variable CMS_SECRET is not set");
  EXPECT_EQ(error_of(kMinimal, fake_env({{"CMS_SECRET", ""}})),
            "feedsync.yaml:5:18: cms.client_secret: environment variable CMS_SECRET is empty");
}

TEST_F(SecretFiles, MissingFile) {
  EXPECT_EQ(error_of(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/nope"), env()),
            "feedsync.yaml:5:23: cms.client_secret_file: cannot read secret file " + dir() +
                "/nope: No such file or directory");
}

TEST_F(SecretFiles, EmptyFile) {
  write_secret("empty", "");
  write_secret("newline", "\n");
  EXPECT_EQ(error_of(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/empty"), env()),
            "feedsync.yaml:5:23: cms.client_secret_file: secret file " + dir() + "/empty is empty");
  EXPECT_EQ(
      error_of(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/newline"), env()),
      "feedsync.yaml:5:23: cms.client_secret_file: secret file " + dir() + "/newline is empty");
}

TEST_F(SecretFiles, DirectoryAndOversizedFile) {
  std::filesystem::create_directory(dir_ / "subdir");
  EXPECT_EQ(error_of(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/subdir"), env()),
            "feedsync.yaml:5:23: cms.client_secret_file: cannot read secret file " + dir() +
                "/subdir: is a directory, not a file");
  write_secret("huge", std::string(64 * 1024 + 1, 'x'));
  EXPECT_EQ(error_of(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/huge"), env()),
            "feedsync.yaml:5:23: cms.client_secret_file: cannot read secret file " + dir() +
                "/huge: is larger than 64 KiB");
}

TEST(Secrets, CredentialsDirectoryUnset) {
  EXPECT_EQ(
      error_of(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/cms_client_secret"),
               fake_env({})),
      "feedsync.yaml:5:23: cms.client_secret_file: environment variable CREDENTIALS_DIRECTORY "
      "is not set (systemd sets it for units with LoadCredential=; outside systemd, set it "
      "yourself)");
}

TEST_F(SecretFiles, BothFormsAtOnceIsAnError) {
  write_secret("s", "x");
  EXPECT_EQ(
      error_of(with_secret(kSecretLine + "\n  client_secret_file: ${CREDENTIALS_DIRECTORY}/s"),
               fake_env({{"CMS_SECRET", "a"}, {"CREDENTIALS_DIRECTORY", dir()}})),
      "feedsync.yaml:6:3: cms.client_secret_file: set either client_secret or "
      "client_secret_file, not both");
}

TEST_F(SecretFiles, WarnsAboutWorldReadableFilesOnly) {
  using std::filesystem::perms;
  write_secret("open", "x\n", perms::owner_read | perms::group_read | perms::others_read);
  const Config open =
      load(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/open"), env());
  EXPECT_THAT(open.warnings,
              ElementsAre("feedsync.yaml:5:23: cms.client_secret_file: secret file " + dir() +
                          "/open is readable by every user; restrict it (chmod 600, or 640 for a "
                          "group)"));

  write_secret("group", "x\n", perms::owner_read | perms::group_read);
  const Config group =
      load(with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/group"), env());
  EXPECT_THAT(group.warnings, IsEmpty());
}

TEST_F(SecretFiles, AdminToken) {
  write_secret("admin_token", "tok-123\n");
  const Config from_file = load(
      std::string(kMinimal) + "http:\n  admin_token_file: ${CREDENTIALS_DIRECTORY}/admin_token\n",
      fake_env({{"CMS_SECRET", kSecret}, {"CREDENTIALS_DIRECTORY", dir()}}));
  ASSERT_TRUE(from_file.http.admin_token);
  EXPECT_EQ(from_file.http.admin_token->reveal(), "tok-123");
  EXPECT_THAT(from_file.secret_values(), ElementsAre(kSecret, "tok-123"));

  const Config from_env = load(std::string(kMinimal) + "http:\n  admin_token: ${ADMIN}\n",
                               fake_env({{"CMS_SECRET", kSecret}, {"ADMIN", "env-tok"}}));
  ASSERT_TRUE(from_env.http.admin_token);
  EXPECT_EQ(from_env.http.admin_token->reveal(), "env-tok");
  EXPECT_EQ(from_env.http.admin_token->origin(), "environment ADMIN");

  EXPECT_EQ(error_of(std::string(kMinimal) + "http:\n  admin_token: letmein\n"),
            "feedsync.yaml:17:16: http.admin_token: secrets cannot be written into the "
            "configuration file; use admin_token: ${ENV_VAR} or admin_token_file: /path/to/file");
}

TEST(Secrets, SecretValuesWithoutAdminToken) {
  EXPECT_THAT(load(kMinimal).secret_values(), ElementsAre(kSecret));
}

// The secret must not leak even when configured into a place whose errors echo the value.
TEST(Secrets, NeverInAnErrorMessage) {
  const auto env = fake_env({{"CMS_SECRET", kSecret}});
  const std::vector<std::string> broken = {
      std::string(kMinimal) + "source:\n  page_size: ${CMS_SECRET}\n",
      std::string(kMinimal) + "    interval: ${CMS_SECRET}\n",
      std::string(kMinimal) + "    container: x${CMS_SECRET}\n",
      replaced(kMinimal, "feed_id: abc123", "feed_id: ${CMS_SECRET}"),
      std::string(kMinimal) + "    delete: ${CMS_SECRET}\n",
      replaced(kMinimal, kSecretLine, "  client_secret: " + std::string(kSecret)),
      replaced(kMinimal, kSecretLine, "  client_secret: \"${CMS_SECRET}x\""),
  };
  for (const auto& yaml : broken) {
    const std::string message = error_of(yaml, env);
    EXPECT_THAT(message, HasSubstr("feedsync.yaml:")) << yaml;
    EXPECT_THAT(message, Not(HasSubstr(kSecret))) << message;
  }
}

TEST_F(SecretFiles, FileSecretNeverInAnErrorMessage) {
  write_secret("s", "file-only-secret-9\n");
  const std::string yaml =
      with_secret("  client_secret_file: ${CREDENTIALS_DIRECTORY}/s") + "    interval: ${LEAK}\n";
  const std::string message =
      error_of(yaml, fake_env({{"CREDENTIALS_DIRECTORY", dir()}, {"LEAK", "file-only-secret-9"}}));
  EXPECT_EQ(message,
            "feedsync.yaml:16:15: feeds[0].interval: expected a duration like 30s, got "
            "\"<redacted>\"");
}

}  // namespace
}  // namespace feedsync::config
