// feedsyncd's command line as users and scripts see it: exit statuses, messages that name the
// file, position and key, status on a fresh database, and the single-daemon lock.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::Process;
using testing::run_process;
using testing::TempDir;

const std::string kDaemon = FEEDSYNC_DAEMON_BIN;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.write("secret", "e2e-client-secret-value\n"); }

  // A minimal valid configuration; `extra_feed_keys` lands inside the first feed.
  std::string config_text(const std::string& extra_feed_keys = "") const {
    return "state: { path: " + (dir_ / "state.db").string() + " }\n"
           "cms:\n"
           "  base_url: http://127.0.0.1:9/_cms/version2\n"
           "  token_url: http://127.0.0.1:9/_cms/version2/oauth/token\n"
           "  client_id: e2e\n"
           "  client_secret_file: " + (dir_ / "secret").string() + "\n"
           "canonical:\n"
           "  url_template: \"https://www.example.com/{locale}/{route_segment}\"\n"
           "feeds:\n"
           "  - name: blog\n"
           "    feed_id: abc123\n"
           "    content_type: ArticlePage\n"
           "    container: 43f936c99b234ea397b261c538ad07c9\n"
           "    locale: en\n" + extra_feed_keys +
           "    mapping:\n"
           "      displayName: title\n"
           "  - name: news\n"
           "    feed_id: def456\n"
           "    content_type: ArticlePage\n"
           "    container: 43f936c99b234ea397b261c538ad07c9\n"
           "    locale: en\n"
           "    mapping:\n"
           "      displayName: title\n";
  }
  std::string write_config(const std::string& text) const {
    return dir_.write("feedsync.yaml", text).string();
  }

  TempDir dir_;
};

TEST_F(CliTest, VersionAndHelpExitZero) {
  auto version = run_process(kDaemon, {"--version"});
  EXPECT_EQ(version.exit_status, 0);
  EXPECT_THAT(version.out, HasSubstr("feedsyncd 0."));
  auto help = run_process(kDaemon, {"--help"});
  EXPECT_EQ(help.exit_status, 0);
  EXPECT_THAT(help.out, HasSubstr("approve-deletes"));
}

TEST_F(CliTest, UsageErrorExitsTwo) {
  EXPECT_EQ(run_process(kDaemon, {"--no-such-flag"}).exit_status, 2);
  EXPECT_EQ(run_process(kDaemon, {"backup"}).exit_status, 2);  // PATH missing
}

TEST_F(CliTest, CheckValidConfigPrintsFeeds) {
  auto result = run_process(kDaemon, {"check", "--config", write_config(config_text())});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("blog"));
  EXPECT_THAT(result.out, HasSubstr("news"));
  EXPECT_THAT(result.out, HasSubstr("feed abc123"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("e2e-client-secret-value")));
}

// Issue 16: with only a client id, a secret and feeds, the CMS side defaults to v1 on the SaaS
// gateway, and check says where it will go; a configuration written for the flat default of
// earlier versions (a /_cms/version2 path, no `api`) keeps its dialect.
TEST_F(CliTest, CheckShowsTheSaasGatewayWhenTheCmsUrlsAreLeftOut) {
  std::string text = config_text();
  for (const char* line : {"  base_url: http://127.0.0.1:9/_cms/version2\n",
                           "  token_url: http://127.0.0.1:9/_cms/version2/oauth/token\n"})
    text.erase(text.find(line), std::string(line).size());
  auto saas = run_process(kDaemon, {"check", "--config", write_config(text)});
  EXPECT_EQ(saas.exit_status, 0) << saas.err;
  EXPECT_THAT(saas.out, HasSubstr("cms        v1 https://api.cms.optimizely.com/v1 (token "
                                  "https://api.cms.optimizely.com/oauth/token, client e2e"));
  auto flat = run_process(kDaemon, {"check", "--config", write_config(config_text())});
  EXPECT_EQ(flat.exit_status, 0) << flat.err;
  EXPECT_THAT(flat.out, HasSubstr("cms        version2 http://127.0.0.1:9/_cms/version2 (token "));
}

