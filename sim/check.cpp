#include "sim/check.hpp"

#include <boost/json/array.hpp>

#include <map>
#include <set>

#include "sim/article.hpp"

namespace feedsync::sim {

namespace json = boost::json;

namespace {

std::optional<std::string> guid_in(const json::object& properties, const std::string& property) {
  const auto* v = properties.if_contains(property);
  if (!v) return std::nullopt;
  if (v->is_object()) v = v->get_object().if_contains("value");
  if (v && v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
  return std::nullopt;
}

// Live group_ids with 2+ live articles, and those whose articles sit in 2+ CMS items.
std::pair<std::size_t, json::array> group_report(const FeedStore& store,
                                                 const std::vector<std::pair<std::string, std::string>>& live,
                                                 const std::map<std::string, std::set<std::string>>& keys_of_guid) {
  std::map<std::string, std::pair<std::size_t, std::set<std::string>>> groups;  // feed/group -> articles, keys
  for (const auto& [guid, feed_id] : live) {
    const Article* article = store.find(guid);
    const auto* group = article ? article->content.if_contains("group_id") : nullptr;
    if (group == nullptr || !group->is_string() || group->get_string().empty()) continue;
    auto& entry = groups[feed_id + "/" + std::string(group->get_string())];
    ++entry.first;
    if (auto it = keys_of_guid.find(guid); it != keys_of_guid.end()) entry.second.insert(it->second.begin(), it->second.end());
  }
  std::size_t count = 0;
  json::array split;
  for (const auto& [id, entry] : groups) {
    if (entry.first < 2) continue;
    ++count;
    if (entry.second.size() < 2) continue;
    json::array keys;
    for (const auto& key : entry.second) keys.push_back(json::string(key));
    split.push_back(json::object{{"group_id", id.substr(id.find('/') + 1)}, {"keys", std::move(keys)}});
  }
  return {count, std::move(split)};
}

}  // namespace

std::optional<std::string> item_guid(const CmsItemSnapshot& item, const std::string& property) {
  if (item.latest_properties)
    if (auto g = guid_in(*item.latest_properties, property)) return g;
  if (item.published_properties) return guid_in(*item.published_properties, property);
  return std::nullopt;
}

// The text of a property value: a string, or a v1-style {"value": "..."}.
std::optional<std::string> text_of(const json::object& properties, const std::string& property) {
  const auto* v = properties.if_contains(property);
  if (v && v->is_object()) v = v->get_object().if_contains("value");
  if (v && v->is_string()) return std::string(v->get_string());
  return std::nullopt;
}

json::object build_check_report(const FeedStore& store, const std::string& guid_property,
                                const std::optional<std::vector<CmsItemSnapshot>>& cms_items,
                                const std::optional<DriftCheck>& drift_check, bool check_groups) {
  const auto live = store.live_guids();
  const std::size_t deleted_feed_articles = store.article_count() - live.size();

  json::array duplicates, missing, stale, without_guid, drift;
  std::set<std::string> item_keys, deleted_keys;
  std::size_t locale_versions = 0;
  std::map<std::string, std::set<std::string>> keys_of_guid;  // live units only
  if (cms_items) {
    std::map<std::string, std::vector<const CmsItemSnapshot*>> by_guid;
    std::set<std::string> present;  // guids held by a non-deleted item
    for (const auto& item : *cms_items) {
      item_keys.insert(item.key);
      if (item.deleted) deleted_keys.insert(item.key);
      if (!item.deleted) ++locale_versions;
      auto guid = item_guid(item, guid_property);
      if (!guid) {
        if (!item.deleted) without_guid.push_back(json::string(item.key));
        continue;
      }
      by_guid[*guid].push_back(&item);
      if (!item.deleted) present.insert(*guid);
      if (!item.deleted) keys_of_guid[*guid].insert(item.key);
    }
    std::set<std::string> live_set;
    for (const auto& [guid, feed_id] : live) {
      live_set.insert(guid);
      if (!present.contains(guid)) missing.push_back(json::object{{"guid", guid}, {"feed_id", feed_id}});
    }
    if (drift_check) {
      for (const auto& [guid, feed_id] : live) {
        const Article* article = store.find(guid);
        const auto it = by_guid.find(guid);
        if (!article || it == by_guid.end()) continue;
        const auto* want_value = article->content.if_contains(drift_check->field);
        const std::string want = want_value && want_value->is_string() ? std::string(want_value->get_string()) : "";
        for (const auto* item : it->second) {
          if (item->deleted || !item->latest_properties) continue;
          const auto have = text_of(*item->latest_properties, drift_check->property);
          if (have != want) {
            drift.push_back(json::object{{"guid", guid}, {"key", item->key}, {"cms", have ? json::value(*have) : nullptr},
                                         {"feed", want}});
          }
        }
      }
    }
    for (const auto& [guid, items] : by_guid) {
      std::set<std::string> keys;
      for (const auto* item : items) keys.insert(item->key);
      if (keys.size() > 1) {  // two locales of one item are one item
        json::array list;
        for (const auto* item : items)
          list.push_back(json::object{{"key", item->key}, {"deleted", item->deleted}, {"locale", item->locale}});
        duplicates.push_back(json::object{{"guid", guid}, {"items", std::move(list)}});
      }
      if (live_set.contains(guid)) continue;
      const char* state = store.find(guid) ? "deleted_feed" : "gone";
      for (const auto* item : items)
        if (!item->deleted) stale.push_back(json::object{{"key", item->key}, {"guid", guid}, {"article", state}});
    }
  }

  auto [group_count, split_groups] = group_report(store, live, keys_of_guid);
  const bool ok = duplicates.empty() && missing.empty() && stale.empty() && drift.empty() &&
                  (!check_groups || split_groups.empty());
  return json::object{
      {"ok", ok},
      {"cms_attached", cms_items.has_value()},
      {"guid_property", guid_property},
      {"counts", json::object{{"live_articles", live.size()},
                              {"deleted_feed_articles", deleted_feed_articles},
                              {"cms_items", item_keys.size()},
                              {"cms_items_deleted", deleted_keys.size()},
                              {"cms_locale_versions", locale_versions},
                              {"groups", group_count}}},
      {"duplicates", std::move(duplicates)},
      {"missing_in_cms", std::move(missing)},
      {"stale_in_cms", std::move(stale)},
      {"without_guid", std::move(without_guid)},
      {"drift", std::move(drift)},
      {"split_groups", std::move(split_groups)},
  };
}

}  // namespace feedsync::sim
