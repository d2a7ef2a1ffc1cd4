#include "ops/status.hpp"

#include <algorithm>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "config/config.hpp"
#include "core/time.hpp"
#include "ops/engine_metrics.hpp"
#include "store/store.hpp"

namespace feedsync::ops {
namespace {

// A feed is stale when it has not succeeded within this many intervals: the same rule /readyz
// applies (DESIGN.md §7).
constexpr std::int64_t kStaleIntervals = 3;

std::string classify(const FeedStatus& feed, std::int64_t now) {
  if (!feed.configured) return "not-configured";
  if (!feed.row) return "never-polled";
  const auto& row = *feed.row;
  if (row.misconfigured) return "misconfigured";
  if (row.held_deletes > 0) return "deletes-held";
  if (row.paused) return "paused";
  if (!row.last_success_at && !row.last_failure_at) return "never-polled";
  if (row.consecutive_failures > 0) return "failing";
  if (row.deleted_failures > 0) return "deleted-feed-failing";  // live sync goes on (issue 17)
  if (feed.interval && row.last_success_at &&
      now - *row.last_success_at > kStaleIntervals * feed.interval->count())
    return "stale";
  return "ok";
}

std::string when(const std::optional<std::int64_t>& at, std::int64_t now) {
  if (!at) return "-";
  const std::int64_t age = std::max<std::int64_t>(0, now - *at);
  // Whole seconds are enough for people reading a table.
  return format_rfc3339_ms(*at / 1000 * 1000) + " (" +
         format_duration(Duration(age / 1000 * 1000)) + " ago)";
}

boost::json::value json_time(const std::optional<std::int64_t>& at) {
  if (!at) return nullptr;
  return boost::json::string(format_rfc3339_ms(*at));
}

boost::json::value json_text(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::string(*text);
}

// Seconds as an integer when whole (Boost.JSON writes 60.0 as "6E1", which people misread).
boost::json::value json_seconds(std::optional<std::int64_t> ms) {
  if (!ms) return nullptr;
  if (*ms % 1000 == 0) return *ms / 1000;
  return static_cast<double>(*ms) / 1000.0;
}

boost::json::object json_counts(const store::OpCounts& counts) {
  return {{"pending", counts.pending}, {"inflight", counts.inflight}, {"dead", counts.dead}};
}

std::map<std::string, std::int64_t, std::less<>> not_published(const store::Store& store, const std::string& feed) {
  const std::vector<std::string_view> statuses(std::begin(kNotPublishedCmsStatuses), std::end(kNotPublishedCmsStatuses));
  std::map<std::string, std::int64_t, std::less<>> counts;
  for (const auto& c : store.cms_status_counts(statuses, feed)) counts[c.cms_status] += c.articles;
  return counts;
}

// "1 draft, 3 inReview (waiting for approval)"; "" when every count is 0.
std::string not_published_text(const std::map<std::string, std::int64_t, std::less<>>& counts) {
  std::string text;
  for (const auto status : kNotPublishedCmsStatuses) {
    const auto it = counts.find(status);
    if (it == counts.end() || it->second == 0) continue;
    text += (text.empty() ? "" : ", ") + std::to_string(it->second) + " " + std::string(status);
    if (status == "inReview") text += " (waiting for approval)";
  }
  return text;
}

// By feed; empty when canonical links are off or there is no database.
std::map<std::string, store::AwaitingPublication, std::less<>> awaiting_canonical(const config::Config& config,
                                                                                  const store::Store* store) {
  std::map<std::string, store::AwaitingPublication, std::less<>> by_feed;
  if (!store || !config.canonical.enabled) return by_feed;
  const std::vector<std::string_view> statuses(std::begin(kAwaitingCanonicalCmsStatuses),
                                               std::end(kAwaitingCanonicalCmsStatuses));
  for (auto& waiting : store->awaiting_publication(statuses)) by_feed.emplace(waiting.feed, std::move(waiting));
  return by_feed;
}

void pad(std::ostringstream& out, const std::string& text, std::size_t width) {
  out << text;
  out << std::string(text.size() < width ? width - text.size() : 0, ' ') << "  ";
}

}  // namespace

StatusReport build_status(const config::Config& config, const store::Store* store,
                          std::int64_t now_ms) {
  StatusReport report;
  report.generated_at = now_ms;
  report.state_path = config.state.path.string();
  report.database_exists = store != nullptr;
  if (store) report.schema_version = store->schema_version();

  std::vector<store::FeedRow> rows = store ? store->feeds() : std::vector<store::FeedRow>{};
  auto take_row = [&rows](const std::string& name) -> std::optional<store::FeedRow> {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.name == name; });
    if (it == rows.end()) return std::nullopt;
    store::FeedRow row = std::move(*it);
    rows.erase(it);
    return row;
  };
  const auto awaiting = awaiting_canonical(config, store);
  auto fill = [&](FeedStatus& feed) {
    if (store && feed.row) {
      feed.articles = store->article_counts(feed.name);
      feed.not_published = not_published(*store, feed.name);
      feed.cms_edits_kept = store->cms_edits_kept(feed.name);
      feed.outbox = store->outbox_stats(feed.name);
      if (const auto it = awaiting.find(feed.name); it != awaiting.end()) {
        feed.awaiting_canonical = it->second.articles;
        feed.awaiting_canonical_age_ms = std::max<std::int64_t>(0, now_ms - it->second.oldest_updated_at);
      }
      if (feed.outbox.oldest_pending_created_at)
        feed.lag_ms = std::max<std::int64_t>(0, now_ms - *feed.outbox.oldest_pending_created_at);
    }
    feed.state = classify(feed, now_ms);
  };

  for (const auto& configured : config.feeds) {
    FeedStatus feed;
    feed.name = configured.name;
    feed.feed_id = configured.feed_id;
    feed.interval = configured.interval;
    feed.row = take_row(configured.name);
    fill(feed);
    report.feeds.push_back(std::move(feed));
  }
  for (auto& row : rows) {  // state left behind by feeds since removed from the configuration
    FeedStatus feed;
    feed.name = row.name;
    feed.feed_id = row.feed_id;
    feed.configured = false;
    feed.row = std::move(row);
    fill(feed);
    report.feeds.push_back(std::move(feed));
  }
  if (store) report.dead_letters = store->dead_letters();
  return report;
}

