#pragma once
// The daemon's periodic drift audit (issue 22, engine.audit_interval): every interval, each
// configured feed is audited as `feedsyncd audit` does (engine/audit.hpp: paged reads through
// the CMS HTTP stack, so within cms.rate_limit), and the results go to an observer (metrics,
// /readyz). It never repairs. Runs beside the relay on the engine's TimeSystem and stops with it
// (and on reload, when a new one starts over the new clients and configuration).

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "cms/audit_reader.hpp"
#include "config/config.hpp"
#include "engine/audit.hpp"
#include "net/time_system.hpp"

namespace feedsync::store { class Store; }

namespace feedsync::engine {

class PeriodicAudit {
 public:
  using Observer = std::function<void(const std::vector<FeedAudit>&)>;
  // `reader` (over the relay's clients), the store, the configuration and the time system must
  // outlive this object. The first audit runs one interval after run() starts.
  PeriodicAudit(boost::asio::any_io_executor executor, store::Store& store, std::shared_ptr<const config::Config> config,
                std::unique_ptr<cms::CmsDialect> dialect, cms::CmsTransport transport, net::TimeSystem& time,
                Observer observer);
  PeriodicAudit(const PeriodicAudit&) = delete;
  PeriodicAudit& operator=(const PeriodicAudit&) = delete;

  // Audits until stop(); returns at once when engine.audit_interval is 0.
  boost::asio::awaitable<void> run();
  void stop();
  // One round over every configured feed.
  boost::asio::awaitable<std::vector<FeedAudit>> audit_all();

 private:
  store::Store& store_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<cms::CmsDialect> dialect_;
  cms::CmsTransport transport_;
  cms::AuditReader reader_;
  net::TimeSystem& clock_;
  Observer observer_;
  std::unique_ptr<net::Timer> timer_;
  bool stopping_ = false;
};

}  // namespace feedsync::engine
