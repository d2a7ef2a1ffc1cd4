// Event-driven sync (issue 19) against the built binaries: CMP webhook deliveries on the running
// daemon's listener. The feed's interval is an hour, so after the first poll every poll is one a
// delivery asked for. A delivery with the right Callback-Secret gets the changed article into
// the CMS; a burst of 100 duplicates costs one poll (counted in the simulator's request log and
// in feedsync_polls_total); a wrong or missing secret is 401 and requests nothing; a 10 MiB
// body is 413; the secret appears in no log line, /status or /metrics.
#include <chrono>
#include <iostream>
#include <regex>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/content_key.hpp"
#include "core/time.hpp"
#include "net/beast_client.hpp"
#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::http_request;

constexpr const char* kSecret = "e2e-cmp-callback-secret-0123456";  // CMP allows up to 32
constexpr const char* kFeed = "simfeed0000000000000000000000001";
constexpr const char* kAssetAdded = R"({"event_name":"asset_added","data":{"asset":{"id":"0a1b","type":"article"}}})";
// Deliveries within this window of the first cost one poll. Wide, so that a loaded machine still
// sends a burst of 100 inside it; the test checks that it did.
constexpr auto kCoalesce = 3s;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("config/demo.yaml has no \"" + from + "\"");
  return text.replace(at, from.size(), to);
}

std::string config_text(const std::string& http_extra = "") {
  std::string s = testing::demo_config();
  s = replaced(s, "  listen: 127.0.0.1:0\n", "  listen: 127.0.0.1:0\n" + http_extra);
  s = replaced(s, "interval: 2s", "interval: 1h");  // only deliveries poll after the first
  s = replaced(s, "full_scan_interval: 1m", "full_scan_interval: 24h");  // one index page a poll
  s = replaced(s, "level: info", "level: debug");   // the secret must not be in debug lines either
  s = replaced(s, "engine:\n", "webhooks:\n  cmp:\n    secret: ${CMP_SECRET}\n    coalesce: 3s\nengine:\n");
  return s;
}

// An HTTPS POST that trusts only `ca_file`.
testing::HttpReply https_post(const std::string& url, const std::string& ca_file, const std::string& secret,
                              const std::string& body) {
  boost::asio::io_context io;
  net::ClientOptions options;
  options.ca_file = ca_file;
  net::BeastHttpClient client(io.get_executor(), options);
  net::Request request;
  request.method = net::Method::post;
  request.url = url;
  request.body = body;
  request.headers.add("Content-Type", "application/json");
  request.headers.add("Callback-Secret", secret);
  auto future = boost::asio::co_spawn(io, client.send(std::move(request)), boost::asio::use_future);
  io.run();
  auto result = future.get();
  if (!result) return {0, result.error().message};
  return {result->status, result->body};
}

