#include "engine/cycle_report.hpp"

namespace feedsync::engine {

std::string_view to_string(ChangeAction action) {
  switch (action) {
    case ChangeAction::create: return "create";
    case ChangeAction::update: return "update";
    case ChangeAction::undelete: return "undelete";
    case ChangeAction::delete_: return "delete";
    case ChangeAction::held_delete: return "held-delete";
    case ChangeAction::mapping_error: return "mapping-error";
    case ChangeAction::shared: return "shared";
    case ChangeAction::move: return "move";
    case ChangeAction::held_move: return "held-move";
  }
  return "?";
}

void report_plan(CycleReport& report, const std::vector<DecidedArticle>& content,
                 const std::vector<DeletedArticle>& deletes, std::size_t held_deletes, const std::string& held_reason) {
  for (const auto& d : content) {
    ChangeAction listed = ChangeAction::create;
    switch (d.action) {
      case ContentAction::create: ++report.created; listed = ChangeAction::create; break;
      case ContentAction::update: ++report.updated; listed = ChangeAction::update; break;
      case ContentAction::undelete: ++report.undeleted; listed = ChangeAction::undelete; break;
      case ContentAction::touch: ++report.touched; continue;
    }
    report.changes.push_back({listed, d.guid, d.title, d.cms_key,
                              d.action == ContentAction::create ? "new in the feed" : "changed in the feed"});
  }
  for (const auto& d : deletes) {
    ++report.deleted;
    report.changes.push_back({ChangeAction::delete_, d.guid, d.title, d.cms_key, to_string(d.reason)});
  }
  report.held_deletes = held_deletes;
  report.held_reason = held_reason;
  if (held_deletes > 0) {
    report.changes.push_back({ChangeAction::held_delete, "", "", "",
                              std::to_string(held_deletes) + " deletions held: " + held_reason});
  }
}

void report_move(CycleReport& report, const std::string& guid, const std::string& title, const std::string& new_key,
                 const std::string& old_key, bool held) {
  const std::string reason = "from item " + old_key + " (translations switched); " +
                             (held ? "held: the item it leaves would be deleted, confirm with feedsyncd approve-deletes"
                                   : "the item it leaves is deleted once it is written");
  if (held) {
    ++report.held_moves;
    report.changes.push_back({ChangeAction::held_move, guid, title, new_key, reason});
    return;
  }
  for (auto& change : report.changes) {
    if (change.guid == guid && change.action == ChangeAction::update) {
      change.action = ChangeAction::move;
      change.reason = reason;
      return;
    }
  }
}

void report_mapping_error(CycleReport& report, const std::string& guid, const std::string& message) {
  ++report.mapping_errors;
  report.changes.push_back({ChangeAction::mapping_error, guid, "", "", message});
}

void report_owned_elsewhere(CycleReport& report, const std::string& guid, const std::string& owner) {
  ++report.shared;
  report.changes.push_back({ChangeAction::shared, guid, "", "", "also in feed " + owner + ", which owns its CMS item"});
}

void report_taken_meanwhile(CycleReport& report, const std::string& guid, const std::string& owner) {
  --report.created;
  ++report.shared;
  for (auto& change : report.changes) {
    if (change.action == ChangeAction::create && change.guid == guid) {
      change = {ChangeAction::shared, guid, "", "", "also in feed " + owner + ", which took its CMS item meanwhile"};
      return;
    }
  }
}

}  // namespace feedsync::engine