// Issue 14 item 5: more polling than the request rate and the poll slots can carry is a warning
// that names the numbers (not an error: the daemon still polls every feed, only less often).
TEST_F(CliTest, CheckWarnsWhenTheFeedsCannotBePolledWithinTheirIntervals) {
  std::string text = "state: { path: " + (dir_ / "state.db").string() + " }\n"
                     "source:\n  rate_limit: 5/s\n"
                     "cms:\n"
                     "  base_url: http://127.0.0.1:9/_cms/version2\n"
                     "  token_url: http://127.0.0.1:9/_cms/version2/oauth/token\n"
                     "  client_id: e2e\n"
                     "  client_secret_file: " + (dir_ / "secret").string() + "\n"
                     "canonical:\n  url_template: \"https://www.example.com/{locale}/{route_segment}\"\n"
                     "engine:\n  max_concurrent_polls: 2\n"
                     "feeds:\n";
  for (int i = 0; i < 1000; ++i) {
    const auto n = std::to_string(i);
    text += "  - { name: feed" + n + ", feed_id: f" + n + ", deleted_feed_id: d" + n +
            ", interval: 60s, content_type: ArticlePage, container: 43f936c99b234ea397b261c538ad07c9, "
            "locale: en, mapping: { displayName: title } }\n";
  }
  auto result = run_process(kDaemon, {"check", "--config", write_config(text)});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("schedule   16.67 polls/s, 33.33 Feed API requests/s in steady state, 2 poll slots"));
  EXPECT_THAT(result.out, HasSubstr("warning: 1000 feeds need at least 33.3 Feed API requests/s"));
  EXPECT_THAT(result.out, HasSubstr("source.rate_limit is 5/s"));
  EXPECT_THAT(result.out, HasSubstr("with engine.max_concurrent_polls 2 each poll must finish within 120 ms"));

  // The two-feed configuration keeps up: no warning.
  auto quiet = run_process(kDaemon, {"check", "--config", write_config(config_text())});
  EXPECT_EQ(quiet.exit_status, 0) << quiet.err;
  EXPECT_THAT(quiet.out, HasSubstr("schedule   "));
  EXPECT_THAT(quiet.out, Not(HasSubstr("Feed API requests/s in steady state (one per")));
  EXPECT_THAT(quiet.out, Not(HasSubstr("each poll must finish within")));
}

