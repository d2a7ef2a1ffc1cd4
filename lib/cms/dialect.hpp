#pragma once
// The wire dialects of the CMS REST API (DESIGN.md §4 "Dialects"): which request each step of a
// write is and how responses are shaped. The control flow (create, 409 -> new version, status
// transition, read-back) is RestCmsSink's and the same for both; a dialect only builds requests
// (without auth: CmsTransport adds it).
//
//   step           version2 (flat, seeds/)                        v1 (split, Prefer: return=representation)
//   create         POST /content {key, contentType, container,    POST /content {key, contentType, container,
//                    locale, displayName, routeSegment?,             initialVersion: {locale, displayName,
//                    properties, status}                             routeSegment?, properties: {P: {value}}}}
//   new version    POST /content/{key}/versions {locale,          POST /content/{key}/versions {locale,
//                    displayName, routeSegment?, properties,         displayName, routeSegment?, properties}
//                    status}
//   transition     PATCH /content/{key}/versions/{v}              POST /content/{key}/versions/{v}:publish
//                    {"status": s} (application/merge-patch+json)   (:ready, :draft)
//   schedule       status "scheduled" + "delayPublishUntil" in     POST .../versions/{v}:publish
//                    the create / new-version body or the PATCH      {"delayUntil": t} (PublishContentOptions)
//   delete         DELETE /content/{key}[?permanent=true]         DELETE /content/{key}
//                                                                   [cms-permanent-delete: true]
//   delete locale  DELETE /content/{key}/versions?locale=L        DELETE /content/{key}/locales/{L}
//                                                                   (Content_DeleteLocale)
//   undelete       POST /content/{key}:undelete                   the same
//   read back      GET /content/{key}/versions/{v}                the same
//   find version   GET /content/{key}/versions?locales=L          the same
//                    [&statuses=S]

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cms/payload.hpp"
#include "net/http.hpp"

namespace feedsync::cms {

class CmsDialect {
 public:
  virtual ~CmsDialect() = default;
  virtual std::string_view name() const = 0;  // "version2" | "v1"
  // Whether create / new-version bodies carry the wanted status (flat); otherwise the version
  // is created as a draft and a transition always follows (v1: status is read-only).
  virtual bool status_in_body() const = 0;
  // Whether property values travel wrapped as {"value": x} (v1).
  virtual bool wrapped_properties() const = 0;

  // `status` "scheduled" sends payload.publish_at as the time (flat delayPublishUntil, v1
  // delayUntil); "" sends no
  // status (the version starts as a draft).
  virtual net::Request create(const Payload& payload, std::string_view status) const = 0;
  virtual net::Request new_version(const Payload& payload, std::string_view status) const = 0;
  virtual net::Request transition(const Payload& payload, std::string_view version, std::string_view status) const = 0;
  virtual net::Request remove(std::string_view key, bool permanent) const = 0;
  // One locale of an item (translations: group, issue 23). No body in either dialect.
  virtual net::Request remove_locale(std::string_view key, std::string_view locale) const = 0;
  virtual net::Request undelete(std::string_view key) const = 0;
  virtual net::Request get_version(std::string_view key, std::string_view version) const = 0;
  // The item itself (v1: Content_GetNode). Answers 2xx only while the item is not deleted.
  virtual net::Request get_item(std::string_view key) const = 0;
  // Newest first; `status` "" for any.
  virtual net::Request list_versions(std::string_view key, std::string_view locale, std::string_view status) const = 0;

  // The audit's reads (issue 22).
  // The item even when soft-deleted (flat: ?allowDeleted=true; v1: cms-accept-resource: deleted),
  // whose `deleted` field then says so.
  virtual net::Request get_item_or_deleted(std::string_view key) const = 0;
  // One page of the items directly in a container (Content_ListItems), not deleted ones.
  virtual net::Request list_items(std::string_view container, std::size_t page_index, std::size_t page_size) const = 0;
  // One page of the versions of every item in `locale` ("" = any) with `status`
  // (v1 Content_ListAllVersions, GET /content/versions); nullopt where the dialect has no such
  // listing (flat: the audit reads per item).
  virtual std::optional<net::Request> list_all_versions(std::string_view locale, std::string_view status,
                                                        std::size_t page_index, std::size_t page_size) const = 0;
  // The item into another container (PATCH /content/{key} {"container"}, merge patch).
  virtual net::Request move(std::string_view key, std::string_view container) const = 0;
};

// `base_url` is cms.base_url, e.g. https://x.cms.optimizely.com/_cms/version2 or
// https://api.cms.optimizely.com/v1 (or the simulator's http://127.0.0.1:PORT/_cms/version2).
std::unique_ptr<CmsDialect> make_flat_dialect(std::string base_url);
std::unique_ptr<CmsDialect> make_v1_dialect(std::string base_url);

}  // namespace feedsync::cms