class WebhooksE2E : public ::testing::Test {
 protected:
  // `webhook_tls`: hooks on their own listener (http.webhook_listen) with TLS, from a CA made
  // for the test (its certificate in ca_file_).
  explicit WebhooksE2E(bool webhook_tls = false) : sim_({"--generate", "30", "--seed", "9"}) {
    config_ = dir_.write("feedsync.yaml", config_text(webhook_tls ? tls_keys() : ""));
    daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config_.string()},
                    std::map<std::string, std::string>{{"SIM_URL", sim_.base_url()},
                                                       {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
                                                       {"CMS_CLIENT_SECRET", "sim-secret"},
                                                       {"CMP_SECRET", kSecret}});
  }

  void SetUp() override {
    ASSERT_TRUE(daemon_->wait_for_stderr("poll cycle done", 60s));
    const auto err = daemon_->stderr_text();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(err, m, std::regex("feedsyncd started.*http=127\\.0\\.0\\.1:([0-9]+)")));
    base_ = "http://127.0.0.1:" + m[1].str();
    ASSERT_TRUE(eventually([&] { return sim_.get("/_sim/check").json().at("ok").as_bool(); }));
  }

  std::string tls_keys() {
    const testing::TestCertificateAuthority ca;
    const auto certificate = ca.issue({"localhost"}, {"127.0.0.1"});
    ca_file_ = dir_.write("ca.pem", ca.ca_pem()).string();
    const auto cert = dir_.write("hook.crt", certificate.cert_pem);
    const auto key = dir_.write("hook.key", certificate.key_pem);
    return "  webhook_listen: 127.0.0.1:0\n  webhook_tls_cert_file: " + cert.string() +
           "\n  webhook_tls_key_file: " + key.string() + "\n";
  }

  testing::HttpReply deliver(const std::string& path, const std::string& secret, const std::string& body = kAssetAdded) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!secret.empty()) headers.emplace_back("Callback-Secret", secret);
    return http_request("POST", base_ + path, body, headers);
  }
  std::string metrics() { return http_request("GET", base_ + "/metrics").body; }
  double sample(const std::string& series) {
    const auto page = metrics();
    const auto at = page.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(page.substr(at + series.size() + 2));
  }
  double polls() { return sample("feedsync_polls_total{feed=\"demo\",result=\"success\"}"); }
  double deliveries(const std::string& result) {
    return sample("feedsync_webhook_deliveries_total{source=\"cmp\",result=\"" + result + "\"}");
  }
  // Index reads of the live feed (guid,modified_at pages) since `seq`: one per poll here.
  int index_reads_since(std::int64_t seq) {
    const auto log = sim_.get("/_sim/requests?api=feed&since=" + std::to_string(seq)).json();
    int n = 0;
    const auto& entries = log.at("entries").as_array();
    for (const auto& e : entries) {
      const std::string path(e.at("path").as_string());
      const std::string query(e.at("query").as_string());
      if (path == std::string("/v2/feed/") + kFeed && query.find("fields=guid") != std::string::npos) ++n;
    }
    return n;
  }
  std::int64_t last_seq() {
    return sim_.get("/_sim/requests?limit=1").json().at("last_seq").to_number<std::int64_t>();
  }
  bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s) {
    return testing::eventually(condition, timeout, [this] { daemon_->drain(); }, 20ms);
  }

  testing::TempDir dir_;
  testing::SimProcess sim_;
  std::filesystem::path config_;
  std::optional<testing::Process> daemon_;
  std::string base_;
  std::string ca_file_;
};

TEST_F(WebhooksE2E, ADeliveryGetsTheChangedArticleIntoTheCmsWithoutWaitingForTheInterval) {
  const auto listing = sim_.get(std::string("/_sim/feeds/") + kFeed + "/articles").json();
  const std::string guid(listing.at("articles").at(0).at("guid").as_string());
  ASSERT_EQ(sim_.patch("/_sim/articles/" + guid, R"({"title":"Edited in CMP"})").status, 200);
  const std::string drift = "/_sim/check?property=Heading&field=title";
  ASSERT_FALSE(sim_.get(drift).json().at("drift").as_array().empty());

  ASSERT_EQ(deliver("/hooks/cmp/demo", kSecret).status, 202);
  // The interval is an hour: only the delivery can have brought the edit over.
  EXPECT_TRUE(eventually([&] { return sim_.get(drift).json().at("drift").as_array().empty(); }, 30s))
      << sim_.get(drift).body;
  EXPECT_EQ(deliveries("accepted"), 1);
}

TEST_F(WebhooksE2E, AHundredDuplicateDeliveriesCostOnePoll) {
  const double polls_before = polls();
  const auto seq = last_seq();
  // The simulator's CMP sender: 100 copies of one delivery, 16 connections at a time.
  boost::json::object burst{{"url", base_ + "/hooks/cmp/demo"}, {"secret", kSecret}, {"count", 100}, {"concurrency", 16}};
  const auto sent = sim_.post("/_sim/cmp/webhooks:deliver", boost::json::serialize(burst));
  ASSERT_EQ(sent.status, 200) << sent.body;
  const auto summary = sent.json();
  EXPECT_EQ(summary.at("statuses").at("202").to_number<int>(), 100) << sent.body;
  const auto sent_in = std::chrono::milliseconds(summary.at("last_done_ms").to_number<std::int64_t>() -
                                                 summary.at("first_sent_ms").to_number<std::int64_t>());
  // Only a burst inside the window is one poll; a later delivery rightly asks for another.
  ASSERT_LT(sent_in, kCoalesce) << "the machine is too slow to send 100 deliveries inside the window";
  EXPECT_EQ(deliveries("accepted"), 100);

  ASSERT_TRUE(eventually([&] { return polls() == polls_before + 1; }));
  EXPECT_EQ(index_reads_since(seq), 1);
  // Every delivery came inside one window, so the engine triggered the feed once (a debug line
  // per trigger) and nothing is left pending.
  daemon_->drain();
  const auto& err = daemon_->stderr_text();
  std::size_t triggers = 0;
  for (auto at = err.find("coalesced into one poll"); at != std::string::npos;
       at = err.find("coalesced into one poll", at + 1))
    ++triggers;
  EXPECT_EQ(triggers, 1u);
}

