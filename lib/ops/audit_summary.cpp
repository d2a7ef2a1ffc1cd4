#include "ops/audit_summary.hpp"

namespace feedsync::ops {

namespace {

std::int64_t count_of(const AuditSummary& summary, const char* result) {
  const auto it = summary.counts.find(result);
  return it == summary.counts.end() ? 0 : it->second;
}

}  // namespace

ReadinessCheck audit_readiness(const std::string& feed, const AuditSummary* last) {
  ReadinessCheck check{"audit:" + feed, true, "no audit yet"};
  if (!last) return check;
  if (last->error) {
    check.detail = "last audit incomplete: " + *last->error;
    return check;
  }
  const std::int64_t missing = count_of(*last, "missing");
  const std::int64_t deleted = count_of(*last, "deleted");
  if (missing + deleted > 0) {
    check.ok = false;
    check.detail = std::to_string(missing) + " missing, " + std::to_string(deleted) +
                   " deleted in the CMS; feedsyncd audit --feed " + feed + " --repair restores them";
    return check;
  }
  std::int64_t drift = count_of(*last, "orphans");
  for (const char* result : {"edited", "unpublished", "moved"}) drift += count_of(*last, result);
  check.detail = std::to_string(count_of(*last, "ok")) + " ok" +
                 (drift > 0 ? ", " + std::to_string(drift) + " other drift (feedsyncd audit)" : std::string());
  return check;
}

}  // namespace feedsync::ops
