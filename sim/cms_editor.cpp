// Editors at work in the simulated CMS (issue 22): deleting, editing and publishing, unpublishing
// and moving items behind the integration's back, so the audit's every finding can be produced on
// demand. Both dialects see the change: they share one store.

#include "sim/cms_http.hpp"
#include "sim/cms_sim.hpp"
#include "sim/cms_store.hpp"

namespace feedsync::sim {
namespace json = boost::json;

namespace {

constexpr const char* kEditor = "editor";

// The published version of `locale` ("" = the item's first locale), else its newest one.
CmsVersion* base_version(CmsItem& item, std::string_view locale) {
  std::string wanted(locale);
  if (wanted.empty() && !item.versions.empty()) wanted = item.versions.front().locale;
  CmsVersion* newest = nullptr;
  for (auto& version : item.versions) {
    if (version.locale != wanted) continue;
    if (version.status == CmsStatus::published) return &version;
    if (!newest || version.number > newest->number) newest = &version;
  }
  return newest;
}

// What the store's refusal says, field errors included.
std::string refusal(const CmsProblem& problem) {
  std::string out = problem.detail;
  for (const auto& error : problem.errors) out += (out.empty() ? "" : "; ") + error.field + ": " + error.message;
  return out;
}

}  // namespace

Expected<std::string, std::string> CmsSim::editor_delete(std::string_view key, bool permanent) {
  const std::int64_t now = now_ms();
  store_->settle(now);
  const std::string normalised = normalise_key(std::string(key)).value_or(std::string(key));
  CmsItem* item = store_->find(normalised, /*allow_deleted=*/permanent);
  if (!item) return unexpected(std::string("no such item (or already deleted)"));
  if (permanent) {
    store_->erase(normalised);
  } else {
    store_->soft_delete(*item, CmsActor{kEditor, now});
  }
  return normalised;
}

Expected<std::string, std::string> CmsSim::editor_edit(std::string_view key, std::string_view locale,
                                                       std::optional<std::string> display_name,
                                                       const json::object& properties) {
  const std::int64_t now = now_ms();
  store_->settle(now);
  CmsItem* item = store_->find(normalise_key(std::string(key)).value_or(std::string(key)), false);
  if (!item) return unexpected(std::string("no such item"));
  const CmsVersion* base = base_version(*item, locale);
  if (!base) return unexpected("no version of locale '" + std::string(locale) + "'");
  CmsVersionInput input;
  if (!base->locale.empty()) input.locale = base->locale;
  input.display_name = display_name ? *display_name : base->display_name + " (edited)";
  input.properties = base->properties;
  for (const auto& [name, value] : properties) input.properties[name] = value;
  input.route_segment = base->route_segment;
  input.status = CmsStatus::published;
  auto version = store_->add_version(*item, std::move(input), CmsActor{kEditor, now});
  if (!version) return unexpected(refusal(version.error()));
  return (*version)->id();
}

Expected<std::string, std::string> CmsSim::editor_unpublish(std::string_view key, std::string_view locale) {
  const std::int64_t now = now_ms();
  store_->settle(now);
  CmsItem* item = store_->find(normalise_key(std::string(key)).value_or(std::string(key)), false);
  if (!item) return unexpected(std::string("no such item"));
  for (auto& version : item->versions) {
    if ((locale.empty() || version.locale == locale) && version.status == CmsStatus::published) {
      store_->unpublish(*item, version, CmsActor{kEditor, now});
      return item->key;
    }
  }
  return unexpected("no published version of locale '" + std::string(locale) + "'");
}

Expected<std::string, std::string> CmsSim::editor_move(std::string_view key, std::string_view container) {
  const std::int64_t now = now_ms();
  store_->settle(now);
  CmsItem* item = store_->find(normalise_key(std::string(key)).value_or(std::string(key)), false);
  if (!item) return unexpected(std::string("no such item"));
  const std::string target = normalise_key(std::string(container)).value_or(std::string(container));
  if (target == item->container) return unexpected("the item is already in container " + target);
  if (auto problem = store_->move(*item, target, CmsActor{kEditor, now})) return unexpected(refusal(*problem));
  return item->key;
}

}  // namespace feedsync::sim