// Issue 17 item 6: what the feeds spend per 30 days, per feed and per API. Two feeds polled every
// 60 s with an hourly full scan, nothing known yet: 43,200 cycles each, 720 of them full scans of
// one (empty) page; blog's Deleted Feed adds a read per poll.
TEST_F(CliTest, CheckPrintsTheMonthlyRequestProjection) {
  const auto path = write_config(config_text("    deleted_feed_id: del789\n"));
  auto result = run_process(kDaemon, {"check", "--config", path});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("requests   per 30 days in steady state (no article changes):\n"
                                    "  blog: 86400 Feed API (42480 incremental polls, 720 in full scans of 0 "
                                    "articles, 43200 Deleted Feed reads)\n"
                                    "  news: 43200 Feed API (42480 incremental polls, 720 in full scans of 0 "
                                    "articles)\n"
                                    "requests   total: Feed API 129600, CMS 0, canonical link 0 ("));
  EXPECT_THAT(result.out, HasSubstr("note: articles known counted as 0 (no state database at " +
                                    (dir_ / "state.db").string() + " yet)"));
  EXPECT_THAT(result.out, Not(HasSubstr("monthly_budget")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.db"));  // check creates nothing

  // With a state database (here made by `pause`) the articles are read from it: no note.
  ASSERT_EQ(run_process(kDaemon, {"pause", "blog", "--config", path}).exit_status, 0);
  auto with_store = run_process(kDaemon, {"check", "--config", path});
  EXPECT_EQ(with_store.exit_status, 0) << with_store.err;
  EXPECT_THAT(with_store.out, HasSubstr("Feed API 129600"));
  EXPECT_THAT(with_store.out, Not(HasSubstr("note: articles known")));
}

TEST_F(CliTest, CheckWarnsWhenTheProjectionExceedsTheMonthlyBudget) {
  auto over = run_process(kDaemon, {"check", "--config",
                                    write_config("source:\n  monthly_budget: 43200\n" + config_text())});
  EXPECT_EQ(over.exit_status, 0) << over.err;  // a warning, not an error: the daemon adapts
  EXPECT_THAT(over.out, HasSubstr("warning: the Feed API projection of 86400 requests per 30 days exceeds "
                                  "source.monthly_budget 43200: feedsyncd run multiplies every feed's "
                                  "intervals by 2.00 to fit"));

  auto fits = run_process(kDaemon, {"check", "--config",
                                    write_config("source:\n  monthly_budget: 86400\n" + config_text())});
  EXPECT_EQ(fits.exit_status, 0) << fits.err;
  EXPECT_THAT(fits.out, HasSubstr("budget     source.monthly_budget 86400: the Feed API projection fits"));
  EXPECT_THAT(fits.out, Not(HasSubstr("exceeds source.monthly_budget")));
}

// The daemon does what check announced, and says so at start: never a silent stretch.
TEST_F(CliTest, RunStretchesTheIntervalsToTheBudgetAndLogsIt) {
  const auto path = write_config("source:\n  monthly_budget: 43200\nhttp: { listen: \"127.0.0.1:0\" }\n" +
                                 config_text());
  Process daemon(kDaemon, {"run", "--config", path});
  ASSERT_TRUE(daemon.wait_for_stderr("feedsyncd started", std::chrono::seconds(20)));
  // "started" is logged just before the event loop runs, and the SIGTERM handler with it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  daemon.signal(SIGTERM);
  auto stopped = daemon.wait();
  EXPECT_EQ(stopped.exit_status, 0) << stopped.err;
  EXPECT_THAT(stopped.err, HasSubstr("Feed API projection exceeds source.monthly_budget; every feed polls less often"));
  EXPECT_THAT(stopped.err, HasSubstr("projected_per_30_days=86400 monthly_budget=43200 factor=2.00 "
                                     "projected_after=43200 intervals=1m->2m full_scan_intervals=1h->2h"));
  // `status` judges staleness by the intervals the daemon polls at.
  auto status = run_process(kDaemon, {"status", "--config", path, "-o", "json"});
  EXPECT_EQ(status.exit_status, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("\"interval_seconds\":120"));
  EXPECT_THAT(status.out, Not(HasSubstr("\"interval_seconds\":60")));
}

TEST_F(CliTest, ExampleConfigChecksCleanWithItsSecretsProvided) {
  testing::TempDir credentials;
  credentials.write("cms_client_secret", "example-secret-value\n");
  credentials.write("admin_token", "example-admin-token\n");
  std::filesystem::permissions(credentials / "cms_client_secret", std::filesystem::perms::owner_read);
  std::filesystem::permissions(credentials / "admin_token", std::filesystem::perms::owner_read);
  auto result = run_process(
      kDaemon, {"check", "--config", std::string(FEEDSYNC_SOURCE_DIR) + "/config/feedsync.example.yaml"},
      {{"CREDENTIALS_DIRECTORY", credentials.path().string()}, {"CMS_CLIENT_ID", "example"}});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, Not(HasSubstr("warning")));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("example-secret-value")));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("example-admin-token")));
}

// Issue 15: a core dump would hold the CMS secret and the admin token in clear.
TEST_F(CliTest, CoreDumpsAreOffUnlessAllowedExplicitly) {
  const auto config = write_config(config_text());
  auto result = run_process(kDaemon, {"check", "--config", config});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("core dumps off: secrets never reach a core file"));
  auto allowed = run_process(kDaemon, {"check", "--config", config}, {{"FEEDSYNC_ALLOW_CORE_DUMPS", "1"}});
  EXPECT_THAT(allowed.out, HasSubstr("core dumps allowed (FEEDSYNC_ALLOW_CORE_DUMPS=1)"));
}