TEST_F(WebhooksE2E, AWrongOrMissingSecretIs401AndRequestsNothingAndBigBodiesAre413) {
  EXPECT_EQ(deliver("/hooks/cmp/demo", "").status, 401);
  EXPECT_EQ(deliver("/hooks/cmp", "e2e-cmp-callback-secret-0123457").status, 401);
  EXPECT_EQ(deliver("/hooks/cmp", std::string(kSecret) + "0").status, 401);
  EXPECT_EQ(deliveries("unauthorized"), 3);
  // A poll is requested only where a delivery is counted as accepted (webhook_api.cpp).
  EXPECT_EQ(deliveries("accepted"), 0);

  const std::string ten_mib(10 * 1024 * 1024, ' ');
  EXPECT_EQ(deliver("/hooks/cmp", kSecret, ten_mib).status, 413);
  EXPECT_EQ(deliveries("too_large"), 1);
  EXPECT_EQ(deliver("/hooks/cmp/nosuchfeed", kSecret).status, 404);
  EXPECT_EQ(deliver("/hooks/cmp", kSecret, R"({"event_name":"task_step_completed"})").status, 202);
  EXPECT_EQ(deliveries("ignored"), 1);
  EXPECT_EQ(deliveries("accepted"), 0);
  EXPECT_TRUE(daemon_->wait_for_stderr("cmp webhook event needs no poll", 5s));

  // promtool, when installed, lints the page with the webhook family on it.
  const auto page = metrics();
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    const auto scrape = dir_.write("scrape.txt", page);
    EXPECT_EQ(std::system(("promtool check metrics < " + scrape.string()).c_str()), 0) << page;
  }
  for (const char* path : {"/metrics", "/status", "/readyz?verbose"}) {
    EXPECT_THAT(http_request("GET", base_ + path).body, Not(HasSubstr(kSecret))) << path;
  }
  daemon_->signal(SIGTERM);
  const auto result = daemon_->wait(30s);
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.err, HasSubstr("cmp webhook delivery refused"));
  EXPECT_THAT(result.err, Not(HasSubstr(kSecret)));
}

// http.webhook_listen with TLS: the hooks there only, the admin surface only on http.listen.
class WebhookListenerE2E : public WebhooksE2E {
 protected:
  WebhookListenerE2E() : WebhooksE2E(/*webhook_tls=*/true) {}
};

TEST_F(WebhookListenerE2E, ServesOnlyTheHooksOverTls) {
  ASSERT_TRUE(daemon_->wait_for_stderr("webhook listener started", 5s));
  std::smatch m;
  const auto err = daemon_->stderr_text();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("webhook listener started http=127\\.0\\.0\\.1:([0-9]+) tls=on")))
      << err;
  const std::string hooks = "https://127.0.0.1:" + m[1].str();

  const double polls_before = polls();
  const auto reply = https_post(hooks + "/hooks/cmp/demo", ca_file_, kSecret, kAssetAdded);
  EXPECT_EQ(reply.status, 202) << reply.body;
  EXPECT_TRUE(eventually([&] { return polls() == polls_before + 1; }));
  EXPECT_EQ(https_post(hooks + "/hooks/cmp/demo", ca_file_, "wrong", kAssetAdded).status, 401);
  // The admin surface is not on the public listener, and the hooks are not on the admin one.
  for (const char* path : {"/status", "/metrics", "/feeds/demo/sync", "/retry"})
    EXPECT_EQ(https_post(hooks + path, ca_file_, kSecret, "").status, 404) << path;
  EXPECT_EQ(deliver("/hooks/cmp/demo", kSecret).status, 404);
  EXPECT_EQ(http_request("GET", base_ + "/livez").status, 200);
}


// CMS webhooks (issue 19, items 3 and 6): articles written as drafts, `feedsyncd webhooks
// register-cms` subscribes the daemon to the simulated CMS's publish events, an editor publishes
// 5 of the 20 drafts, and exactly those 5 canonical links reach CMP, once each. The pending
// check runs every hour here: only the webhook can have been this quick.
constexpr const char* kCmsHookToken = "e2e-cms-webhook-token-0123456789";

