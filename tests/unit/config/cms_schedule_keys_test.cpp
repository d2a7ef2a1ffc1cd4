// cms.verify_writes, cms.token_request, cms.token_refresh_skew, cms.key_namespace and the feed's
// schedule / mapping.publishAt: defaults, good values, and bad values with their exact
// "file:line:col: key.path: message". Positions refer to the numbered lines of kMinimal
// (config_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "config_test_support.hpp"

namespace feedsync::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::error_of;
using testing::kMinimal;
using testing::load;
using testing::replaced;
using namespace std::chrono_literals;

const std::string kBase = kMinimal;
const std::string kAfterSecret = "  client_secret: ${CMS_SECRET}\n";  // line 5; a key added is on 6

std::string with_cms(const std::string& lines) { return replaced(kBase, kAfterSecret, kAfterSecret + lines); }
std::string with_publish_at(const std::string& expression, const std::string& feed_keys = "") {
  return replaced(kBase, "      displayName: title\n", "      displayName: title\n      publishAt: " + expression + "\n") +
         feed_keys;
}

TEST(CmsKeys, Defaults) {
  const Config config = load(kBase);
  EXPECT_FALSE(config.cms.verify_writes);
  EXPECT_EQ(config.cms.token_request, TokenRequest::json);
  EXPECT_EQ(config.cms.token_refresh_skew, 30s);
  EXPECT_EQ(config.cms.key_namespace, kContentKeyNamespace);
  EXPECT_EQ(uuid_dashed(config.cms.key_namespace), "1bf10b18-b24f-464f-a631-ee345354ff46");
  EXPECT_EQ(config.feeds[0].key_namespace, kContentKeyNamespace);
  EXPECT_EQ(config.cms.articles_in_several_feeds, SharedArticles::item_per_feed);
  EXPECT_EQ(config.feeds[0].shared_articles, SharedArticles::item_per_feed);
}

TEST(CmsKeys, GoodValues) {
  const Config config = load(with_cms("  verify_writes: true\n"
                                      "  token_request: form\n"
                                      "  token_refresh_skew: 1m30s\n"
                                      "  key_namespace: 6BA7B810-9DAD-11D1-80B4-00C04FD430C8\n") +
                             testing::feed_block("news"));
  EXPECT_TRUE(config.cms.verify_writes);
  EXPECT_EQ(config.cms.token_request, TokenRequest::form);
  EXPECT_EQ(config.cms.token_refresh_skew, 90s);
  EXPECT_EQ(uuid_hex(config.cms.key_namespace), "6ba7b8109dad11d180b400c04fd430c8");
  // Every feed carries it, so a content key needs only the feed.
  for (const auto& feed : config.feeds) EXPECT_EQ(feed.key_namespace, config.cms.key_namespace);
  const Config shared = load(with_cms("  articles_in_several_feeds: one_item\n") + testing::feed_block("news"));
  for (const auto& feed : shared.feeds) EXPECT_EQ(feed.shared_articles, SharedArticles::one_item);

  EXPECT_EQ(load(with_cms("  token_refresh_skew: 0\n")).cms.token_refresh_skew, 0s);
  EXPECT_EQ(load(with_cms("  token_request: json\n  verify_writes: false\n")).cms.token_request, TokenRequest::json);
  EXPECT_EQ(uuid_hex(load(with_cms("  key_namespace: \"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}\"\n")).cms.key_namespace),
            "6ba7b8109dad11d180b400c04fd430c8");
  EXPECT_EQ(uuid_hex(load(with_cms("  key_namespace: 6ba7b8109dad11d180b400c04fd430c8\n")).cms.key_namespace),
            "6ba7b8109dad11d180b400c04fd430c8");
}