TEST_F(CliTest, ConfigOptionAlsoWorksBeforeTheSubcommand) {
  auto result = run_process(kDaemon, {"--config", write_config(config_text()), "check"});
  EXPECT_EQ(result.exit_status, 0) << result.err;
}

TEST_F(CliTest, TypoedKeyExits78WithPositionAndPath) {
  auto path = write_config(config_text("    intervall: 30s\n"));
  auto result = run_process(kDaemon, {"check", "--config", path});
  EXPECT_EQ(result.exit_status, 78);
  EXPECT_THAT(result.err, HasSubstr(path + ":15:5: feeds[0].intervall"));
}

TEST_F(CliTest, BadDurationExits78WithPositionAndPath) {
  auto path = write_config(config_text("    interval: often\n"));
  auto result = run_process(kDaemon, {"check", "--config", path});
  EXPECT_EQ(result.exit_status, 78);
  EXPECT_THAT(result.err, HasSubstr(path + ":15:15: feeds[0].interval"));
  EXPECT_THAT(result.err, HasSubstr("often"));
}

TEST_F(CliTest, UnsetVariableExits78NamingIt) {
  auto text = config_text();
  text.replace(text.find("client_id: e2e"), 14, "client_id: ${FEEDSYNC_E2E_UNSET_VAR}");
  auto path = write_config(text);
  auto result = run_process(kDaemon, {"check", "--config", path});
  EXPECT_EQ(result.exit_status, 78);
  EXPECT_THAT(result.err, HasSubstr(path + ":5:"));
  EXPECT_THAT(result.err, HasSubstr("cms.client_id"));
  EXPECT_THAT(result.err, HasSubstr("FEEDSYNC_E2E_UNSET_VAR"));
}

TEST_F(CliTest, MissingSecretFileExits78NamingKeyAndPath) {
  std::filesystem::remove(dir_ / "secret");
  auto path = write_config(config_text());
  auto result = run_process(kDaemon, {"check", "--config", path});
  EXPECT_EQ(result.exit_status, 78);
  EXPECT_THAT(result.err, HasSubstr(path + ":6:"));
  EXPECT_THAT(result.err, HasSubstr("cms.client_secret_file"));
  EXPECT_THAT(result.err, HasSubstr((dir_ / "secret").string()));
}

TEST_F(CliTest, MissingConfigFileExits78) {
  auto result = run_process(kDaemon, {"check", "--config", (dir_ / "nope.yaml").string()});
  EXPECT_EQ(result.exit_status, 78);
  EXPECT_THAT(result.err, HasSubstr("nope.yaml"));
}

TEST_F(CliTest, StatusOnFreshDatabaseSaysNeverPolled) {
  auto path = write_config(config_text());
  auto text = run_process(kDaemon, {"status", "--config", path});
  EXPECT_EQ(text.exit_status, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("blog"));
  EXPECT_THAT(text.out, HasSubstr("never polled"));
  auto json = run_process(kDaemon, {"status", "--config", path, "-o", "json"});
  EXPECT_EQ(json.exit_status, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("\"name\":\"news\""));
  EXPECT_THAT(json.out, HasSubstr("\"last_success_at\":null"));
}

TEST_F(CliTest, SecondDaemonOnSameDatabaseExitsNamingTheFirstsPid) {
  auto path = write_config(config_text());
  Process first(kDaemon, {"run", "--config", path});
  ASSERT_TRUE(first.wait_for_stderr("feedsyncd started", std::chrono::seconds(20)));

  auto second = run_process(kDaemon, {"run", "--config", path});
  EXPECT_NE(second.exit_status, 0);
  EXPECT_THAT(second.err, HasSubstr("pid " + std::to_string(first.pid())));

  // status and backup are readers: they work while the daemon runs.
  auto status = run_process(kDaemon, {"status", "--config", path});
  EXPECT_EQ(status.exit_status, 0) << status.err;
  auto backup = run_process(kDaemon, {"backup", (dir_ / "copy.db").string(), "--config", path});
  EXPECT_EQ(backup.exit_status, 0) << backup.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "copy.db"));

  first.signal(SIGTERM);
  auto stopped = first.wait();
  EXPECT_EQ(stopped.exit_status, 0) << stopped.err;
  EXPECT_THAT(stopped.err, Not(HasSubstr("e2e-client-secret-value")));
}

