#pragma once
// What the poll cycle writes into an outbox op's payload and the relay reads back (JSON, so
// `status` and the dead-letter list stay readable). One place for both directions.
//
//   upsert / undelete  {"document": <payload_document()>, "meta_url": "..."?}
//   delete             {"key": "...", "permanent": true|false}
//   canonical          {"url": "...", "pixel_key": "..."}
//
// meta_url travels with the document because the canonical URL template may use {meta_url} and
// the store keeps no feed content.

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "core/expected.hpp"

namespace feedsync::engine {

struct UpsertPayload {
  boost::json::object document;
  std::optional<std::string> meta_url;
};
struct DeletePayload {
  std::string key;
  bool permanent = false;
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

}  // namespace feedsync::engine