// Issue 16: v1 is the default dialect, on the SaaS gateway; a configuration written for the old
// default (a /_cms/version2 path, no `api`) keeps its flat dialect.
TEST(CmsKeys, TheDialectDefaultsToV1OnTheSaasGatewayAndFollowsAFlatPath) {
  std::string bare = kBase;
  for (const char* line : {"  base_url: https://cms.example.com/_cms/version2\n",
                           "  token_url: https://cms.example.com/_cms/version2/oauth/token\n"})
    bare = replaced(bare, line, "");
  const Config saas = load(bare);
  EXPECT_EQ(saas.cms.api, CmsApi::v1);
  EXPECT_EQ(saas.cms.base_url, "https://api.cms.optimizely.com/v1");
  EXPECT_EQ(saas.cms.token_url, "https://api.cms.optimizely.com/oauth/token");

  EXPECT_EQ(load(kBase).cms.api, CmsApi::version2);  // inferred from the /_cms/ path
  const Config explicit_v1 = load(with_cms("  api: v1\n"));
  EXPECT_EQ(explicit_v1.cms.api, CmsApi::v1);
  EXPECT_EQ(explicit_v1.cms.base_url, "https://cms.example.com/_cms/version2");  // given: kept
  const Config own_host = load(replaced(bare, kAfterSecret, kAfterSecret + "  base_url: https://cms.example.com/v1\n"));
  EXPECT_EQ(own_host.cms.api, CmsApi::v1);
  EXPECT_EQ(own_host.cms.token_url, "https://api.cms.optimizely.com/oauth/token");
  EXPECT_THAT(error_of(replaced(bare, kAfterSecret, kAfterSecret + "  api: version2\n")),
              ::testing::HasSubstr("cms.base_url: required key is missing (cms.api: version2 has no default host"));
}

TEST(CmsKeys, BadValues) {
  EXPECT_EQ(error_of(with_cms("  verify_writes: yes\n")),
            "feedsync.yaml:6:18: cms.verify_writes: expected true or false, got \"yes\"");
  EXPECT_EQ(error_of(with_cms("  token_request: basic\n")),
            "feedsync.yaml:6:18: cms.token_request: expected json or form, got \"basic\"");
  EXPECT_EQ(error_of(with_cms("  articles_in_several_feeds: both\n")),
            "feedsync.yaml:6:30: cms.articles_in_several_feeds: expected item_per_feed or one_item, got \"both\"");
  EXPECT_EQ(error_of(with_cms("  token_refresh_skew: soon\n")),
            "feedsync.yaml:6:23: cms.token_refresh_skew: expected a duration like 30s, got \"soon\"");
  EXPECT_EQ(error_of(with_cms("  key_namespace: feedsync\n")),
            "feedsync.yaml:6:18: cms.key_namespace: expected a UUID like 1bf10b18-b24f-464f-a631-ee345354ff46, "
            "got \"feedsync\"");
  EXPECT_EQ(error_of(with_cms("  key_namespace: 1bf10b18-b24f-464f-a631-ee345354ff4\n")),
            "feedsync.yaml:6:18: cms.key_namespace: expected a UUID like 1bf10b18-b24f-464f-a631-ee345354ff46, "
            "got \"1bf10b18-b24f-464f-a631-ee345354ff4\"");
  EXPECT_EQ(error_of(with_cms("  key_namespace: 00000000-0000-0000-0000-000000000000\n")),
            "feedsync.yaml:6:18: cms.key_namespace: the nil UUID is not a usable namespace; pick a random UUID");
}