std::string render_status_text(const StatusReport& report) {
  std::ostringstream out;
  const std::int64_t now = report.generated_at;
  out << "state database " << report.state_path;
  if (report.database_exists) {
    out << " (schema " << report.schema_version << ")\n";
  } else {
    out << " (does not exist yet: the daemon has not run)\n";
  }
  const std::vector<std::string> header = {"FEED", "STATE", "LAST SUCCESS", "FAILURES",
                                           "ARTICLES", "PENDING", "DEAD", "LAG"};
  std::vector<std::vector<std::string>> table = {header};
  for (const auto& feed : report.feeds) {
    const auto& row = feed.row;
    std::string last_success =
        feed.state == "never-polled" ? "never polled" : when(row ? row->last_success_at : std::nullopt, now);
    table.push_back({feed.name, feed.state, last_success,
                     std::to_string(row ? row->consecutive_failures : 0),
                     std::to_string(feed.articles.active), std::to_string(feed.outbox.total.pending),
                     std::to_string(feed.outbox.total.dead),
                     feed.lag_ms ? format_duration(Duration(*feed.lag_ms / 1000 * 1000)) : "-"});
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& line : table)
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  for (const auto& line : table) {
    std::ostringstream row;
    for (std::size_t i = 0; i < line.size(); ++i) pad(row, line[i], i + 1 < line.size() ? widths[i] : 0);
    std::string text = row.str();
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << "\n";
  }
  for (const auto& feed : report.feeds) {
    if (!feed.row) continue;
    const auto& row = *feed.row;
    if (row.misconfigured) out << feed.name << ": misconfigured: " << *row.misconfigured << "\n";
    if (row.held_deletes > 0)
      out << feed.name << ": " << row.held_deletes << " deletions held ("
          << row.held_reason.value_or("mass-delete guard")
          << "); confirm with: feedsyncd approve-deletes " << feed.name << "\n";
    if (row.last_error && row.consecutive_failures > 0)
      out << feed.name << ": last error (" << when(row.last_failure_at, now)
          << "): " << *row.last_error << "\n";
    if (row.deleted_error && row.deleted_failures > 0)
      out << feed.name << ": Deleted Feed failing (" << row.deleted_failures << " in a row, last "
          << when(row.deleted_failed_at, now) << "): " << *row.deleted_error
          << "; the live feed syncs on, its deletions wait\n";
    if (const auto waiting = not_published_text(feed.not_published); !waiting.empty())
      out << feed.name << ": not published in the CMS: " << waiting << "\n";
    if (feed.awaiting_canonical > 0)
      out << feed.name << ": waiting for their canonical link: " << feed.awaiting_canonical << " articles, oldest "
          << format_duration(Duration(feed.awaiting_canonical_age_ms.value_or(0) / 1000 * 1000)) << "\n";
    if (feed.cms_edits_kept > 0)
      out << feed.name << ": editors' versions kept live (cms.on_cms_edit: keep): " << feed.cms_edits_kept
          << " articles; CMP changes to them are not written (feedsyncd resync " << feed.name << " GUID writes one)\n";
    if (!feed.configured)
      out << feed.name << ": in the state database but not in the configuration\n";
  }
  if (!report.dead_letters.empty()) {
    out << "dead letters (" << report.dead_letters.size()
        << "; retry with: feedsyncd retry [FEED] [--guid G]):\n";
    for (const auto& op : report.dead_letters) {
      out << "  " << op.feed << " " << op.guid << " " << store::to_string(op.op) << " after "
          << op.attempts << " attempts: " << op.last_error.value_or("(no error recorded)") << "\n";
    }
  }
  return out.str();
}