std::string v1_config_text() {
  std::string s = config_text();
  // The CMS's webhooks are a v1 API: this suite runs in v1 whatever FEEDSYNC_E2E_CMS_API says.
  if (s.find("api: version2") != std::string::npos) {
    s = replaced(s, "api: version2", "api: v1");
    s = replaced(s, "base_url: ${SIM_URL}/_cms/version2", "base_url: ${SIM_URL}/v1");
    s = replaced(s, "token_url: ${SIM_URL}/_cms/version2/oauth/token", "token_url: ${SIM_URL}/oauth/token");
  }
  s = replaced(s, "publish: immediate", "publish: draft");
  s = replaced(s, "url_template:", "pending_check_interval: 1h\n  url_template:");
  s = replaced(s, "webhooks:\n", "webhooks:\n  cms:\n    token: ${CMS_HOOK_TOKEN}\n");
  return s;
}

class CmsWebhooksE2E : public ::testing::Test {
 protected:
  CmsWebhooksE2E() : sim_({"--generate", "20", "--seed", "11"}) {
    config_ = dir_.write("feedsync.yaml", v1_config_text());
    env_ = {{"SIM_URL", sim_.base_url()},      {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
            {"CMS_CLIENT_SECRET", "sim-secret"}, {"CMP_SECRET", kSecret},
            {"CMS_HOOK_TOKEN", kCmsHookToken}};
    daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config_.string()}, env_);
  }

  bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s) {
    return testing::eventually(condition, timeout, [this] { daemon_->drain(); }, 20ms);
  }
  boost::json::array canonical_records() {
    return sim_.get("/_sim/canonical").json().at("records").as_array();
  }

  testing::TempDir dir_;
  testing::SimProcess sim_;
  std::filesystem::path config_;
  std::map<std::string, std::string> env_;
  std::optional<testing::Process> daemon_;
};

