#include "engine/relay_rules.hpp"

#include <utility>

#include "cms/route_segment.hpp"

namespace feedsync::engine {

std::string_view to_string(RelayResult result) {
  switch (result) {
    case RelayResult::success: return "success";
    case RelayResult::retry: return "retry";
    case RelayResult::dead_letter: return "dead_letter";
    case RelayResult::auth: return "auth";
  }
  return "unknown";
}

void choose_route_segment(ArticleDocument& document, const std::optional<std::string>& stored, bool known,
                          config::RouteSegmentMode mode) {
  if (!known || !stored || !document.route_segment) return;
  const bool keep = mode == config::RouteSegmentMode::keep ||
                    *stored == cms::deduplicated_route_segment(*document.route_segment, document.key);
  if (keep) document.route_segment = *stored;
}

store::JournalAction upsert_action(bool undelete, bool created) {
  if (undelete) return store::JournalAction::undeleted;
  return created ? store::JournalAction::created : store::JournalAction::updated;
}

cms::CanonicalVars canonical_vars(std::string locale, std::string key, std::string guid,
                                  const std::optional<std::string>& meta_url) {
  return cms::CanonicalVars{std::move(locale), "", std::move(key), std::move(guid), meta_url.value_or("")};
}

AfterUpsert after_upsert(std::optional<store::ArticleRow> row, const cms::WriteOutcome& outcome,
                         cms::CanonicalVars link, const CanonicalRule& rule, std::int64_t now) {
  AfterUpsert after;
  if (!row) return after;
  row->cms_version = outcome.version;
  row->cms_status = std::string(cms::to_string(outcome.status));
  if (outcome.route_segment) row->route_segment = outcome.route_segment;
  row->publish_at = outcome.status == cms::WriteStatus::scheduled ? outcome.publish_at : std::nullopt;
  row->meta_url = link.meta_url.empty() ? std::nullopt : std::optional<std::string>(link.meta_url);
  row->updated_at = now;
  if (rule.enabled && outcome.status == cms::WriteStatus::published && row->pixel_key) {
    link.route_segment = outcome.route_segment.value_or("");
    auto url = cms::render_canonical_url(rule.url_template, link);
    if (!url) {
      after.canonical_error = std::move(url.error());
    } else if (row->canonical_url != *url) {
      after.canonical = CanonicalPayload{*url, *row->pixel_key};
    }
  }
  after.row = std::move(row);
  return after;
}

store::OutboxOp canonical_op(std::string feed, std::string guid, const CanonicalPayload& link) {
  store::OutboxOp op;
  op.feed = std::move(feed);
  op.guid = std::move(guid);
  op.op = store::OpKind::canonical;
  op.payload = encode(link);
  op.payload_hash = link.url;
  return op;
}

}  // namespace feedsync::engine
