// config/feedsync.example.yaml is documentation that must keep loading.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::config {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using namespace std::chrono_literals;

TEST(ExampleConfig, LoadsWithItsEnvironmentAndCredentials) {
  feedsync::testing::TempDir credentials;
  for (const char* name : {"cms_client_secret", "admin_token"}) {
    const auto path = credentials.write(name, std::string(name) + "-value\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  }
  const auto env = testing::fake_env({{"CMS_CLIENT_ID", "example-client"},
                                      {"CREDENTIALS_DIRECTORY", credentials.path().string()}});

  const Config config =
      load_config(std::filesystem::path(FEEDSYNC_SOURCE_DIR) / "config/feedsync.example.yaml", env);

  EXPECT_EQ(config.cms.client_id, "example-client");
  EXPECT_EQ(config.cms.client_secret.reveal(), "cms_client_secret-value");
  ASSERT_TRUE(config.http.admin_token);
  EXPECT_EQ(config.http.admin_token->reveal(), "admin_token-value");
  EXPECT_TRUE(config.warnings.empty()) << config.warnings.front();

  ASSERT_EQ(config.feeds.size(), 2u);
  const FeedConfig& blog = config.feeds[0];
  EXPECT_EQ(blog.name, "blog");
  EXPECT_EQ(blog.feed_id, "0569f69ed223720c699936eddbc7tyxP8d3");
  EXPECT_EQ(blog.deleted_feed_id, "9b2c0e7d41aa4f0f8d3e5c1b2a7f6e90");
  EXPECT_EQ(blog.locale, "en");
  EXPECT_EQ(blog.mapping.display_name.text, "title");
  ASSERT_EQ(blog.mapping.properties.size(), 8u);
  EXPECT_EQ(blog.mapping.properties[1].first, "Body");
  EXPECT_EQ(blog.mapping.properties[1].second.text, "description | strip_pixel");
  EXPECT_EQ(blog.mapping.properties[6].second.text, "custom_fields[\"Ad Date\"].values[0]");

  const FeedConfig& news = config.feeds[1];
  EXPECT_EQ(news.name, "news");
  EXPECT_EQ(news.interval, 5min);
  EXPECT_EQ(news.container, "0b6f4a4e3d2c4b1a9e8f7a6b5c4d3e2f");
  EXPECT_THAT(news.locale_map, ElementsAre(Pair("de", "de"), Pair("en", "en")));
  EXPECT_EQ(news.publish, PublishMode::draft);
  EXPECT_EQ(news.delete_mode, DeleteMode::keep);
}

// The example documents the defaults by setting them: loading it must give the same values as
// leaving the keys out.
TEST(ExampleConfig, StatedDefaultsAreTheRealDefaults) {
  feedsync::testing::TempDir credentials;
  credentials.write("cms_client_secret", "x");
  credentials.write("admin_token", "y");
  const Config example =
      load_config(std::filesystem::path(FEEDSYNC_SOURCE_DIR) / "config/feedsync.example.yaml",
                  testing::fake_env({{"CMS_CLIENT_ID", "id"},
                                     {"CREDENTIALS_DIRECTORY", credentials.path().string()}}));
  const Config defaults = testing::load(testing::kMinimal);

  EXPECT_EQ(example.state.path, defaults.state.path);
  EXPECT_EQ(example.state.busy_timeout, defaults.state.busy_timeout);
  EXPECT_EQ(example.log.level, defaults.log.level);
  EXPECT_EQ(example.log.format, defaults.log.format);
  EXPECT_EQ(example.http.listen, defaults.http.listen);
  EXPECT_EQ(example.source.base_url, defaults.source.base_url);
  EXPECT_EQ(example.source.page_size, defaults.source.page_size);
  EXPECT_EQ(example.source.index_page_size, defaults.source.index_page_size);
  EXPECT_EQ(example.source.timeout, defaults.source.timeout);
  EXPECT_EQ(example.source.rate_limit, defaults.source.rate_limit);
  EXPECT_EQ(example.source.monthly_budget, defaults.source.monthly_budget);
  // The example leaves the dialect and its URLs to their defaults: v1 on the SaaS gateway (the
  // minimal configuration names a /_cms/version2 host, so it is the flat dialect).
  EXPECT_EQ(example.cms.api, CmsApi::v1);
  EXPECT_EQ(example.cms.base_url, kSaasCmsBaseUrl);
  EXPECT_EQ(example.cms.token_url, kSaasCmsTokenUrl);
  EXPECT_EQ(example.cms.act_as, defaults.cms.act_as);
  EXPECT_EQ(example.cms.rate_limit, defaults.cms.rate_limit);
  EXPECT_EQ(example.cms.max_in_flight, defaults.cms.max_in_flight);
  EXPECT_EQ(example.cms.timeout, defaults.cms.timeout);
  EXPECT_EQ(example.canonical.enabled, defaults.canonical.enabled);
  EXPECT_EQ(example.canonical.endpoint, defaults.canonical.endpoint);
  EXPECT_EQ(example.canonical.pending_check_interval, defaults.canonical.pending_check_interval);
  EXPECT_EQ(example.engine.max_concurrent_polls, defaults.engine.max_concurrent_polls);
  EXPECT_EQ(example.engine.max_poll_backoff, defaults.engine.max_poll_backoff);
  EXPECT_EQ(example.engine.max_retry_backoff, defaults.engine.max_retry_backoff);
  EXPECT_EQ(example.engine.shutdown_timeout, defaults.engine.shutdown_timeout);
  const FeedConfig& blog = example.feeds.at(0);
  const FeedConfig& plain = defaults.feeds.at(0);
  EXPECT_EQ(blog.interval, plain.interval);
  EXPECT_EQ(blog.full_scan_interval, plain.full_scan_interval);
  EXPECT_EQ(blog.overlap, plain.overlap);
  EXPECT_EQ(blog.publish, plain.publish);
  EXPECT_EQ(blog.delete_mode, plain.delete_mode);
  EXPECT_EQ(blog.route_segment, plain.route_segment);
  EXPECT_EQ(blog.delete_guard.min, plain.delete_guard.min);
  EXPECT_EQ(blog.delete_guard.ratio, plain.delete_guard.ratio);
}

}  // namespace
}  // namespace feedsync::config