TEST_F(CmsWebhooksE2E, AnEditorPublishingFiveOfTwentyDraftsPostsExactlyThoseFiveLinksAtOnce) {
  ASSERT_TRUE(daemon_->wait_for_stderr("poll cycle done", 60s));
  std::smatch m;
  const auto err = daemon_->stderr_text();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("feedsyncd started.*http=127\\.0\\.0\\.1:([0-9]+)")));
  const std::string hook_url = "http://127.0.0.1:" + m[1].str() + "/hooks/cms";
  // Every article is in the CMS as a draft: nothing for CMP yet.
  ASSERT_TRUE(eventually([&] { return sim_.get("/_sim/check").json().at("ok").as_bool(); }));
  const auto items = sim_.get("/_sim/cms/items").json().as_array();
  ASSERT_EQ(items.size(), 20u);
  EXPECT_TRUE(canonical_records().empty());

  // What register-cms refuses, and its dry run: nothing sent, no secret printed.
  const auto bad_url = testing::run_process(
      FEEDSYNC_DAEMON_BIN, {"webhooks", "register-cms", "--url", "ftp://x/hooks/cms", "--config", config_.string()}, env_);
  EXPECT_EQ(bad_url.exit_status, 78);
  EXPECT_THAT(bad_url.err, HasSubstr("--url ftp://x/hooks/cms is not an absolute http(s) URL"));
  const auto dry = testing::run_process(
      FEEDSYNC_DAEMON_BIN,
      {"webhooks", "register-cms", "--url", hook_url, "--dry-run", "--config", config_.string()}, env_);
  EXPECT_EQ(dry.exit_status, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("/v1/experimental/webhooks"));
  EXPECT_THAT(dry.out, HasSubstr("$CMS_WEBHOOK_TOKEN"));
  EXPECT_THAT(dry.out, Not(HasSubstr(kCmsHookToken)));
  EXPECT_EQ(sim_.get("/_sim/cms/webhooks").json().at("webhooks").as_array().size(), 0u);

  const auto registered = testing::run_process(
      FEEDSYNC_DAEMON_BIN, {"webhooks", "register-cms", "--url", hook_url, "--config", config_.string()}, env_);
  ASSERT_EQ(registered.exit_status, 0) << registered.out << registered.err;
  EXPECT_THAT(registered.out, HasSubstr("content.published"));
  EXPECT_THAT(registered.out + registered.err, Not(HasSubstr(kCmsHookToken)));
  const auto hooks = sim_.get("/_sim/cms/webhooks").json();
  ASSERT_EQ(hooks.at("webhooks").as_array().size(), 1u);
  EXPECT_EQ(hooks.at("webhooks").at(0).at("status").as_string(), "active") << "the endpoint verification passed";

  // An editor publishes five of the drafts.
  std::set<std::string> expected;
  std::vector<std::int64_t> published_at;
  for (std::size_t i = 0; i < 20; i += 4) {
    const auto& item = items.at(i).as_object();
    const std::string key(item.at("key").as_string());
    const auto& versions = item.at("versions").as_array();
    expected.insert(std::string(versions.at(0).at("properties").at("CmpGuid").as_string()));
    ASSERT_EQ(sim_.post("/_sim/cms/items/" + key + ":publish", "{}").status, 200);
    published_at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count());
  }
  ASSERT_EQ(expected.size(), 5u);
  ASSERT_TRUE(eventually([&] { return canonical_records().size() >= 5; }, 20s)) << sim_.get("/_sim/canonical").body;

  std::set<std::string> posted;
  std::int64_t slowest = 0;
  const auto records = canonical_records();
  for (std::size_t i = 0; i < records.size(); ++i) {
    posted.insert(std::string(records.at(i).at("guid").as_string()));
    const auto at = parse_rfc3339_ms(std::string(records.at(i).at("time").as_string()));
    ASSERT_TRUE(at);
    slowest = std::max(slowest, *at - published_at.back());
  }
  EXPECT_EQ(records.size(), 5u) << "each link once";
  EXPECT_EQ(posted, expected);
  // The acceptance bound: the slowest link came within a second of the last publish.
  EXPECT_LT(slowest, 1000) << "ms from the last editor publish to the last canonical link";
  std::cout << "[ metric ] slowest canonical link after the last publish: " << slowest << " ms\n";

  const auto deliveries = sim_.get("/_sim/webhooks/deliveries?source=cms").json().at("deliveries").as_array();
  ASSERT_EQ(deliveries.size(), 6u) << "one verification, five publish events";
  for (const auto& d : deliveries) EXPECT_EQ(d.at("status").to_number<int>(), d.at("event").as_string() == "webhook.verification" ? 200 : 202);
  const std::string base = hook_url.substr(0, hook_url.size() - std::string("/hooks/cms").size());
  const auto metrics = http_request("GET", base + "/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("feedsync_webhook_deliveries_total{source=\"cms\",result=\"accepted\"} 5"));
  EXPECT_THAT(metrics, HasSubstr("feedsync_webhook_deliveries_total{source=\"cms\",result=\"verification\"} 1"));
  for (const char* path : {"/metrics", "/status"})
    EXPECT_THAT(http_request("GET", base + path).body, Not(HasSubstr(kCmsHookToken))) << path;
  daemon_->signal(SIGTERM);
  const auto result = daemon_->wait(30s);
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.err, Not(HasSubstr(kCmsHookToken)));
}

// Scheduled publishing (issue 19, item 2): `schedule: true` with the publish time from the
// "Ad Date" custom field. An article posted to CMP with its time a few seconds ahead is written
// scheduled; the simulated CMS publishes it when its clock passes that time, and the pending
// check, told of the time by the relay, asks shortly after it: the link is posted after the time,
// not before, and without waiting for canonical.pending_check_interval (an hour here). The link
// fills {meta_url}, on this path as on the relay's. The simulator's clock is left on real time:
// the daemon's is the real one, and the publish time is one instant for both.
std::string scheduled_config_text() {
  std::string s = testing::demo_config();
  s = replaced(s, "publish: immediate\n", "publish: immediate\n    schedule: true\n");
  s = replaced(s, "    mapping:\n", "    mapping:\n      publishAt: custom_fields[\"Ad Date\"].values[0]\n");
  s = replaced(s, "url_template: \"https://www.example.com/{locale}/{route_segment}\"",
               "pending_check_interval: 1h\n  url_template: \"https://www.example.com/{locale}{meta_url}\"");
  return s;
}

