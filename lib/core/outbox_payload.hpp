#pragma once
// The outbox payload: what the poll cycle stores with an outbox op and the relay reads back to
// carry it out (DESIGN.md §4). The types are the contract between core (which builds the
// article's document, core/mapping_payload.hpp), engine (which queues and relays ops) and cms
// (which writes the document); this file is the only place that turns them into JSON and back.
//
// Stored as JSON text in the outbox (so `status` and the dead-letter list stay readable). The
// field names are a storage format: databases written by earlier versions hold them, so they
// are never renamed.
//
//   upsert / undelete  {"document": <ArticleDocument>, "meta_url": "..."?,
//                       "retire": <delete>?}
//   delete             {"key": "...", "permanent": true|false, "translation_locale": "de"?}
//   canonical          {"url": "...", "pixel_key": "..."}
//
//   ArticleDocument    {"key", "contentType", "container", "locale", "displayName",
//                       "routeSegment" (only when set), "properties", "publish",
//                       "richText" (only when not empty), "publishAt" (only for feeds that
//                       schedule: RFC 3339 UTC, or null for "no time")}
//
// meta_url travels with the document because the canonical URL template may use {meta_url} and
// the store keeps no feed content. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/expected.hpp"

namespace feedsync {

// The document the CMS is sent for one article, in the flat model's terms. Everything that
// changes what the CMS holds is in it, so its hash (payload_hash) says whether an article changed.
struct ArticleDocument {
  std::string key;           // content_key(feed, guid): the CMS item
  std::string content_type;  // feeds[].content_type
  std::string container;     // feeds[].container
  std::string locale;        // "" for a content type that is not localized
  std::string display_name;
  std::optional<std::string> route_segment;
  boost::json::object properties;
  std::string publish;  // feeds[].publish: "immediate" | "draft" | "ready"
  std::vector<std::string> rich_text;  // property names whose value is HTML
  // Feeds that schedule carry a publish time, possibly none for this article (null in JSON);
  // every other feed's documents have no "publishAt" at all, so their hashes stay as they were.
  bool scheduling = false;
  std::optional<std::int64_t> publish_at_ms;  // unix ms UTC

  bool is_rich_text(std::string_view property) const;
};

boost::json::object to_json(const ArticleDocument& document);
// Errors name the member that is missing or of the wrong type.
Expected<ArticleDocument, std::string> article_document_from_json(const boost::json::object& json);
// The publish time as RFC 3339 UTC (what the CMS is sent), or "" without one.
std::string publish_at_text(const ArticleDocument& document);

struct DeletePayload {
  std::string key;
  bool permanent = false;
  // translations: group (issue 23): the article is one locale version of `key`. The relay deletes
  // only this locale while another translation of the item is live, else the item (`permanent`).
  // Absent: the article is the whole item.
  std::optional<std::string> translation_locale;
};
struct UpsertPayload {
  ArticleDocument document;
  std::optional<std::string> meta_url;
  // translations switched (issue 23): the article moved from another item (its own, or its
  // group's) and an operator approved: once the document is written, the old item is deleted as
  // this says (only its locale while other translations live there). Absent: nothing to retire.
  std::optional<DeletePayload> retire;
};
struct CanonicalPayload {
  std::string url;
  std::string pixel_key;
};

std::string encode(const UpsertPayload& payload);
std::string encode(const DeletePayload& payload);
std::string encode(const CanonicalPayload& payload);

// Errors say which member is missing or malformed; the relay dead-letters such an op.
Expected<UpsertPayload, std::string> decode_upsert(const std::string& json);
Expected<DeletePayload, std::string> decode_delete(const std::string& json);
Expected<CanonicalPayload, std::string> decode_canonical(const std::string& json);

}  // namespace feedsync
