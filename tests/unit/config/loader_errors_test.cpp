// Every kind of configuration error, with its exact "file:line:col: key.path: message" text.
// Positions refer to the numbered lines of kMinimal (config_test_support.hpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_support.hpp"

namespace feedsync::config {
namespace {

using testing::error_of;
using testing::fake_env;
using testing::feed_block;
using testing::kMinimal;
using testing::replaced;

const std::string kBase = kMinimal;

std::string without(const std::string& line) { return replaced(kBase, line, ""); }

TEST(ConfigErrors, MinimalConfigurationLoads) { EXPECT_EQ(error_of(kBase), ""); }

TEST(ConfigErrors, BadValueInASecondFeedNamesTheListIndex) {
  EXPECT_EQ(error_of(kBase + feed_block("news") + "    interval: often\n"),
            "feedsync.yaml:23:15: feeds[1].interval: expected a duration like 30s, got \"often\"");
}

TEST(ConfigErrors, YamlSyntaxErrorsHavePositions) {
  EXPECT_EQ(error_of("a: [1, 2\nb: 3"),
            "feedsync.yaml:2:2: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("a: b: c"), "feedsync.yaml:1:5: invalid YAML: illegal map value");
}

TEST(ConfigErrors, DisplayNameIsUsedAsGiven) {
  try {
    load_config_from_string("a: b: c", "/etc/feedsync/feedsync.yaml", {});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/etc/feedsync/feedsync.yaml:1:5: invalid YAML: illegal map value");
  }
}

TEST(ConfigErrors, UnknownKeyWithHint) {
  EXPECT_EQ(error_of(kBase + "    intervall: 60s\n"),
            "feedsync.yaml:16:5: feeds[0].intervall: unknown key \"intervall\"; did you mean "
            "\"interval\"?");
  EXPECT_EQ(error_of(kBase + "      routesegment: slug(title)\n"),
            "feedsync.yaml:16:7: feeds[0].mapping.routesegment: unknown key \"routesegment\"; did "
            "you mean \"routeSegment\"?");
  EXPECT_EQ(
      error_of(
          replaced(kBase, "  client_id: feedsync\n", "  client_id: feedsync\n  clientid: x\n")),
      "feedsync.yaml:5:3: cms.clientid: unknown key \"clientid\"; did you mean \"client_id\"?");
}

TEST(ConfigErrors, UnknownKeyWithoutCloseMatchListsTheKnownKeys) {
  EXPECT_EQ(error_of(kBase + "bogus: 1\n"),
            "feedsync.yaml:16:1: bogus: unknown key \"bogus\" (expected one of: state, log, http, "
            "source, cms, canonical, engine, webhooks, feeds)");
}

TEST(ConfigErrors, UnknownKeysAreReportedEvenWhenNull) {
  EXPECT_EQ(error_of(kBase + "    intervall:\n"),
            "feedsync.yaml:16:5: feeds[0].intervall: unknown key \"intervall\"; did you mean "
            "\"interval\"?");
}

TEST(ConfigErrors, DuplicateKeys) {
  EXPECT_EQ(error_of(kBase + "    locale: de\n"),
            "feedsync.yaml:16:5: feeds[0].locale: duplicate key \"locale\" (first defined at line "
            "13, column 5)");
  EXPECT_EQ(error_of(kBase + "cms:\n  api: v1\n"),
            "feedsync.yaml:16:1: cms: duplicate key \"cms\" (first defined at line 1, column 1)");
  EXPECT_EQ(error_of("log:\n  level:\n  level: debug\n"),
            "feedsync.yaml:3:3: log.level: duplicate key \"level\" (first defined at line 2, "
            "column 3)");
}

TEST(ConfigErrors, DuplicateFeedNamesNameBothPositions) {
  EXPECT_EQ(error_of(kBase + feed_block("news") + feed_block("blog")),
            "feedsync.yaml:23:11: feeds[2].name: duplicate feed name \"blog\" (also used by "
            "feeds[0] at feedsync.yaml:9:11)");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(error_of(kBase + "    interval: {a: 1}\n"),
            "feedsync.yaml:16:15: feeds[0].interval: expected a single value, got a mapping");
  EXPECT_EQ(error_of(kBase + "    interval: [1s]\n"),
            "feedsync.yaml:16:15: feeds[0].interval: expected a single value, got a list");
  EXPECT_EQ(error_of("cms: https://cms.example.com\n"),
            "feedsync.yaml:1:6: cms: expected a mapping, got a single value");
  EXPECT_EQ(error_of(kBase + "      properties: [title]\n"),
            "feedsync.yaml:16:19: feeds[0].mapping.properties: expected a mapping, got a list");
  EXPECT_EQ(error_of(kBase + "  - blog\n"),
            "feedsync.yaml:16:5: feeds[1]: expected a mapping, got a single value");
  EXPECT_EQ(error_of(kBase.substr(0, kBase.find("feeds:")) + "feeds:\n  blog:\n    name: blog\n"),
            "feedsync.yaml:9:3: feeds: expected a list, got a mapping");
}

TEST(ConfigErrors, KeysMustBeScalars) {
  EXPECT_EQ(error_of(kBase + "? [a, b]\n: 1\n"),
            "feedsync.yaml:16:3: keys must be plain text, got a list");
}

// fuzz/config_fuzz.cpp found these: yaml-cpp's LoadAll never returned on them (a stray flow
// indicator where a document starts) and grew its document list until memory ran out.
TEST(ConfigErrors, StrayFlowIndicatorIsAnErrorNotAHang) {
  EXPECT_EQ(error_of(","), "feedsync.yaml:1:1: invalid YAML: unexpected \",\"");
  EXPECT_EQ(error_of("a: 1\n...\n,\n"), "feedsync.yaml:3:1: invalid YAML: unexpected \",\"");
}

TEST(ConfigErrors, DocumentShape) {
  EXPECT_EQ(error_of("a: 1\n---\nb: 2\n"),
            "feedsync.yaml:3:1: expected one YAML document, found 2");
  EXPECT_EQ(error_of("a: 1\n---\nb: 2\n---\nc: 3\n"),
            "feedsync.yaml:3:1: expected one YAML document, found 3");
  EXPECT_EQ(error_of("hello\n"), "feedsync.yaml:1:1: expected a mapping, got a single value");
  EXPECT_EQ(error_of("- a\n"), "feedsync.yaml:1:1: expected a mapping, got a list");
  EXPECT_EQ(error_of(""), "feedsync.yaml: cms.client_id: required key is missing");
  EXPECT_EQ(error_of("# only a comment\n"), "feedsync.yaml: cms.client_id: required key is missing");
}

TEST(ConfigErrors, RequiredCmsKeys) {
  // kBase's URLs are /_cms/version2 paths: the flat dialect, which has no default host.
  EXPECT_EQ(error_of(without("  base_url: https://cms.example.com/_cms/version2\n")),
            "feedsync.yaml:2:3: cms.base_url: required key is missing (cms.api: version2 has no default host; v1 "
            "defaults to the SaaS gateway)");
  EXPECT_EQ(error_of(without("  token_url: https://cms.example.com/_cms/version2/oauth/token\n")),
            "feedsync.yaml:2:3: cms.token_url: required key is missing (cms.api: version2 has no default host; v1 "
            "defaults to the SaaS gateway)");
  EXPECT_EQ(error_of(without("  client_id: feedsync\n")),
            "feedsync.yaml:2:3: cms.client_id: required key is missing");
  EXPECT_EQ(error_of(without("  client_secret: ${CMS_SECRET}\n")),
            "feedsync.yaml:2:3: cms.client_secret_file: required key is missing (or client_secret: "
            "${ENV_VAR})");
  EXPECT_EQ(error_of(replaced(kBase, "  client_id: feedsync", "  client_id:")),
            "feedsync.yaml:4:3: cms.client_id: a value is required");
  EXPECT_EQ(error_of(replaced(kBase, "  client_id: feedsync", "  client_id: \"\"")),
            "feedsync.yaml:4:14: cms.client_id: must not be empty");
  EXPECT_EQ(error_of(kBase.substr(kBase.find("canonical:"))),
            "feedsync.yaml:1:1: cms.client_id: required key is missing");
}

TEST(ConfigErrors, AtLeastOneFeed) {
  const std::string no_feeds = kBase.substr(0, kBase.find("feeds:"));
  EXPECT_EQ(error_of(no_feeds),
            "feedsync.yaml:1:1: feeds: required key is missing (at least one feed)");
  EXPECT_EQ(error_of(no_feeds + "feeds: []\n"),
            "feedsync.yaml:8:8: feeds: at least one feed is required");
  EXPECT_EQ(error_of(no_feeds + "feeds:\n"),
            "feedsync.yaml:8:1: feeds: at least one feed is required");
}

TEST(ConfigErrors, RequiredFeedKeys) {
  EXPECT_EQ(error_of(replaced(kBase, "  - name: blog\n    feed_id", "  - feed_id")),
            "feedsync.yaml:9:5: feeds[0].name: required key is missing");
  EXPECT_EQ(error_of(without("    feed_id: abc123\n")),
            "feedsync.yaml:9:5: feeds[0].feed_id: required key is missing");
  EXPECT_EQ(error_of(without("    content_type: ArticlePage\n")),
            "feedsync.yaml:9:5: feeds[0].content_type: required key is missing");
  EXPECT_EQ(error_of(without("    container: 98eb33cfa7df48d1b987442c522984c8\n")),
            "feedsync.yaml:9:5: feeds[0].container: required key is missing");
  EXPECT_EQ(error_of(without("    locale: en\n")),
            "feedsync.yaml:9:5: feeds[0].locale: required key is missing (or locale_map)");
  EXPECT_EQ(error_of(without("    mapping:\n      displayName: title\n")),
            "feedsync.yaml:9:5: feeds[0].mapping.displayName: required key is missing");
  EXPECT_EQ(error_of(replaced(kBase, "      displayName: title", "      routeSegment: slug")),
            "feedsync.yaml:15:7: feeds[0].mapping.displayName: required key is missing");
}

TEST(ConfigErrors, UrlTemplateRequiredWhileCanonicalIsEnabled) {
  const std::string template_line =
      "  url_template: \"https://www.example.com/{locale}/{route_segment}\"\n";
  EXPECT_EQ(error_of(replaced(kBase, template_line, "  enabled: true\n")),
            "feedsync.yaml:7:3: canonical.url_template: required key is missing (or set "
            "canonical.enabled: false)");
  EXPECT_EQ(error_of(replaced(kBase, template_line, "  url_template:\n")),
            "feedsync.yaml:7:3: canonical.url_template: a value is required");
  EXPECT_EQ(error_of(replaced(kBase, "canonical:\n" + template_line, "")),
            "feedsync.yaml:1:1: canonical.url_template: required key is missing (or set "
            "canonical.enabled: false)");
  EXPECT_EQ(error_of(replaced(kBase, template_line, "  enabled: false\n")), "");
}

TEST(ConfigErrors, FeedValueValidation) {
  EXPECT_EQ(error_of(replaced(kBase, "name: blog", "name: Blog")),
            "feedsync.yaml:9:11: feeds[0].name: expected a name of a-z, 0-9, _ and - starting with "
            "a letter or digit, got \"Blog\"");
  EXPECT_EQ(error_of(replaced(kBase, "feed_id: abc123", "feed_id: abc-123")),
            "feedsync.yaml:10:14: feeds[0].feed_id: expected a feed id of letters and digits, got "
            "\"abc-123\"");
  EXPECT_EQ(error_of(kBase + "    deleted_feed_id: x_y\n"),
            "feedsync.yaml:16:22: feeds[0].deleted_feed_id: expected a feed id of letters and "
            "digits, got \"x_y\"");
  EXPECT_EQ(
      error_of(replaced(kBase, "container: 98eb33cfa7df48d1b987442c522984c8", "container: xyz")),
      "feedsync.yaml:12:16: feeds[0].container: expected a container GUID of 32 hex digits, "
      "got \"xyz\"");
  EXPECT_EQ(
      error_of(kBase + "    publish: now\n"),
      "feedsync.yaml:16:14: feeds[0].publish: expected immediate, draft or ready, got \"now\"");
  EXPECT_EQ(error_of(kBase + "    delete: hard\n"),
            "feedsync.yaml:16:13: feeds[0].delete: expected soft, permanent or keep, got \"hard\"");
  EXPECT_EQ(error_of(kBase + "    delete_guard:\n      min: -1\n"),
            "feedsync.yaml:17:12: feeds[0].delete_guard.min: expected a whole number from 0 to "
            "2147483647, got \"-1\"");
  EXPECT_EQ(error_of(kBase + "    delete_guard:\n      ratio: 1.5\n"),
            "feedsync.yaml:17:14: feeds[0].delete_guard.ratio: expected a number from 0 to 1, got "
            "\"1.5\"");
  EXPECT_EQ(error_of(kBase + "    interval: 0s\n"),
            "feedsync.yaml:16:15: feeds[0].interval: must be longer than 0s");
  EXPECT_EQ(error_of(kBase + "    full_scan_interval: 0\n"),
            "feedsync.yaml:16:25: feeds[0].full_scan_interval: must be longer than 0s");
  EXPECT_EQ(error_of(kBase + "    overlap: 0s\n"), "");
}

TEST(ConfigErrors, LocaleAndLocaleMap) {
  EXPECT_EQ(error_of(kBase + "    locale_map:\n      en_US: en\n"),
            "feedsync.yaml:16:5: feeds[0].locale_map: set either locale or locale_map, not both");
  EXPECT_EQ(error_of(replaced(kBase, "    locale: en\n", "    locale_map: {}\n")),
            "feedsync.yaml:13:17: feeds[0].locale_map: must map at least one lang_code");
  EXPECT_EQ(error_of(replaced(kBase, "    locale: en\n", "    locale_map: [en]\n")),
            "feedsync.yaml:13:17: feeds[0].locale_map: expected a mapping, got a list");
}

TEST(ConfigErrors, MappingProperties) {
  EXPECT_EQ(error_of(kBase + "      properties:\n        Hero Image: images[0].url\n"),
            "feedsync.yaml:17:9: feeds[0].mapping.properties[\"Hero Image\"]: expected a CMS "
            "property name (a letter, then letters, digits or _), got \"Hero Image\"");
  EXPECT_EQ(error_of(kBase + "      properties:\n        Heading: \"\"\n"),
            "feedsync.yaml:17:18: feeds[0].mapping.properties.Heading: must not be empty");
  EXPECT_EQ(
      error_of(kBase + "      properties:\n        Heading: [title]\n"),
      "feedsync.yaml:17:18: feeds[0].mapping.properties.Heading: expected a single value, got "
      "a list");
}

TEST(ConfigErrors, SectionValueValidation) {
  EXPECT_EQ(
      error_of(kBase + "source:\n  page_size: 0\n"),
      "feedsync.yaml:17:14: source.page_size: expected a whole number from 1 to 999, got \"0\"");
  EXPECT_EQ(
      error_of(kBase + "source:\n  index_page_size: 1000\n"),
      "feedsync.yaml:17:20: source.index_page_size: expected a whole number from 1 to 999, got "
      "\"1000\"");
  EXPECT_EQ(error_of(kBase + "source:\n  monthly_budget: 0\n"),
            "feedsync.yaml:17:19: source.monthly_budget: expected a whole number of at least 1, got \"0\"");
  EXPECT_EQ(error_of(kBase + "source:\n  monthly_budget: lots\n"),
            "feedsync.yaml:17:19: source.monthly_budget: expected a whole number of at least 1, got \"lots\"");
  EXPECT_EQ(error_of(kBase + "source:\n  timeout: 0s\n"),
            "feedsync.yaml:17:12: source.timeout: must be longer than 0s");
  EXPECT_EQ(
      error_of(kBase + "source:\n  rate_limit: fast\n"),
      "feedsync.yaml:17:15: source.rate_limit: expected a rate like 10/s, 600/m or unlimited, "
      "got \"fast\"");
  EXPECT_EQ(error_of(kBase + "log:\n  level: verbose\n"),
            "feedsync.yaml:17:10: log.level: expected trace, debug, info, warn, error, critical or "
            "off, got \"verbose\"");
  EXPECT_EQ(error_of(kBase + "log:\n  format: yaml\n"),
            "feedsync.yaml:17:11: log.format: expected text or json, got \"yaml\"");
  EXPECT_EQ(
      error_of(kBase + "http:\n  listen: localhost\n"),
      "feedsync.yaml:17:11: http.listen: expected host:port or [ipv6]:port, got \"localhost\"");
  EXPECT_EQ(error_of(kBase + "http:\n  listen: 127.0.0.1:65536\n"),
            "feedsync.yaml:17:11: http.listen: expected a port from 0 to 65535, got "
            "\"127.0.0.1:65536\"");
  EXPECT_EQ(error_of(kBase + "state:\n  busy_timeout: soon\n"),
            "feedsync.yaml:17:17: state.busy_timeout: expected a duration like 30s, got \"soon\"");
}

TEST(ConfigErrors, EngineValueValidation) {
  EXPECT_EQ(error_of(kBase + "engine:\n  max_concurrent_polls: 0\n"),
            "feedsync.yaml:17:25: engine.max_concurrent_polls: expected a whole number from 1 to 64, got \"0\"");
  EXPECT_EQ(error_of(kBase + "engine:\n  max_poll_backoff: 0s\n"),
            "feedsync.yaml:17:21: engine.max_poll_backoff: must be longer than 0s");
}

TEST(ConfigErrors, CmsValueValidation) {
  const std::string after_secret = "  client_secret: ${CMS_SECRET}\n";
  EXPECT_EQ(error_of(replaced(kBase, after_secret, after_secret + "  api: v3\n")),
            "feedsync.yaml:6:8: cms.api: expected version2 or v1, got \"v3\"");
  EXPECT_EQ(
      error_of(replaced(kBase, after_secret, after_secret + "  max_in_flight: 0\n")),
      "feedsync.yaml:6:18: cms.max_in_flight: expected a whole number from 1 to 64, got \"0\"");
  EXPECT_EQ(error_of(replaced(kBase, "  base_url: https://cms.example.com/_cms/version2\n",
                              "  base_url: ftp://cms.example.com\n")),
            "feedsync.yaml:2:13: cms.base_url: expected an http:// or https:// URL, got "
            "\"ftp://cms.example.com\"");
  const std::string message =
      error_of(replaced(kBase, "  token_url: https://cms.example.com",
                        "  token_url: https://id:pw-XYZZY@cms.example.com"));
  EXPECT_EQ(message,
            "feedsync.yaml:3:14: cms.token_url: URLs must not contain a user name or password; "
            "credentials have their own keys");
}

TEST(ConfigErrors, CanonicalValueValidation) {
  const std::string template_line =
      "  url_template: \"https://www.example.com/{locale}/{route_segment}\"\n";
  EXPECT_EQ(error_of(replaced(kBase, "{route_segment}", "{slug}")),
            "feedsync.yaml:7:17: canonical.url_template: unknown placeholder {slug}; use {locale}, "
            "{route_segment}, {key}, {guid} or {meta_url}");
  EXPECT_EQ(error_of(replaced(kBase, template_line, template_line + "  endpoint: /canonical\n")),
            "feedsync.yaml:8:13: canonical.endpoint: expected an absolute URL like "
            "https://example.com, got \"/canonical\"");
  EXPECT_EQ(error_of(replaced(kBase, template_line, template_line + "  enabled: yes\n")),
            "feedsync.yaml:8:12: canonical.enabled: expected true or false, got \"yes\"");
}

TEST(ConfigErrors, SourceHeaders) {
  EXPECT_EQ(error_of(kBase + "source:\n  headers:\n    Bad Header: x\n"),
            "feedsync.yaml:18:5: source.headers[\"Bad Header\"]: expected an HTTP header name, got "
            "\"Bad Header\"");
  EXPECT_EQ(error_of(kBase + "source:\n  headers:\n    Accept: a\n    accept: b\n"),
            "feedsync.yaml:19:5: source.headers.accept: header \"Accept\" is already set (names "
            "ignore case)");
  EXPECT_EQ(
      error_of(kBase + "source:\n  headers:\n    X-A: \"a\\nb\"\n"),
      "feedsync.yaml:18:10: source.headers.X-A: header values must not contain line breaks or "
      "NUL");
}

TEST(ConfigErrors, EnvironmentVariables) {
  EXPECT_EQ(error_of(replaced(kBase, "  client_id: feedsync", "  client_id: ${CMS_CLIENT_ID}")),
            "feedsync.yaml:4:14: cms.client_id: environment variable CMS_CLIENT_ID is not set");
  EXPECT_EQ(error_of(replaced(kBase, "  client_id: feedsync", "  client_id: pa$word")),
            "feedsync.yaml:4:14: cms.client_id: a \"$\" must start ${VARIABLE}; write $$ for a "
            "literal $");
  EXPECT_EQ(error_of(kBase + "    interval: ${POLL}\n",
                     fake_env({{"CMS_SECRET", "x"}, {"POLL", "often"}})),
            "feedsync.yaml:16:15: feeds[0].interval: expected a duration like 30s, got \"often\"");
}

}  // namespace
}  // namespace feedsync::config