TEST_F(CliTest, BackupNeedsADatabaseAndNeverOverwrites) {
  auto path = write_config(config_text());
  auto missing = run_process(kDaemon, {"backup", (dir_ / "copy.db").string(), "--config", path});
  EXPECT_EQ(missing.exit_status, 1);
  EXPECT_THAT(missing.err, HasSubstr((dir_ / "state.db").string()));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.db"));  // a typo'd path stays a typo

  ASSERT_EQ(run_process(kDaemon, {"pause", "blog", "--config", path}).exit_status, 0);
  dir_.write("exists.db", "x");
  auto existing = run_process(kDaemon, {"backup", (dir_ / "exists.db").string(), "--config", path});
  EXPECT_EQ(existing.exit_status, 1);
  EXPECT_THAT(existing.err, HasSubstr("exists.db"));
}

TEST_F(CliTest, PauseAndResumePersistAndShowInStatus) {
  auto path = write_config(config_text());
  auto paused = run_process(kDaemon, {"pause", "news", "--config", path});
  EXPECT_EQ(paused.exit_status, 0) << paused.err;
  auto status = run_process(kDaemon, {"status", "--config", path, "-o", "json"});
  EXPECT_THAT(status.out, HasSubstr("\"name\":\"news\",\"feed_id\":\"def456\",\"configured\":true,"
                                    "\"state\":\"paused\""));
  EXPECT_EQ(run_process(kDaemon, {"resume", "news", "--config", path}).exit_status, 0);
  status = run_process(kDaemon, {"status", "--config", path, "-o", "json"});
  EXPECT_THAT(status.out, Not(HasSubstr("\"state\":\"paused\"")));
}

TEST_F(CliTest, FeedNameTyposAreUsageErrorsNamingTheKnownFeeds) {
  auto path = write_config(config_text());
  auto result = run_process(kDaemon, {"pause", "blgo", "--config", path});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.err, HasSubstr("\"blgo\""));
  EXPECT_THAT(result.err, HasSubstr("blog, news"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.db"));
}

TEST_F(CliTest, RetryWithNothingDeadSaysSo) {
  auto path = write_config(config_text());
  auto result = run_process(kDaemon, {"retry", "--config", path});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  ASSERT_EQ(run_process(kDaemon, {"pause", "blog", "--config", path}).exit_status, 0);
  result = run_process(kDaemon, {"retry", "blog", "--config", path});
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("re-queued 0 dead-lettered operations"));
}

TEST_F(CliTest, OnceAgainstAnUnreachableFeedApiFailsAndNamesTheFeed) {
  auto path = write_config("source: { base_url: \"http://127.0.0.1:9\" }\n" + config_text());
  auto result = run_process(kDaemon, {"once", "--timeout", "20s", "--config", path}, {}, std::chrono::seconds(90));
  EXPECT_EQ(result.exit_status, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("feed blog: poll failed"));
  EXPECT_THAT(result.out, HasSubstr("feed news: poll failed"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("abc123")));  // feed ids stay out of the output
}

TEST_F(CliTest, OnceRejectsABadTimeout) {
  auto path = write_config(config_text());
  auto result = run_process(kDaemon, {"once", "--timeout", "soon", "--config", path});
  EXPECT_EQ(result.exit_status, 2);
  EXPECT_THAT(result.err, HasSubstr("once --timeout"));
}

}  // namespace
}  // namespace feedsync
