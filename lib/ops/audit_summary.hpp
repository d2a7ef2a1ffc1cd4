#pragma once
// The last periodic drift audit per feed (issue 22, engine.audit_interval), as lib/ops sees it:
// the engine's FeedAudit translated by the daemon (ops does not know the engine). Metrics
// (feedsync_audit_articles{feed,result}) and the /readyz check "audit:NAME" read it. Pure.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ops/ops_backend.hpp"

namespace feedsync::ops {

struct AuditSummary {
  std::string feed;
  // Articles per result ("ok", "missing", "deleted", "edited", "unpublished", "moved") and
  // "orphans".
  std::map<std::string, std::int64_t> counts;
  std::optional<std::string> error;  // the audit did not finish
  std::int64_t at_ms = 0;            // when it finished
};

// "audit:NAME": fails while the last audit found items missing or deleted in the CMS (the
// periodic audit never repairs: articles the CMS should show are gone); edits, unpublished and
// moved items and orphans are drift to look at, not a reason to take the instance out of
// rotation. Ok when no audit ran yet, and when it could not finish (the detail says why).
ReadinessCheck audit_readiness(const std::string& feed, const AuditSummary* last);

}  // namespace feedsync::ops
