#pragma once
// The configuration in force while the daemon runs, held in one place. The engine, the ops
// backend (readiness, metrics routing, admin actions) and the reload all read it from here, so
// none of them keeps a copy that could lag behind a reload.
//
// One writer: SyncEngine::reload publishes a new configuration once it has built the clients
// for it (a reload that fails before that leaves the old one in force). Read and written on the
// event-loop thread only. Readers that need the configuration across an await take a
// snapshot with get(): the pointer keeps that version alive after a reload replaces it.

#include <memory>
#include <stdexcept>

#include "config/config.hpp"

namespace feedsync::config {

class LiveConfig {
 public:
  // `initial` must be fully validated (load_config) and not null.
  explicit LiveConfig(std::shared_ptr<const Config> initial) : current_(std::move(initial)) {
    if (!current_) throw std::invalid_argument("LiveConfig: no configuration");
  }
  LiveConfig(const LiveConfig&) = delete;
  LiveConfig& operator=(const LiveConfig&) = delete;

  std::shared_ptr<const Config> get() const { return current_; }
  const Config& operator*() const { return *current_; }
  const Config* operator->() const { return current_.get(); }

  // Puts `next` in force (not null); readers see it from their next read on.
  void set(std::shared_ptr<const Config> next) {
    if (!next) throw std::invalid_argument("LiveConfig: no configuration");
    current_ = std::move(next);
  }

 private:
  std::shared_ptr<const Config> current_;
};

}  // namespace feedsync::config
