#include "engine/periodic_audit.hpp"

#include <set>

#include "log/log.hpp"
#include "store/store.hpp"

namespace feedsync::engine {
namespace asio = boost::asio;

PeriodicAudit::PeriodicAudit(asio::any_io_executor executor, store::Store& store,
                             std::shared_ptr<const config::Config> config, std::unique_ptr<cms::CmsDialect> dialect,
                             cms::CmsTransport transport, net::TimeSystem& time, Observer observer)
    : store_(store),
      config_(std::move(config)),
      dialect_(std::move(dialect)),
      transport_(std::move(transport)),
      reader_(*dialect_, transport_),
      clock_(time),
      observer_(std::move(observer)),
      timer_(time.make_timer(executor)) {}

void PeriodicAudit::stop() {
  stopping_ = true;
  timer_->cancel();
}

asio::awaitable<std::vector<FeedAudit>> PeriodicAudit::audit_all() {
  std::set<std::string> known_keys;
  for (const auto& feed : config_->feeds)
    for (const auto& row : store_.articles(feed.name)) known_keys.insert(row.cms_key);
  std::vector<FeedAudit> audits;
  for (const auto& feed : config_->feeds) {
    if (stopping_) break;
    store_.ensure_feed(feed.name, feed.feed_id);
    // GCC 12: no temporaries inside a co_await full-expression (DESIGN.md §3).
    auto rows = store_.articles(feed.name);
    AuditProgress no_progress;
    auto audit = co_await audit_feed(feed, std::move(rows), known_keys, reader_, std::move(no_progress));
    log::info("audit done", {{"feed", feed.name},
                             {"ok", std::to_string(audit.tally.of(AuditResult::ok))},
                             {"drift", std::to_string(audit.tally.drift())},
                             {"error", audit.error.value_or("")}});
    audits.push_back(std::move(audit));
  }
  co_return audits;
}

asio::awaitable<void> PeriodicAudit::run() {
  const auto interval = config_->engine.audit_interval;
  if (interval <= Duration::zero()) co_return;
  while (!stopping_) {
    co_await timer_->wait_for(interval);
    if (stopping_) break;
    try {
      auto audits = co_await audit_all();
      if (!stopping_ && observer_) observer_(audits);
    } catch (const std::exception& e) {  // the store failed: try again next round
      log::error("periodic audit failed", {{"error", e.what()}});
    }
  }
}

}  // namespace feedsync::engine
