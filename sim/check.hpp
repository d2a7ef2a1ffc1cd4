#pragma once
// GET /_sim/check: does the CMS hold exactly what the feeds say it should? The test oracle of
// "nothing is ever lost or duplicated" (DESIGN.md §1). Report (docs/simulator.md):
//   {
//     "ok": bool,                  // no duplicates, nothing missing, nothing stale
//     "cms_attached": bool,        // false: no CMS part, the CMS lists below stay empty
//     "guid_property": "CmpGuid",
//     "counts": {"live_articles", "deleted_feed_articles", "cms_items", "cms_items_deleted",
//                "cms_locale_versions", "groups"},
//     "duplicates":     [{"guid", "items": [{"key", "deleted", "locale"}]}],  // one guid, 2+ CMS items
//     "missing_in_cms": [{"guid", "feed_id"}],   // live article, no non-deleted item has its guid
//     "stale_in_cms":   [{"key", "guid", "article": "deleted_feed" | "gone"}],
//                                                // non-deleted item, its article is not live
//     "without_guid":   ["key"],                 // non-deleted items lacking the property
//     "split_groups":   [{"group_id", "keys"}]   // with ?groups=true: live translations of one
//                                                // group_id in 2+ items (counts against "ok")
//   }
// Translations (issue 23): every locale of an item is looked at on its own (one snapshot per
// (item, locale)): a live article is present when some locale version of a live item carries its
// guid, and a locale version whose article is gone is stale. "groups" counts the live group_ids
// with 2+ live articles.
// Deleted (soft) items count for duplicates (two items for one guid is wrong either way) but
// satisfy nothing and are never stale. The guid is read from the latest version's properties,
// else the published one's, as a plain string or a v1-style {"value": "..."} wrapper.

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sim/feed_store.hpp"

namespace feedsync::sim {

// What the check needs of one CMS item (converted from the CMS part's CmsItemView).
struct CmsItemSnapshot {
  std::string key;
  bool deleted = false;
  std::optional<boost::json::object> published_properties;
  std::optional<boost::json::object> latest_properties;
  std::string locale;  // the locale version this snapshot is of ("" for a type without locales)
};

// The guid an item carries in `property`, if any.
std::optional<std::string> item_guid(const CmsItemSnapshot& item, const std::string& property);

// Optional content comparison (`GET /_sim/check?property=Heading&field=title`): every live
// article's item must hold the article's content[field] in `property` of its latest version;
// mismatches are listed under "drift" and count against "ok" (a lost update).
struct DriftCheck {
  std::string property;
  std::string field;
};

boost::json::object build_check_report(const FeedStore& store, const std::string& guid_property,
                                       const std::optional<std::vector<CmsItemSnapshot>>& cms_items,
                                       const std::optional<DriftCheck>& drift = std::nullopt, bool groups = false);

}  // namespace feedsync::sim
