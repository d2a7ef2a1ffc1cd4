#include "store/rows.hpp"

namespace feedsync::store {

std::string_view to_string(OpKind kind) {
  switch (kind) {
    case OpKind::upsert: return "upsert";
    case OpKind::delete_: return "delete";
    case OpKind::undelete: return "undelete";
    case OpKind::canonical: return "canonical";
  }
  return "unknown";
}

std::string_view to_string(OpState state) {
  switch (state) {
    case OpState::pending: return "pending";
    case OpState::inflight: return "inflight";
    case OpState::dead: return "dead";
  }
  return "unknown";
}

std::string_view to_string(ArticleStatus status) {
  switch (status) {
    case ArticleStatus::active: return "active";
    case ArticleStatus::deleted: return "deleted";
  }
  return "unknown";
}

std::string_view to_string(JournalAction action) {
  switch (action) {
    case JournalAction::delete_planned: return "delete-planned";
    case JournalAction::deletes_held: return "deletes-held";
    case JournalAction::created: return "created";
    case JournalAction::updated: return "updated";
    case JournalAction::undeleted: return "undeleted";
    case JournalAction::deleted: return "deleted";
    case JournalAction::purged: return "purged";
    case JournalAction::canonical_posted: return "canonical-posted";
    case JournalAction::canonical_skipped: return "canonical-skipped";
    case JournalAction::dead_lettered: return "dead-lettered";
    case JournalAction::cms_edit_kept: return "cms-edit-kept";
    case JournalAction::cms_edit_overwritten: return "cms-edit-overwritten";
  }
  return "unknown";
}

std::optional<OpKind> parse_op_kind(std::string_view text) {
  for (auto kind : {OpKind::upsert, OpKind::delete_, OpKind::undelete, OpKind::canonical}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

std::optional<OpState> parse_op_state(std::string_view text) {
  for (auto state : {OpState::pending, OpState::inflight, OpState::dead}) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

std::optional<ArticleStatus> parse_article_status(std::string_view text) {
  for (auto status : {ArticleStatus::active, ArticleStatus::deleted}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace feedsync::store
