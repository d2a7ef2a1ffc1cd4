#include "engine/pending_canonical_rules.hpp"

#include <algorithm>

namespace feedsync::engine {

const std::vector<std::string_view>& pending_cms_statuses() {
  static const std::vector<std::string_view> statuses = {
      cms::to_string(cms::WriteStatus::draft), cms::to_string(cms::WriteStatus::ready),
      cms::to_string(cms::WriteStatus::in_review), cms::to_string(cms::WriteStatus::scheduled)};
  return statuses;
}

bool awaits_publication(const store::ArticleRow& row) {
  if (row.status != store::ArticleStatus::active || !row.pixel_key || !row.cms_status) return false;
  const auto& pending = pending_cms_statuses();
  return std::find(pending.begin(), pending.end(), *row.cms_status) != pending.end();
}

namespace {
std::optional<std::int64_t> scheduled_look(const CheckState& state) {
  if (!state.publish_at) return std::nullopt;
  return *state.publish_at + kAfterScheduledTime.count();
}
}  // namespace

bool check_due(const CheckState& state, std::int64_t now, std::chrono::milliseconds interval) {
  if (!state.last_checked) return true;
  if (now - *state.last_checked >= interval.count()) return true;
  const auto scheduled = scheduled_look(state);
  return scheduled && *scheduled <= now && *state.last_checked < *scheduled;
}

std::optional<std::int64_t> next_check_at(const std::vector<CheckState>& states, std::chrono::milliseconds interval) {
  std::optional<std::int64_t> next;
  for (const auto& state : states) {
    std::int64_t at = state.last_checked ? *state.last_checked + interval.count() : 0;
    const auto scheduled = scheduled_look(state);
    if (scheduled && state.last_checked && *state.last_checked < *scheduled) at = std::min(at, *scheduled);
    if (!next || at < *next) next = at;
  }
  return next;
}

AfterUpsert after_published_check(std::optional<store::ArticleRow> row,
                                  const std::optional<PublishedVersion>& published, cms::CanonicalVars link,
                                  const CanonicalRule& rule, std::int64_t now) {
  if (!published || !row || !awaits_publication(*row)) return {};
  cms::WriteOutcome outcome;
  outcome.key = row->cms_key;
  outcome.version = published->version;
  outcome.route_segment = published->route_segment;
  outcome.status = cms::WriteStatus::published;
  return after_upsert(std::move(row), outcome, std::move(link), rule, now);
}

}  // namespace feedsync::engine
