// The Grafana dashboard shipped in the package (packaging/grafana/feedsync-dashboard.json, issue
// 20) over a live daemon: every metric its queries name is in a scrape of a feedsyncd that synced
// against feedsync-sim, it covers what the issue asks for (per feed last success and lag, the
// outbox, dead letters, request rates by status, 429s, token refreshes, held deletes), and every
// query is valid PromQL (promtool, when installed). A metric renamed in lib/ops, or a typo in the
// dashboard, fails here instead of leaving an empty panel in production.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/eventually.hpp"
#include "support/process.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

namespace feedsync {
namespace {

using namespace std::chrono_literals;

const std::string kDashboard = std::string(FEEDSYNC_SOURCE_DIR) + "/packaging/grafana/feedsync-dashboard.json";

boost::json::value read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());  // throws (and fails the test) if it is not JSON
}

// Every PromQL query of the dashboard: the panels' targets (rows nest panels) and the template
// variables' queries.
void collect_queries(const boost::json::value& node, std::vector<std::string>& out) {
  if (const auto* object = node.if_object()) {
    for (const auto& [key, value] : *object) {
      if ((key == "expr" || key == "definition") && value.is_string()) {
        out.emplace_back(value.as_string());
      } else {
        collect_queries(value, out);
      }
    }
  } else if (const auto* array = node.if_array()) {
    for (const auto& item : *array) collect_queries(item, out);
  }
}

std::vector<std::string> dashboard_queries(const boost::json::value& dashboard) {
  std::vector<std::string> queries;
  collect_queries(dashboard, queries);
  return queries;
}

std::set<std::string> metric_names(const std::vector<std::string>& queries) {
  static const std::regex name("feedsync_[A-Za-z0-9_:]+");
  std::set<std::string> names;
  for (const auto& query : queries) {
    for (std::sregex_iterator it(query.begin(), query.end(), name), end; it != end; ++it) names.insert(it->str());
  }
  return names;
}

// The sample names of a Prometheus text scrape (histograms give NAME_bucket, _sum and _count).
std::set<std::string> sample_names(const std::string& scrape) {
  std::set<std::string> names;
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

// A query as Prometheus would get it from Grafana: the dashboard's variables filled in.
std::string expand_variables(std::string query) {
  query = std::regex_replace(query, std::regex(R"(\$__rate_interval)"), "5m");
  return std::regex_replace(query, std::regex(R"(\$[a-z_]+)"), ".*");
}

class DashboardMetrics : public ::testing::Test {
 protected:
  DashboardMetrics() : sim_({"--generate", "8", "--seed", "5"}) {
    const auto config = dir_.write("feedsync.yaml", testing::demo_config());
    daemon_.emplace(FEEDSYNC_DAEMON_BIN, std::vector<std::string>{"run", "--config", config.string()},
                    std::map<std::string, std::string>{{"SIM_URL", sim_.base_url()},
                                                       {"FEEDSYNC_STATE", (dir_ / "state.db").string()},
                                                       {"CMS_CLIENT_SECRET", "sim-secret"}});
  }

  // A scrape after the first poll and its CMS writes: every family has its series by then.
  std::string scrape_after_sync() {
    EXPECT_TRUE(daemon_->wait_for_stderr("poll cycle done", 60s));
    std::smatch port;
    const auto err = daemon_->stderr_text();
    EXPECT_TRUE(std::regex_search(err, port, std::regex("http=127\\.0\\.0\\.1:([0-9]+)")));
    const auto base = "http://127.0.0.1:" + port[1].str();
    testing::eventually([&] { return sim_.get("/_sim/check").json().at("ok").as_bool(); }, 30s,
                        [this] { daemon_->drain(); }, 50ms);
    const auto metrics = testing::http_request("GET", base + "/metrics");
    EXPECT_EQ(metrics.status, 200);
    return metrics.body;
  }

  testing::TempDir dir_;
  testing::SimProcess sim_;
  std::optional<testing::Process> daemon_;
};

TEST_F(DashboardMetrics, EveryMetricTheDashboardNamesIsInALiveScrape) {
  const auto queries = dashboard_queries(read_json(kDashboard));
  ASSERT_GE(queries.size(), 20u) << "the dashboard's queries were not found: is it still Grafana JSON?";
  const auto referenced = metric_names(queries);

  const auto scraped = sample_names(scrape_after_sync());
  for (const auto& name : referenced) {
    EXPECT_TRUE(scraped.count(name)) << "the dashboard queries " << name << ", which the daemon does not export";
  }
}

TEST(Dashboard, CoversWhatAnOperatorWatches) {
  const auto queries = dashboard_queries(read_json(kDashboard));
  const auto referenced = metric_names(queries);
  for (const char* name : {"feedsync_feed_last_success_timestamp_seconds", "feedsync_outbox_pending",
                           "feedsync_outbox_oldest_pending_age_seconds", "feedsync_dead_letters",
                           "feedsync_http_requests_total", "feedsync_http_429_total", "feedsync_token_refreshes_total",
                           "feedsync_deletes_held", "feedsync_feed_consecutive_failures", "feedsync_polls_total"}) {
    EXPECT_TRUE(referenced.count(name)) << "no panel shows " << name;
  }
  // Request rates by status, for the CMS and the Feed API each.
  const auto by_status = [&](const std::string& api) {
    return std::any_of(queries.begin(), queries.end(), [&](const std::string& q) {
      return q.find("feedsync_http_requests_total{") != std::string::npos &&
             q.find("api=\"" + api + "\"") != std::string::npos && q.find("status") != std::string::npos;
    });
  };
  EXPECT_TRUE(by_status("cms"));
  EXPECT_TRUE(by_status("feed"));
}

TEST(Dashboard, EveryPanelUsesTheDataSourceVariableAndEveryQueryIsPromQL) {
  const auto dashboard = read_json(kDashboard);
  std::set<std::int64_t> ids;
  for (const auto& panel : dashboard.at("panels").as_array()) {
    const auto id = panel.at("id").as_int64();
    EXPECT_TRUE(ids.insert(id).second) << "panel id " << id << " twice";
    if (panel.at("type").as_string() == "row") continue;
    EXPECT_EQ(panel.at("datasource").at("uid").as_string(), "${datasource}") << "panel " << id;
    EXPECT_FALSE(panel.at("targets").as_array().empty()) << "panel " << id;
  }
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool not installed";
  // promtool parses a rule's expression: one recording rule per query.
  const auto queries = dashboard_queries(dashboard);
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::string query = expand_variables(queries[i]);
    if (query.rfind("label_values(", 0) == 0) continue;  // Grafana's own function, not PromQL
    rules += "      - record: dashboard:query" + std::to_string(i) + "\n        expr: '" +
             std::regex_replace(query, std::regex("'"), "''") + "'\n";
  }
  testing::TempDir dir;
  const auto file = dir.write("dashboard-rules.yml", rules);
  EXPECT_EQ(std::system(("promtool check rules " + file.string()).c_str()), 0) << rules;
}

}  // namespace
}  // namespace feedsync
