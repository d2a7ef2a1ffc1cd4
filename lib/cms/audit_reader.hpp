#pragma once
// The CMS reads of the drift audit (issue 22, `feedsyncd audit`), through the same authorized,
// rate-limited transport as every write. The cheapest the definitions offer, per feed:
//
//   which items are in the feed's container   GET /content/{container}/items, paged (both)
//   what is published in the feed's locale    v1: GET /content/versions?locales=L&statuses=published,
//                                               paged, for every item at once;
//                                             flat: GET /content/{key}/versions?locales=L&
//                                               statuses=published, per article
//   where an item not in its container went   GET /content/{key} with deleted items allowed
//                                               (flat ?allowDeleted=true, v1 cms-accept-resource)
//
// so an audit of N articles of one feed costs about N/page_size * 2 requests in v1 (plus one per
// article not found in its container), and N + N/page_size in the flat dialect.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "cms/cms_transport.hpp"
#include "cms/dialect.hpp"
#include "cms/version_record.hpp"
#include "core/expected.hpp"

namespace feedsync::cms {

// An item as a container listing or GET /content/{key} shows it (v1 ContentNode).
struct ItemNode {
  std::string key;
  std::string container;
  bool deleted = false;  // `deleted` holds a time
};

// From a ContentNode JSON body; nullopt when it is no object with a key.
std::optional<ItemNode> read_item_node(std::string_view body);
// From a page body ({"items": [...]} or a bare array): its nodes and versions.
std::vector<ItemNode> listed_item_nodes(std::string_view body);

class AuditReader {
 public:
  // `dialect` and `transport` must outlive the reader. `page_size`: items per listing page.
  AuditReader(const CmsDialect& dialect, CmsTransport& transport, std::size_t page_size = 100);

  // Every item directly in `container` (not deleted ones), page after page until a short one.
  boost::asio::awaitable<Expected<std::vector<ItemNode>, CmsError>> container_items(std::string container);
  // The item, deleted or not; nullopt when the CMS has no such item (404).
  boost::asio::awaitable<Expected<std::optional<ItemNode>, CmsError>> item(std::string key);
  // v1: the published version of `locale` ("" = any) of every item, by key; nullopt when the
  // dialect has no listing across items, or when the first page's totalCount says the listing
  // (every item of the instance, not only the feed's) would take more pages than `per_item_cost`
  // requests (then ask published() per item, which costs that many).
  using PublishedByKey = std::map<std::string, VersionRecord>;
  boost::asio::awaitable<Expected<std::optional<PublishedByKey>, CmsError>> all_published(std::string locale,
                                                                                          std::size_t per_item_cost);
  // The published version of `locale` ("" = any) of one item; nullopt when none (or no item).
  boost::asio::awaitable<Expected<std::optional<VersionRecord>, CmsError>> published(std::string key,
                                                                                     std::string locale);
  // The newest version of `locale` ("" = any) of one item, whatever its status; nullopt when none.
  boost::asio::awaitable<Expected<std::optional<VersionRecord>, CmsError>> newest(std::string key, std::string locale);
  // Puts the item back in `container` (--repair of a moved item); false when it is gone (404).
  boost::asio::awaitable<Expected<bool, CmsError>> move(std::string key, std::string container);

  // Requests sent so far (each page counts).
  std::int64_t requests() const { return requests_; }

 private:
  // The body of a 2xx answer, nullopt on 404, the error otherwise.
  boost::asio::awaitable<Expected<std::optional<std::string>, CmsError>> read(net::Request request, std::string what);

  const CmsDialect& dialect_;
  CmsTransport& transport_;
  std::size_t page_size_;
  std::int64_t requests_ = 0;
};

}  // namespace feedsync::cms
