#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::config {
namespace {

using ::testing::ElementsAre;
using testing::fake_env;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kMinimal;
using testing::load;
using testing::replaced;
using namespace std::chrono_literals;

TEST(LoadConfig, DefaultsForEverythingOptional) {
  const Config config = load(kMinimal);
  EXPECT_EQ(config.file, "feedsync.yaml");

  EXPECT_EQ(config.state.path, "/var/lib/feedsync/state.db");
  EXPECT_EQ(config.state.busy_timeout, 5s);
  EXPECT_EQ(config.log.level, "info");
  EXPECT_EQ(config.log.format, LogFormat::text);
  EXPECT_EQ(config.http.listen, "127.0.0.1:9464");
  EXPECT_EQ(config.http.listen_host, "127.0.0.1");
  EXPECT_EQ(config.http.listen_port, 9464);
  EXPECT_FALSE(config.http.admin_token);

  EXPECT_EQ(config.source.base_url, "https://api.optimizely.com");
  EXPECT_EQ(config.source.page_size, 200);
  EXPECT_EQ(config.source.index_page_size, 999);
  EXPECT_EQ(config.source.timeout, 30s);
  EXPECT_EQ(config.source.rate_limit, Rate{5.0});
  EXPECT_EQ(config.source.monthly_budget, std::nullopt);
  EXPECT_THAT(config.source.headers, IsEmpty());

  EXPECT_EQ(config.cms.api, CmsApi::version2);
  EXPECT_EQ(config.cms.base_url, "https://cms.example.com/_cms/version2");
  EXPECT_EQ(config.cms.token_url, "https://cms.example.com/_cms/version2/oauth/token");
  EXPECT_EQ(config.cms.client_id, "feedsync");
  EXPECT_EQ(config.cms.client_secret.reveal(), testing::kSecret);
  EXPECT_FALSE(config.cms.act_as);
  EXPECT_EQ(config.cms.rate_limit, Rate{10.0});
  EXPECT_EQ(config.cms.max_in_flight, 4);
  EXPECT_EQ(config.cms.timeout, 30s);

  EXPECT_TRUE(config.canonical.enabled);
  EXPECT_EQ(config.canonical.endpoint,
            "https://js-snippets.optimizely.com/customer_canonical_link");
  EXPECT_EQ(config.canonical.url_template, "https://www.example.com/{locale}/{route_segment}");
  EXPECT_EQ(config.canonical.pending_check_interval, 5min);

  ASSERT_EQ(config.feeds.size(), 1u);
  const FeedConfig& feed = config.feeds[0];
  EXPECT_EQ(feed.name, "blog");
  EXPECT_EQ(feed.feed_id, "abc123");
  EXPECT_FALSE(feed.deleted_feed_id);
  EXPECT_EQ(feed.interval, 60s);
  EXPECT_EQ(feed.full_scan_interval, 1h);
  EXPECT_EQ(feed.overlap, 5min);
  EXPECT_EQ(feed.content_type, "ArticlePage");
  EXPECT_EQ(feed.container, "98eb33cfa7df48d1b987442c522984c8");
  EXPECT_EQ(feed.locale, "en");
  EXPECT_THAT(feed.locale_map, IsEmpty());
  EXPECT_EQ(feed.publish, PublishMode::immediate);
  EXPECT_EQ(feed.delete_mode, DeleteMode::soft);
  EXPECT_EQ(feed.delete_guard.min, 10);
  EXPECT_EQ(feed.delete_guard.ratio, 0.2);
  EXPECT_EQ(feed.mapping.display_name.text, "title");
  EXPECT_FALSE(feed.mapping.route_segment);
  EXPECT_THAT(feed.mapping.properties, IsEmpty());
  EXPECT_EQ(feed.pos.line, 9);
  EXPECT_EQ(feed.pos.column, 5);

  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(LoadConfig, NullMeansDefault) {
  const Config config = load(std::string(kMinimal) +
                             "    interval:\n    publish: ~\n    deleted_feed_id: null\n"
                             "log:\nstate: {path: null}\n");
  EXPECT_EQ(config.feeds[0].interval, 60s);
  EXPECT_EQ(config.feeds[0].publish, PublishMode::immediate);
  EXPECT_FALSE(config.feeds[0].deleted_feed_id);
  EXPECT_EQ(config.log.level, "info");
  EXPECT_EQ(config.state.path, "/var/lib/feedsync/state.db");
}

constexpr const char* kEverything = R"(state:
  path: /srv/feedsync/state.db
  busy_timeout: 250ms
log: { level: debug, format: json }
http:
  listen: "[::1]:8080"
source:
  base_url: http://127.0.0.1:9000
  page_size: 50
  index_page_size: 100
  timeout: 1m30s
  rate_limit: 600/m
  monthly_budget: 200000
  headers:
    X-Api-Key: ${API_KEY}
    User-Agent: feedsync
cms:
  api: v1
  base_url: https://cms.example.com/_cms/v1
  token_url: https://cms.example.com/oauth/token
  client_id: ${CLIENT_ID}
  client_secret: ${CMS_SECRET}
  act_as: editor@example.com
  rate_limit: unlimited
  max_in_flight: 16
  timeout: 10s
canonical:
  enabled: false
  endpoint: https://canonical.example.com/link
  url_template: "https://{locale}.example.com/{key}"
feeds:
  - name: news-de
    feed_id: Abc123
    deleted_feed_id: Def456
    interval: 2m
    full_scan_interval: 6h
    overlap: 0s
    content_type: NewsPage
    container: 98EB33CF-A7DF-48D1-B987-442C522984C8
    locale_map: { de_DE: de, de_AT: de-AT }
    publish: ready
    delete: permanent
    delete_guard: { min: 0, ratio: 1 }
    mapping:
      displayName: title
      routeSegment: meta_url | slug(title)
      properties:
        Zeta: a
        Alpha: custom_fields["Ad Date"].values[0]
        Price: price | prefix("$$")
engine:
  max_concurrent_polls: 5
  max_poll_backoff: 1h
  max_retry_backoff: 2m
  shutdown_timeout: 0s
)";

TEST(LoadConfig, EveryKeySet) {
  const Config config =
      load(kEverything, fake_env({{"CMS_SECRET", "s"}, {"CLIENT_ID", "id-7"}, {"API_KEY", "k"}}));
  EXPECT_EQ(config.state.path, "/srv/feedsync/state.db");
  EXPECT_EQ(config.state.busy_timeout, 250ms);
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_EQ(config.log.format, LogFormat::json);
  EXPECT_EQ(config.http.listen, "[::1]:8080");
  EXPECT_EQ(config.http.listen_host, "::1");
  EXPECT_EQ(config.http.listen_port, 8080);
  EXPECT_EQ(config.source.base_url, "http://127.0.0.1:9000");
  EXPECT_EQ(config.source.page_size, 50);
  EXPECT_EQ(config.source.index_page_size, 100);
  EXPECT_EQ(config.source.timeout, 90s);
  EXPECT_EQ(config.source.rate_limit, Rate{10.0});
  EXPECT_EQ(config.source.monthly_budget, 200'000);
  EXPECT_EQ(config.source.headers,
            (std::map<std::string, std::string>{{"User-Agent", "feedsync"}, {"X-Api-Key", "k"}}));
  EXPECT_EQ(config.cms.api, CmsApi::v1);
  EXPECT_EQ(config.cms.client_id, "id-7");
  EXPECT_EQ(config.cms.act_as, "editor@example.com");
  EXPECT_TRUE(config.cms.rate_limit.unlimited());
  EXPECT_EQ(config.cms.max_in_flight, 16);
  EXPECT_EQ(config.cms.timeout, 10s);
  EXPECT_FALSE(config.canonical.enabled);
  EXPECT_EQ(config.canonical.endpoint, "https://canonical.example.com/link");
  EXPECT_EQ(config.canonical.url_template, "https://{locale}.example.com/{key}");
  EXPECT_EQ(config.engine.max_concurrent_polls, 5);
  EXPECT_EQ(config.engine.max_poll_backoff, 1h);
  EXPECT_EQ(config.engine.max_retry_backoff, 2min);
  EXPECT_EQ(config.engine.shutdown_timeout, 0s);

  const FeedConfig& feed = config.feeds.at(0);
  EXPECT_EQ(feed.name, "news-de");
  EXPECT_EQ(feed.feed_id, "Abc123");
  EXPECT_EQ(feed.deleted_feed_id, "Def456");
  EXPECT_EQ(feed.interval, 2min);
  EXPECT_EQ(feed.full_scan_interval, 6h);
  EXPECT_EQ(feed.overlap, 0s);
  EXPECT_EQ(feed.content_type, "NewsPage");
  EXPECT_EQ(feed.container, "98eb33cfa7df48d1b987442c522984c8");
  EXPECT_FALSE(feed.locale);
  EXPECT_EQ(feed.locale_map,
            (std::map<std::string, std::string>{{"de_AT", "de-AT"}, {"de_DE", "de"}}));
  EXPECT_EQ(feed.publish, PublishMode::ready);
  EXPECT_EQ(feed.delete_mode, DeleteMode::permanent);
  EXPECT_EQ(feed.delete_guard.min, 0);
  EXPECT_EQ(feed.delete_guard.ratio, 1.0);
  EXPECT_EQ(feed.mapping.display_name.text, "title");
  ASSERT_TRUE(feed.mapping.route_segment);
  EXPECT_EQ(feed.mapping.route_segment->text, "meta_url | slug(title)");
  EXPECT_EQ(feed.mapping.route_segment->pos.line, 46);
  EXPECT_EQ(feed.mapping.route_segment->pos.column, 21);
}

TEST(LoadConfig, PropertiesKeepFileOrderTextAndPosition) {
  const Config config =
      load(kEverything, fake_env({{"CMS_SECRET", "s"}, {"CLIENT_ID", "id"}, {"API_KEY", "k"}}));
  const auto& properties = config.feeds.at(0).mapping.properties;
  ASSERT_EQ(properties.size(), 3u);
  EXPECT_EQ(properties[0].first, "Zeta");
  EXPECT_EQ(properties[0].second.text, "a");
  EXPECT_EQ(properties[1].first, "Alpha");
  EXPECT_EQ(properties[1].second.text, "custom_fields[\"Ad Date\"].values[0]");
  EXPECT_EQ(properties[2].first, "Price");
  EXPECT_EQ(properties[2].second.text, "price | prefix(\"$\")");  // $$ is a literal $

  const SourcePos& pos = properties[1].second.pos;
  EXPECT_EQ(pos.file, "feedsync.yaml");
  EXPECT_EQ(pos.line, 49);
  EXPECT_EQ(pos.column, 16);
}

TEST(LoadConfig, EnvironmentExpansionInEveryKindOfValue) {
  const std::string yaml =
      replaced(replaced(replaced(kMinimal, "feed_id: abc123", "feed_id: ${FEED_ID}"),
                        "  base_url: https://cms.example.com/_cms/version2",
                        "  base_url: https://${CMS_HOST}/x"),
               "      displayName: title",
               "      displayName: title\n    interval: ${POLL}\n    publish: ${MODE}");
  const Config config = load(yaml, fake_env({{"CMS_SECRET", "s"},
                                             {"FEED_ID", "Zz9"},
                                             {"CMS_HOST", "cms.internal:8443"},
                                             {"POLL", "1h30m"},
                                             {"MODE", "draft"}}));
  EXPECT_EQ(config.feeds[0].feed_id, "Zz9");
  EXPECT_EQ(config.cms.base_url, "https://cms.internal:8443/x");
  EXPECT_EQ(config.feeds[0].interval, 90min);
  EXPECT_EQ(config.feeds[0].publish, PublishMode::draft);
}

// The one name table is both what the loader accepts and what `check` and payloads print.
TEST(LoadConfig, PublishAndDeleteModesReadAndPrintByTheSameNames) {
  for (const auto name : kPublishModeNames) {
    const Config config = load(std::string(kMinimal) + "    publish: " + std::string(name) + "\n");
    EXPECT_EQ(to_string(config.feeds[0].publish), name);
  }
  for (const auto name : kDeleteModeNames) {
    const Config config = load(std::string(kMinimal) + "    delete: " + std::string(name) + "\n");
    EXPECT_EQ(to_string(config.feeds[0].delete_mode), name);
  }
  EXPECT_EQ(to_string(PublishMode::ready), "ready");
  EXPECT_EQ(to_string(DeleteMode::keep), "keep");
}

// Issue 16: the route segment stays unless the feed says it follows the mapping.
TEST(LoadConfig, RouteSegmentKeepsByDefaultAndFollowsWhenAsked) {
  const std::string with_segment = std::string(kMinimal) + "      routeSegment: title | slug\n";
  EXPECT_EQ(load(with_segment).feeds[0].route_segment, RouteSegmentMode::keep);
  for (const auto name : kRouteSegmentModeNames) {
    const Config config = load(with_segment + "    route_segment: " + std::string(name) + "\n");
    EXPECT_EQ(to_string(config.feeds[0].route_segment), name);
    EXPECT_THAT(config.warnings, IsEmpty());
  }
  EXPECT_EQ(testing::error_of(with_segment + "    route_segment: move\n"),
            "feedsync.yaml:17:20: feeds[0].route_segment: expected keep or follow, got \"move\"");
  // Without a mapped segment the CMS picks one itself: nothing to follow.
  const Config bare = load(std::string(kMinimal) + "    route_segment: follow\n");
  EXPECT_THAT(bare.warnings, ElementsAre("feedsync.yaml:16:20: feeds[0].route_segment: follow has no effect without "
                                         "mapping.routeSegment (the CMS chooses the segment itself)"));
  EXPECT_THAT(load(std::string(kMinimal) + "    route_segment: keep\n").warnings, IsEmpty());
}

TEST(LoadConfig, PendingCheckIntervalIsAPositiveDuration) {
  const std::string minimal = kMinimal;
  const std::string canonical = "canonical:\n";
  const auto with = [&](std::string_view value) {
    std::string text = minimal;
    text.insert(text.find(canonical) + canonical.size(), "  pending_check_interval: " + std::string(value) + "\n");
    return text;
  };
  EXPECT_EQ(load(with("90s")).canonical.pending_check_interval, 90s);
  EXPECT_THAT(testing::error_of(with("0s")), HasSubstr("canonical.pending_check_interval"));
  EXPECT_THAT(testing::error_of(with("soon")), HasSubstr("canonical.pending_check_interval"));
}

TEST(LoadConfig, KeysAreNotExpanded) {
  EXPECT_THAT(testing::error_of(std::string(kMinimal) + "${X}: 1\n",
                                fake_env({{"CMS_SECRET", "s"}, {"X", "log"}})),
              HasSubstr("unknown key \"${X}\""));
}

TEST(LoadConfig, FindFeed) {
  const Config config = load(std::string(kMinimal) + testing::feed_block("news"));
  ASSERT_NE(config.find_feed("news"), nullptr);
  EXPECT_EQ(config.find_feed("news")->feed_id, "def456");
  EXPECT_EQ(config.find_feed("blog"), &config.feeds[0]);
  EXPECT_EQ(config.find_feed("nope"), nullptr);
}

TEST(LoadConfig, WarnsWhenFullScansAreMoreFrequentThanPolls) {
  const Config config = load(std::string(kMinimal) + "    interval: 2h\n");
  EXPECT_THAT(config.warnings,
              ElementsAre("feedsync.yaml:16:15: feeds[0].interval: full_scan_interval (1h) is "
                          "shorter than interval (2h), so every poll is a full scan"));
}

TEST(LoadConfigFile, ReadsTheFileAndNamesItInErrors) {
  feedsync::testing::TempDir dir;
  const auto good = dir.write("good.yaml", kMinimal);
  const Config config = load_config(good, testing::default_env());
  EXPECT_EQ(config.file, good);
  EXPECT_EQ(config.feeds.at(0).pos.file, good.string());

  const auto bad = dir.write("bad.yaml", std::string(kMinimal) + "    interval: often\n");
  try {
    load_config(bad, testing::default_env());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        bad.string() + ":16:15: feeds[0].interval: expected a duration like 30s, got \"often\"");
  }
}

TEST(LoadConfigFile, MissingOrUnreadableFileIsAConfigError) {
  feedsync::testing::TempDir dir;
  const auto missing = dir / "nope.yaml";
  try {
    load_config(missing, testing::default_env());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              missing.string() + ": cannot read configuration file: No such file or directory");
  }
  try {
    load_config(dir.path(), testing::default_env());
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.path().string() + ": cannot read configuration file: is a directory, not a file");
  }
  if (::geteuid() !=
      0) {  // root reads anything, so the permission case only means something for others
    const auto locked = dir.write("locked.yaml", kMinimal);
    ::chmod(locked.c_str(), 0);
    try {
      load_config(locked, testing::default_env());
      FAIL() << "no error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()),
                locked.string() + ": cannot read configuration file: Permission denied");
    }
  }
}

TEST(LoadConfigFile, RelativePathsAreRelativeToTheConfigFile) {
  feedsync::testing::TempDir dir;
  dir.write("etc/secret", "from-file\n");
  const auto file = dir.write("etc/feedsync.yaml",
                              replaced(std::string(kMinimal), "  client_secret: ${CMS_SECRET}",
                                       "  client_secret_file: secret") +
                                  "state:\n  path: data/state.db\n");
  const Config config = load_config(file, {});
  EXPECT_EQ(config.cms.client_secret.reveal(), "from-file");
  EXPECT_EQ(config.state.path, dir.path() / "etc" / "data/state.db");

  // From a string there is no file to be relative to: paths stay as written.
  EXPECT_EQ(load(std::string(kMinimal) + "state:\n  path: data/state.db\n").state.path,
            "data/state.db");
}

}  // namespace
}  // namespace feedsync::config
