#pragma once
// What a CMP webhook delivery asks of feedsync (issue 19), read defensively from its body. CMP
// sends `{"event_name": "...", "data": {...}}` (CMP "Library events", "Publishing events");
// fields may be added at any time ("backward compatible": new payload fields, new enum values).
// A delivery only says that something changed: feedsync never trusts its data, it polls the
// feed and reads the current state (deliveries are unordered and may be duplicated).
//
//   asset_*            an asset was added, removed, changed or published: poll the feed(s)
//   any other event    (task_*, unknown, future) nothing to do: acknowledged, logged at debug
//   not a JSON object with a string event_name: malformed, acknowledged (a retry would send the
//                      same body for three days), logged at warn without the body
//
// Pure: no I/O. Bodies arrive already capped by the listener.

#include <string>
#include <string_view>

namespace feedsync::ops {

enum class CmpDeliveryKind { content_change, other_event, malformed };

struct CmpDelivery {
  CmpDeliveryKind kind = CmpDeliveryKind::malformed;
  // The event name as sent, shortened to 64 characters and with control characters replaced,
  // safe for a log line; empty when malformed.
  std::string event;
  std::string problem;  // why it is malformed, one line
};

CmpDelivery read_cmp_delivery(std::string_view body);

}  // namespace feedsync::ops
