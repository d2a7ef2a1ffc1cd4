#include "engine/audit_rules.hpp"

#include <array>

namespace feedsync::engine {

namespace {

constexpr std::array<std::string_view, kAuditResultCount> kResultNames{"ok",     "missing",     "deleted",
                                                                       "edited", "unpublished", "moved"};

// The published version against the row's, for a present item in its container.
AuditResult judge_published(const store::ArticleRow& row, const CmsItemSeen& seen) {
  const bool ours = seen.published_version && seen.published_version == row.cms_version;
  if (row.cms_status == "published") {
    if (!seen.published_version) return AuditResult::unpublished;
    if (!ours) return AuditResult::edited;
    // Same version, other URL: the CMS re-derived or an editor changed it in place.
    if (seen.published_route_segment && row.route_segment && *seen.published_route_segment != *row.route_segment)
      return AuditResult::edited;
    return AuditResult::ok;
  }
  // Written as draft, ready, scheduled, in review...: not live is as written; ours published (by
  // an editor or its schedule) is fine; someone else's version live is an edit.
  if (seen.published_version && !ours) return AuditResult::edited;
  return AuditResult::ok;
}

}  // namespace

std::string_view to_string(AuditResult result) { return kResultNames[static_cast<std::size_t>(result)]; }

bool audited(const store::ArticleRow& row) {
  return row.status == store::ArticleStatus::active && row.cms_version.has_value() && !row.cms_version->empty();
}

AuditResult judge(const store::ArticleRow& row, std::string_view container, const CmsItemSeen& seen) {
  switch (seen.presence) {
    case CmsItemSeen::Presence::absent: return AuditResult::missing;
    case CmsItemSeen::Presence::deleted: return AuditResult::deleted;
    case CmsItemSeen::Presence::present: break;
  }
  if (seen.container != container) return AuditResult::moved;
  return judge_published(row, seen);
}

std::string_view to_string(RepairAction action) {
  switch (action) {
    case RepairAction::none: return "none";
    case RepairAction::rewrite: return "rewrite";
    case RepairAction::undelete: return "undelete";
    case RepairAction::move_back: return "move-back";
  }
  return "none";
}

RepairAction repair_action(AuditResult result, config::OnCmsEdit on_cms_edit) {
  switch (result) {
    case AuditResult::ok: return RepairAction::none;
    case AuditResult::missing: return RepairAction::rewrite;
    case AuditResult::deleted: return RepairAction::undelete;
    case AuditResult::unpublished: return RepairAction::rewrite;
    case AuditResult::moved: return RepairAction::move_back;
    case AuditResult::edited:
      return on_cms_edit == config::OnCmsEdit::overwrite ? RepairAction::rewrite : RepairAction::none;
  }
  return RepairAction::none;
}

bool document_matches(const ArticleDocument& document, const boost::json::object& stored) {
  for (const auto& [name, value] : document.properties) {
    const auto* held = stored.if_contains(name);
    if (value.is_null()) {
      if (held && !held->is_null()) return false;
      continue;
    }
    if (!held) return false;
    if (*held == value) continue;
    const auto* box = held->if_object();
    const auto* html = box && document.is_rich_text(name) ? box->if_contains("html") : nullptr;
    if (!html || *html != value) return false;
  }
  return true;
}

std::int64_t AuditTally::drift() const {
  std::int64_t total = orphans;
  for (std::size_t i = 1; i < kAuditResultCount; ++i) total += counts[i];
  return total;
}

}  // namespace feedsync::engine