TEST(ScheduledCanonicalE2E, AScheduledArticlesLinkIsPostedShortlyAfterItsTimeNotBefore) {
  testing::TempDir dir;
  // One generated article, its Ad Date a day ahead: scheduled, and never posted in this test.
  testing::SimProcess sim({"--generate", "1", "--seed", "13"});
  const auto config = dir.write("feedsync.yaml", scheduled_config_text());
  testing::Process daemon(FEEDSYNC_DAEMON_BIN, {"run", "--config", config.string()},
                          {{"SIM_URL", sim.base_url()},
                           {"FEEDSYNC_STATE", (dir / "state.db").string()},
                           {"CMS_CLIENT_SECRET", "sim-secret"}});
  auto eventually = [&](const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      daemon.drain();
      if (condition()) return true;
      std::this_thread::sleep_for(20ms);  // polling an observable condition, with a deadline
    }
    return false;
  };
  auto sim_now = [&] { return *parse_rfc3339_ms(std::string(sim.get("/_sim/clock").json().at("now").as_string())); };
  const std::string guid = "5c4ed01ed0000000000000000000e2e1";
  auto records_of = [&](const std::string& of) {
    std::vector<boost::json::object> found;
    const auto records = sim.get("/_sim/canonical").json().at("records").as_array();
    for (const auto& r : records)
      if (r.at("guid").as_string() == of) found.push_back(r.as_object());
    return found;
  };
  auto item_status = [&]() -> std::string {
    const auto items = sim.get("/_sim/cms/items").json().as_array();
    for (const auto& item : items) {
      if (item.at("key").as_string() != content_key("demo", guid)) continue;
      const auto& versions = item.at("versions").as_array();
      return std::string(versions.at(versions.size() - 1).at("status").as_string());
    }
    return "";
  };
  ASSERT_TRUE(daemon.wait_for_stderr("poll cycle done", 60s));

  // Its time: 5 s ahead, whole seconds like the sample's "2025-07-24T11:00:00.000Z".
  const std::int64_t at = (sim_now() / 1000 + 5) * 1000;
  std::string ad_date = format_rfc3339_ms(at);
  ad_date.insert(ad_date.size() - 1, ".000");
  boost::json::object posted{
      {"guid", guid},
      {"title", "Timed story"},
      {"custom_fields", boost::json::array{boost::json::object{{"label", "Ad Date"},
                                                               {"values", boost::json::array{boost::json::string(ad_date)}}}}}};
  const auto added = sim.post(std::string("/_sim/feeds/") + kFeed + "/articles", boost::json::serialize(posted));
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string meta_url(added.json().at("content").at("meta_url").as_string());

  ASSERT_TRUE(eventually([&] { return item_status() == "scheduled"; }, 10s)) << item_status();
  ASSERT_LT(sim_now(), at) << "the machine is too slow: the time passed before the article was written";
  // Before its time: no link, while the daemon keeps polling.
  while (sim_now() < at - 100) {
    ASSERT_TRUE(records_of(guid).empty()) << "a link posted before the scheduled time";
    daemon.drain();
    std::this_thread::sleep_for(50ms);  // watching for a post that must not come, until the time
  }
  ASSERT_TRUE(eventually([&] { return !records_of(guid).empty(); }, 20s)) << sim.get("/_sim/canonical").body;
  const auto records = records_of(guid);
  ASSERT_EQ(records.size(), 1u);
  const auto posted_at = parse_rfc3339_ms(std::string(records[0].at("time").as_string()));
  ASSERT_TRUE(posted_at);
  EXPECT_GE(*posted_at, at) << "posted before the scheduled time";
  // The check looks kAfterScheduledTime (2 s) after the time; the interval is an hour.
  EXPECT_LT(*posted_at - at, 15'000) << "ms after the scheduled time";
  std::cout << "[ metric ] canonical link after the scheduled time: " << *posted_at - at << " ms\n";
  EXPECT_EQ(records[0].at("canonical_link").as_string(), "https://www.example.com/en" + meta_url);
  EXPECT_EQ(item_status(), "published");
  EXPECT_TRUE(daemon.wait_for_stderr("article published in the CMS since feedsync wrote it", 5s))
      << "the pending check found it, not a write of the relay";

  // The generated article's time is a day ahead: still nothing for it.
  const auto listing = sim.get(std::string("/_sim/feeds/") + kFeed + "/articles").json();
  const auto& articles = listing.at("articles").as_array();
  for (const auto& a : articles) {
    if (a.at("guid").as_string() == guid) continue;
    EXPECT_TRUE(records_of(std::string(a.at("guid").as_string())).empty());
  }
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30s).exit_status, 0);
}

}  // namespace
}  // namespace feedsync
