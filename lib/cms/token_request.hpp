#pragma once
// The OAuth2 client-credentials exchange with the CMS token endpoint, as pure functions: the
// request to send and the reading of the answer (api-notes.md "Auth"). TokenSource adds caching,
// sharing and the failure state. Nothing here ever puts the client secret into a message.

#include <chrono>
#include <optional>
#include <string>

#include "cms/cms_error.hpp"
#include "config/config.hpp"
#include "core/expected.hpp"
#include "net/http.hpp"

namespace feedsync::cms {

enum class TokenRequestStyle {
  json_body,   // {"grant_type", "client_id", "client_secret", "act_as"?}: preferred, some gateways
               // block form posts
  form_basic,  // application/x-www-form-urlencoded + HTTP Basic (RFC 6749 §2.3.1)
};

struct TokenOptions {
  std::string token_url;
  std::string client_id;
  config::Secret client_secret;
  std::optional<std::string> act_as;  // impersonation, sent only when set
  TokenRequestStyle style = TokenRequestStyle::json_body;
  // Refresh this long before expiry, but never earlier than half-way through the lifetime.
  std::chrono::milliseconds refresh_skew{30'000};
  // Lifetime assumed when the reply has no usable expires_in (the service issues 300 s).
  std::chrono::seconds default_lifetime{300};
  // After rejected credentials: how long callers get the auth error without a new attempt.
  std::chrono::seconds auth_retry_interval{60};
  // After a failed early refresh while the old token is still valid: serve the old token this
  // long before trying again, so an unreachable endpoint is not asked on every call.
  std::chrono::seconds early_refresh_backoff{5};
  std::chrono::milliseconds timeout{30'000};
};

TokenOptions token_options(const config::CmsConfig& cms);

net::Request build_token_request(const TokenOptions& options);

struct IssuedToken {
  std::string access_token;
  std::chrono::seconds lifetime{0};
};

// The endpoint's answer as a token or a failure:
//   retryable  network trouble, 408/429/5xx
//   auth       everything that will not fix itself: 400/401/403 (invalid_client,
//              invalid_grant, ...), other 4xx (wrong token_url), TLS, a 2xx without a usable
//              access_token (token_url pointing at something that is not a token endpoint)
//   cancelled  shutdown
// Server-provided text in messages has the secret redacted, in case an endpoint echoes it.
Expected<IssuedToken, CmsError> read_token_reply(const net::Result& result, const TokenOptions& options);

// "https://host/path" of the token URL: what messages may say about it.
std::string token_endpoint_name(const std::string& token_url);

}  // namespace feedsync::cms