std::string render_status_json(const StatusReport& report) {
  boost::json::array feeds;
  for (const auto& feed : report.feeds) {
    const auto& row = feed.row;
    boost::json::object by_op;
    for (std::size_t i = 0; i < store::kOpKindCount; ++i)
      by_op[store::to_string(static_cast<store::OpKind>(i))] = json_counts(feed.outbox.by_op[i]);
    boost::json::object cms_status;  // every status, so a reader need not know which may be absent
    for (const auto status : kNotPublishedCmsStatuses) {
      const auto it = feed.not_published.find(status);
      cms_status[status] = it == feed.not_published.end() ? 0 : it->second;
    }
    boost::json::object entry{
        {"name", feed.name},
        {"feed_id", feed.feed_id},
        {"configured", feed.configured},
        {"state", feed.state},
        {"interval_seconds",
         json_seconds(feed.interval ? std::optional<std::int64_t>(feed.interval->count()) : std::nullopt)},
        {"last_attempt_at", json_time(row ? row->last_attempt_at : std::nullopt)},
        {"last_success_at", json_time(row ? row->last_success_at : std::nullopt)},
        {"last_failure_at", json_time(row ? row->last_failure_at : std::nullopt)},
        {"last_full_scan_at", json_time(row ? row->last_full_scan_at : std::nullopt)},
        {"watermark", json_time(row ? row->watermark : std::nullopt)},
        {"consecutive_failures", row ? row->consecutive_failures : 0},
        {"last_error", json_text(row ? row->last_error : std::nullopt)},
        {"paused", row ? row->paused : false},
        {"held_deletes", row ? row->held_deletes : 0},
        {"held_reason", json_text(row ? row->held_reason : std::nullopt)},
        {"misconfigured", json_text(row ? row->misconfigured : std::nullopt)},
        {"deleted_feed_failures", row ? row->deleted_failures : 0},
        {"deleted_feed_error", json_text(row && row->deleted_failures > 0 ? row->deleted_error : std::nullopt)},
        {"deleted_feed_last_read", json_time(row ? row->deleted_read_at : std::nullopt)},
        {"articles", {{"active", feed.articles.active}, {"deleted", feed.articles.deleted}, {"cms_status", cms_status}}},
        {"outbox", {{"total", json_counts(feed.outbox.total)}, {"by_op", std::move(by_op)}}},
        {"lag_seconds", json_seconds(feed.lag_ms)},
        {"canonical_pending",
         {{"articles", feed.awaiting_canonical}, {"oldest_age_seconds", json_seconds(feed.awaiting_canonical_age_ms)}}},
        {"cms_edits_kept", feed.cms_edits_kept},
    };
    feeds.push_back(std::move(entry));
  }
  boost::json::array dead;
  for (const auto& op : report.dead_letters) {
    dead.push_back(boost::json::object{{"id", op.id},
                                       {"feed", op.feed},
                                       {"guid", op.guid},
                                       {"op", store::to_string(op.op)},
                                       {"attempts", op.attempts},
                                       {"error", json_text(op.last_error)},
                                       {"since", json_time(op.updated_at)}});
  }
  boost::json::object root{{"generated_at", format_rfc3339_ms(report.generated_at)},
                           {"state_path", report.state_path},
                           {"database_exists", report.database_exists},
                           {"schema_version", report.schema_version},
                           {"feeds", std::move(feeds)},
                           {"dead_letters", std::move(dead)}};
  return boost::json::serialize(root) + "\n";
}

}  // namespace feedsync::ops
