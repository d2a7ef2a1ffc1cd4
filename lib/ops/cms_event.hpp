#pragma once
// What a CMS (SaaS) webhook request asks of feedsync (issue 19), read defensively. The CMS's
// webhooks are experimental (`/v1/experimental/webhooks`) and their documentation names an
// endpoint verification step without a wire format we could read; docs/decisions.md records
// the variants accepted here and why:
//
//   verification   the CMS checks the endpoint: answered by echoing its challenge. Recognised as
//                  an Azure Event Grid subscription validation (`[{"eventType":
//                  "Microsoft.EventGrid.SubscriptionValidationEvent","data":{"validationCode"}}]`),
//                  or an object whose type / eventType says verification or validation, or that
//                  carries a challenge field (challenge, validationCode, validationToken,
//                  verificationToken, verificationCode) at the top level or under `data`.
//   publish        an event whose type names a publish (not an unpublish): the pending canonical
//                  check asks about the item now. Its CMS key is looked for in data.key,
//                  data.contentKey, data.content.key, data.contentLink.key, data.contentLink
//                  .guidValue, key, contentKey (32 hex, with or without dashes, any case);
//                  without one, every waiting article is asked about.
//   other          any other event: acknowledged, logged at debug.
//   malformed      not a JSON object (or Event Grid array): acknowledged, logged at warn.
//
// Pure: no I/O. Bodies arrive already capped by the listener.

#include <optional>
#include <string>
#include <string_view>

namespace feedsync::ops {

enum class CmsEventKind { verification, publish, other, malformed };

struct CmsEvent {
  CmsEventKind kind = CmsEventKind::malformed;
  std::string event;                    // the event type, safe for a log line (may be empty)
  std::optional<std::string> cms_key;   // publish: the item's key, 32 lowercase hex
  std::string challenge;                // verification: the value to echo
  std::string challenge_field;          // verification: the field it came in
  std::string answer;                   // verification: the JSON body to answer with
  std::string problem;                  // malformed: why, one line
};

CmsEvent read_cms_event(std::string_view body);

// A CMS content key as feedsync stores it (32 lowercase hex) from a webhook's spelling (a GUID
// with dashes or braces, any case); nullopt when it is not one.
std::optional<std::string> normalize_cms_key(std::string_view text);

// The challenge of a verification by GET query (`?challenge=`, `?validationToken=`,
// `?hub.challenge=`), when it is safe to echo (1..256 printable ASCII characters).
std::optional<std::string> safe_challenge(std::string_view value);

}  // namespace feedsync::ops
