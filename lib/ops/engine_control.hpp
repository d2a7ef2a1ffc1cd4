#pragma once
// What the daemon's ops backend (daemon_backend.hpp) asks of the sync engine: admin actions
// schedule work on it, /readyz reads its CMS token state. lib/ops sits below lib/engine (DESIGN.md
// §2), so the engine is reached through this small interface; the daemon adapts SyncEngine to it
// and tests use a fake. Called on the event-loop thread; every member returns at once.

#include <optional>
#include <string>
#include <vector>

#include "ops/ops_backend.hpp"

namespace feedsync::ops {

// The CMS token source's state, as /readyz shows it (cms::TokenSource::status()).
struct CmsTokenStatus {
  bool auth_failed = false;  // the CMS rejected the credentials: writes wait for a fix
  std::string state;         // cms::to_string(state): "empty", "valid", "auth_failed"
  std::string reason;        // why it failed, when auth_failed
};

class EngineControl {
 public:
  virtual ~EngineControl() = default;
  // Polls the feed as soon as a slot is free (SyncEngine::trigger).
  virtual void trigger(const std::string& feed) = 0;
  // A webhook asks for a poll (SyncEngine::request_poll): coalesced, so a burst of requests
  // costs one poll per feed. False for a feed that is not configured.
  virtual bool request_poll(const std::string& feed) = 0;
  virtual void request_poll_all() = 0;
  // A CMS webhook reported a publish: the pending canonical check asks about the item with this
  // CMS key (32 lowercase hex) at once, or about every waiting article without one.
  virtual void check_published(const std::optional<std::string>& cms_key) = 0;
  // Operations were requeued: the relay looks at the queue now.
  virtual void wake_relay() = 0;
  virtual CmsTokenStatus token_status() const = 0;
  // The relay's write checks for /readyz ("cms_writes", "canonical_writes": write_readiness.hpp);
  // none by default.
  virtual std::vector<ReadinessCheck> write_checks() const { return {}; }
};

}  // namespace feedsync::ops