// The example shows these keys commented out with their default values ("  # key: value"); the
// values it states must be the real defaults.
TEST(CmsKeys, TheExamplesCommentedValuesAreTheDefaults) {
  std::ifstream in(std::filesystem::path(FEEDSYNC_SOURCE_DIR) / "config/feedsync.example.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string example = text.str();
  std::string lines;
  for (const char* key : {"verify_writes", "token_request", "token_refresh_skew", "key_namespace",
                          "articles_in_several_feeds"}) {
    std::smatch found;
    ASSERT_TRUE(std::regex_search(example, found, std::regex("\n  # (" + std::string(key) + ": [^\n]+)")))
        << key << " is not shown commented out in the example";
    lines += "  " + found[1].str() + "\n";
  }
  const Config stated = load(with_cms(lines));
  const Config defaults = load(kBase);
  EXPECT_EQ(stated.cms.verify_writes, defaults.cms.verify_writes);
  EXPECT_EQ(stated.cms.token_request, defaults.cms.token_request);
  EXPECT_EQ(stated.cms.token_refresh_skew, defaults.cms.token_refresh_skew);
  EXPECT_EQ(stated.cms.key_namespace, defaults.cms.key_namespace);
  EXPECT_EQ(stated.cms.articles_in_several_feeds, defaults.cms.articles_in_several_feeds);
}

TEST(ScheduleKeys, DefaultsAreOff) {
  const Config config = load(kBase);
  const FeedConfig& feed = config.feeds[0];
  EXPECT_FALSE(feed.schedule);
  EXPECT_FALSE(feed.mapping.publish_at);
  EXPECT_FALSE(feed.scheduled_publish_at());
}

TEST(ScheduleKeys, ScheduleWithPublishAt) {
  const Config config = load(with_publish_at("custom_fields[\"Ad Date\"].values[0]", "    schedule: true\n"));
  const FeedConfig& feed = config.feeds[0];
  EXPECT_TRUE(feed.schedule);
  ASSERT_TRUE(feed.mapping.publish_at);
  EXPECT_EQ(feed.mapping.publish_at->text, "custom_fields[\"Ad Date\"].values[0]");
  EXPECT_EQ(feed.mapping.publish_at->pos.line, 16);
  EXPECT_EQ(feed.scheduled_publish_at(), "custom_fields[\"Ad Date\"].values[0]");
  EXPECT_THAT(config.warnings, IsEmpty());
  // publish: immediate said explicitly is fine too.
  EXPECT_EQ(error_of(with_publish_at("published_at", "    publish: immediate\n    schedule: true\n")), "");
  EXPECT_FALSE(load(with_publish_at("published_at", "    schedule: false\n")).feeds[0].scheduled_publish_at());
}

TEST(ScheduleKeys, Errors) {
  EXPECT_EQ(error_of(kBase + "    schedule: true\n"),
            "feedsync.yaml:16:15: feeds[0].schedule: schedule: true needs mapping.publishAt, the expression of "
            "the publish time");
  EXPECT_EQ(error_of(with_publish_at("published_at", "    publish: draft\n    schedule: true\n")),
            "feedsync.yaml:17:14: feeds[0].publish: schedule: true publishes articles (at mapping.publishAt), "
            "so publish must be immediate");
  EXPECT_EQ(error_of(kBase + "    schedule: 1\n"),
            "feedsync.yaml:16:15: feeds[0].schedule: expected true or false, got \"1\"");
  // The expression is compiled at load, like every mapping expression.
  EXPECT_EQ(error_of(with_publish_at("published_at | dat", "    schedule: true\n")),
            "feedsync.yaml:16:33: feeds[0].mapping.publishAt: unknown transform \"dat\"; did you mean \"date\"?");
}

TEST(ScheduleKeys, PublishAtWithoutScheduleLoadsWithAWarning) {
  const Config config = load(with_publish_at("published_at", "    publish: ready\n"));
  EXPECT_FALSE(config.feeds[0].scheduled_publish_at());
  EXPECT_THAT(config.warnings, ElementsAre("feedsync.yaml:16:18: feeds[0].mapping.publishAt: has no effect "
                                           "without schedule: true on the feed"));
}

// feeds[].translations (issue 23): off by default; group needs locale_map.
TEST(TranslationsKey, DefaultGoodAndBadValues) {
  EXPECT_EQ(load(kBase).feeds[0].translations, Translations::off);
  const std::string with_map = replaced(kBase, "    locale: en\n", "    locale_map: {en: en, de: de-DE}\n");
  EXPECT_EQ(load(with_map + "    translations: group\n").feeds[0].translations, Translations::group);
  EXPECT_EQ(load(with_map + "    translations: off\n").feeds[0].translations, Translations::off);
  EXPECT_EQ(error_of(with_map + "    translations: yes\n"),
            "feedsync.yaml:16:19: feeds[0].translations: expected off or group, got \"yes\"");
  EXPECT_EQ(error_of(kBase + "    translations: group\n"),
            "feedsync.yaml:16:19: feeds[0].translations: translations: group needs locale_map (lang_code -> CMS "
            "locale) instead of locale: with one fixed locale every translation would write the same locale "
            "version");
}

}  // namespace
}  // namespace feedsync::config
