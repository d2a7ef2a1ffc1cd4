#pragma once
// CMS access tokens (OAuth2 client credentials, api-notes.md "Auth"): fetched from cms.token_url,
// cached, refreshed ahead of expires_in, and shared: however many writes need a token at once,
// at most one token request is in flight and everyone waits for the same answer.
//
// Failure states:
//  - retryable (endpoint down, 5xx): the caller gets a retryable error; a still-valid old token
//    keeps being served during an early refresh, with `early_refresh_backoff` between attempts.
//  - auth_failed (invalid_client, invalid_grant, wrong token_url, TLS...): permanent. Callers get
//    the auth error at once without touching the endpoint; one new attempt is made every
//    `auth_retry_interval`, or immediately after reset() (SIGHUP reloaded a fixed secret).
//    status() exposes the reason for /readyz and `status`.
//
// Single-threaded (DESIGN.md §3). Cancellation-safe: a caller cancelled while waiting leaves
// alone; when the caller doing the request is cancelled, the others start over without it.
// The state lives behind a shared_ptr held by every waiting frame, so destroying the
// TokenSource (or the io_context) while calls are suspended is safe; `http` and `clock` must
// outlive every call in progress.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "cms/cms_error.hpp"
#include "cms/token_request.hpp"
#include "core/clock.hpp"
#include "core/expected.hpp"
#include "net/http_client.hpp"

namespace feedsync::cms {

namespace detail {
struct TokenState;
}

class TokenSource {
 public:
  enum class State {
    empty,        // no token yet, or the last one expired / was invalidated
    valid,        // a token is cached and not expired
    auth_failed,  // the endpoint rejected the credentials (see Status::reason)
  };
  struct Status {
    State state = State::empty;
    // auth_failed: why, naming the endpoint and what to check. Otherwise the last retryable
    // failure since the last success ("" if none). Never contains the secret.
    std::string reason;
    std::optional<std::chrono::steady_clock::time_point> expires_at;       // valid
    std::optional<std::chrono::steady_clock::time_point> next_attempt_at;  // auth_failed
    std::uint64_t issued = 0;    // tokens obtained
    std::uint64_t requests = 0;  // token requests sent
  };

  // `clock` decides expiry and the retry cadence (tests use a FakeClock).
  TokenSource(net::HttpClient& http, const Clock& clock, TokenOptions options);
  ~TokenSource();
  TokenSource(const TokenSource&) = delete;
  TokenSource& operator=(const TokenSource&) = delete;

  // A token to send as "Authorization: Bearer ...". Errors are retryable, auth or cancelled.
  boost::asio::awaitable<Expected<std::string, CmsError>> token();

  // The CMS answered 401 to `rejected`: forget it so the next token() fetches a new one. A token
  // already replaced is ignored, so many writes failing together cause one refresh.
  void invalidate(std::string_view rejected);

  // Forget the token and any auth failure and try again on the next call; with new options after
  // a configuration reload. A request in flight finishes, but its answer no longer counts.
  void reset();
  void reset(TokenOptions options);

  Status status() const;

 private:
  using StatePtr = std::shared_ptr<detail::TokenState>;
  struct Refreshed;
  static boost::asio::awaitable<Expected<std::string, CmsError>> token_with(StatePtr state);
  static boost::asio::awaitable<Refreshed> refresh(StatePtr state);

  StatePtr state_;
};

std::string_view to_string(TokenSource::State state);

}  // namespace feedsync::cms
