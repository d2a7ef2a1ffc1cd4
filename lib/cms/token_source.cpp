#include "cms/token_source.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/backoff.hpp"
#include "core/duration.hpp"
#include "log/log.hpp"
#include "net/retry_after.hpp"

namespace feedsync::cms {
namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace detail {

// One token request and everyone waiting for its answer. The timer never expires on its own:
// cancelling it when the answer lands wakes every waiter at once.
struct Flight {
  explicit Flight(const asio::any_io_executor& executor)
      : landed_signal(executor, asio::steady_timer::time_point::max()) {}
  asio::steady_timer landed_signal;
  bool landed = false;
  // The answer does not count (the requesting caller was cancelled, or reset() came in
  // between): waiters start over instead of taking it.
  bool again = false;
  std::optional<Expected<std::string, CmsError>> result;
};

struct Cached {
  std::string token;
  steady_clock::time_point refresh_at;
  steady_clock::time_point expires_at;
};

struct TokenState {
  TokenState(net::HttpClient& h, const Clock& c, TokenOptions o) : http(&h), clock(&c), options(std::move(o)) {}

  net::HttpClient* http;
  const Clock* clock;
  TokenOptions options;
  std::optional<Cached> cached;
  std::shared_ptr<Flight> flight;
  std::uint64_t generation = 0;  // bumped by reset(): answers to older requests are dropped
  bool auth_failed = false;
  bool was_failing = false;  // auth_failed until a reset(): the next success is news
  std::string reason;
  steady_clock::time_point next_attempt_at{};
  steady_clock::time_point early_refresh_not_before{};
  // Transient failures (5xx, 429, network, TLS) in a row, and when the next request may go:
  // every CMS call asks for a token, so without this an outage of the token endpoint meant a
  // token request per call (issue 15: 3/s for a minute).
  std::uint32_t transient_failures = 0;
  steady_clock::time_point transient_retry_at{};
  std::uint64_t jitter_state = 0x9e3779b97f4a7c15ULL;
  std::uint64_t issued = 0;
  std::uint64_t requests = 0;
};

}  // namespace detail

namespace {

using detail::Flight;
using detail::TokenState;

bool is_cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

CmsError cancelled_error() { return make_error(CmsErrorKind::cancelled, "cancelled while getting a CMS token"); }

// Lands the flight however the requesting frame ends (answer, cancellation, exception, frame
// destroyed), so that no waiter is left asleep.
class Landing {
 public:
  Landing(std::shared_ptr<TokenState> state, std::shared_ptr<Flight> flight)
      : state_(std::move(state)), flight_(std::move(flight)) {}
  Landing(const Landing&) = delete;
  Landing& operator=(const Landing&) = delete;
  ~Landing() {
    if (!flight_->landed) flight_->again = true;
    land();
  }
  void land(Expected<std::string, CmsError> result) {
    flight_->result = std::move(result);
    land();
  }
  void again() {
    flight_->again = true;
    land();
  }

 private:
  void land() {
    if (flight_->landed) return;
    flight_->landed = true;
    if (state_->flight == flight_) state_->flight.reset();
    flight_->landed_signal.cancel();
  }
  std::shared_ptr<TokenState> state_;
  std::shared_ptr<Flight> flight_;
};

// Backoff after `failures` transient failures in a row: 1 s doubling to 60 s, the upper half
// drawn at random (so daemons that failed together do not retry together), raised to the
// server's Retry-After.
constexpr std::chrono::milliseconds kTransientRetryBase{1000};
constexpr std::chrono::milliseconds kTransientRetryMax{60'000};

std::chrono::milliseconds transient_backoff(TokenState& state, const CmsError& error) {
  const auto ceiling = Backoff{kTransientRetryBase, kTransientRetryMax}.ceiling(state.transient_failures);
  state.jitter_state = state.jitter_state * 6364136223846793005ULL + 1442695040888963407ULL;
  const double unit = static_cast<double>(state.jitter_state >> 11) / static_cast<double>(1ULL << 53);
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(ceiling.count()) * (0.5 + unit / 2)));
  if (!error.retry_after.empty()) {
    if (auto server = net::parse_retry_after(error.retry_after, state.clock->system_now(), kTransientRetryMax)) {
      delay = std::max(delay, *server);
    }
  }
  return delay;
}

std::chrono::seconds seconds_until(steady_clock::time_point when, steady_clock::time_point now) {
  return when > now ? std::chrono::ceil<std::chrono::seconds>(when - now) : std::chrono::seconds(0);
}

// Applies one counted answer to the shared state.
void record(TokenState& state, const Expected<IssuedToken, CmsError>& outcome, steady_clock::time_point sent) {
  const auto now = state.clock->steady_now();
  if (outcome) {
    const auto lifetime = std::chrono::duration_cast<steady_clock::duration>(outcome->lifetime);
    const auto skew = std::min<steady_clock::duration>(state.options.refresh_skew, lifetime / 2);
    // Counted from when the request left: the server's clock started no later than that.
    state.cached = detail::Cached{outcome->access_token, sent + lifetime - skew, sent + lifetime};
    if (state.auth_failed || state.was_failing)
      log::info("CMS token obtained again; writes resume",
                {{"endpoint", token_endpoint_name(state.options.token_url)}});
    log::debug("CMS token obtained", {{"expires_in", format_duration(outcome->lifetime)}});
    state.auth_failed = false;
    state.was_failing = false;
    state.reason.clear();
    state.transient_failures = 0;
    ++state.issued;
    return;
  }
  const CmsError& error = outcome.error();
  if (error.kind == CmsErrorKind::auth) {
    state.auth_failed = true;
    state.reason = error.message;
    state.cached.reset();
    state.next_attempt_at = now + state.options.auth_retry_interval;
    log::error("CMS credentials rejected: writes to the CMS stop until this is fixed",
               {{"reason", error.message}, {"next_attempt_in", format_duration(state.options.auth_retry_interval)}});
    return;
  }
  ++state.transient_failures;
  const auto delay = transient_backoff(state, error);
  state.transient_retry_at = now + delay;
  log::warn("CMS token request failed; will retry",
            {{"reason", error.message}, {"retry_in_ms", std::to_string(delay.count())}});
  if (state.auth_failed) {
    // Still failed as far as we know: keep the real reason and the slow cadence.
    state.next_attempt_at = now + state.options.auth_retry_interval;
    return;
  }
  state.reason = error.message;
  state.early_refresh_not_before = now + state.options.early_refresh_backoff;
}

CmsError auth_failed_error(const TokenState& state, steady_clock::time_point now) {
  return make_error(CmsErrorKind::auth, state.reason + " (next token attempt in " +
                                            format_duration(seconds_until(state.next_attempt_at, now)) + ")");
}

}  // namespace

struct TokenSource::Refreshed {
  bool again = false;
  Expected<std::string, CmsError> result;
};

TokenSource::TokenSource(net::HttpClient& http, const Clock& clock, TokenOptions options)
    : state_(std::make_shared<TokenState>(http, clock, std::move(options))) {}

TokenSource::~TokenSource() = default;

asio::awaitable<Expected<std::string, CmsError>> TokenSource::token() { return token_with(state_); }

asio::awaitable<Expected<std::string, CmsError>> TokenSource::token_with(StatePtr state) {
  // Asio would throw at the next co_await of an already cancelled coroutine; callers want a value.
  const asio::cancellation_state entry = co_await asio::this_coro::cancellation_state;
  if (is_cancelled(entry)) co_return unexpected(cancelled_error());
  for (;;) {
    const auto now = state->clock->steady_now();
    if (state->auth_failed && now < state->next_attempt_at) co_return unexpected(auth_failed_error(*state, now));
    const bool usable = state->cached && now < state->cached->expires_at;
    if (usable && now < state->cached->refresh_at) co_return state->cached->token;
    if (std::shared_ptr<Flight> flight = state->flight) {
      // Someone is already asking; a token that is still valid serves meanwhile.
      if (usable) co_return state->cached->token;
      co_await flight->landed_signal.async_wait(asio::as_tuple(asio::use_awaitable));
      const asio::cancellation_state after = co_await asio::this_coro::cancellation_state;
      if (is_cancelled(after)) co_return unexpected(cancelled_error());
      if (!flight->landed || flight->again || !flight->result) continue;
      co_return *flight->result;
    }
    if (usable && now < state->early_refresh_not_before) co_return state->cached->token;
    if (state->transient_failures > 0 && now < state->transient_retry_at) {
      if (usable) co_return state->cached->token;
      co_return unexpected(make_error(CmsErrorKind::retryable,
                                      state->reason + " (next token attempt in " +
                                          format_duration(seconds_until(state->transient_retry_at, now)) + ")"));
    }
    Refreshed refreshed = co_await refresh(state);
    if (refreshed.again) {
      const asio::cancellation_state after = co_await asio::this_coro::cancellation_state;
      if (is_cancelled(after)) co_return unexpected(cancelled_error());
      continue;
    }
    if (!refreshed.result && refreshed.result.error().kind == CmsErrorKind::retryable && state->cached &&
        state->clock->steady_now() < state->cached->expires_at)
      co_return state->cached->token;  // an early refresh failed; the old token is still good
    co_return std::move(refreshed.result);
  }
}

asio::awaitable<TokenSource::Refreshed> TokenSource::refresh(StatePtr state) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto flight = std::make_shared<Flight>(executor);
  state->flight = flight;
  Landing landing(state, flight);
  const std::uint64_t generation = state->generation;
  const auto sent = state->clock->steady_now();
  ++state->requests;
  net::Request request = build_token_request(state->options);
  net::Result reply = co_await state->http->send(std::move(request));
  Expected<IssuedToken, CmsError> outcome = read_token_reply(reply, state->options);
  if (state->generation != generation) {
    landing.again();
    co_return Refreshed{true, unexpected(cancelled_error())};
  }
  if (!outcome && outcome.error().kind == CmsErrorKind::cancelled) {
    // Our cancellation is not the waiters' business: they start over. We stop, so that a client
    // that only answers "cancelled" (shutting down) cannot make this loop.
    landing.again();
    co_return Refreshed{false, unexpected(outcome.error())};
  }
  record(*state, outcome, sent);
  Expected<std::string, CmsError> result =
      outcome ? Expected<std::string, CmsError>(outcome->access_token) : unexpected(outcome.error());
  landing.land(result);
  co_return Refreshed{false, std::move(result)};
}

void TokenSource::invalidate(std::string_view rejected) {
  if (state_->cached && state_->cached->token == rejected) {
    state_->cached.reset();
    state_->early_refresh_not_before = {};
  }
}

void TokenSource::reset() {
  ++state_->generation;
  state_->cached.reset();
  state_->flight.reset();  // waiters on it start over once it lands; newcomers ask anew
  state_->was_failing = state_->was_failing || state_->auth_failed;
  state_->auth_failed = false;
  state_->reason.clear();
  state_->early_refresh_not_before = {};
}

void TokenSource::reset(TokenOptions options) {
  state_->options = std::move(options);
  reset();
}

TokenSource::Status TokenSource::status() const {
  const auto now = state_->clock->steady_now();
  Status status;
  status.reason = state_->reason;
  status.issued = state_->issued;
  status.requests = state_->requests;
  if (state_->auth_failed) {
    status.state = State::auth_failed;
    status.next_attempt_at = state_->next_attempt_at;
  } else if (state_->cached && now < state_->cached->expires_at) {
    status.state = State::valid;
    status.expires_at = state_->cached->expires_at;
  }
  return status;
}

std::string_view to_string(TokenSource::State state) {
  switch (state) {
    case TokenSource::State::empty: return "empty";
    case TokenSource::State::valid: return "valid";
    case TokenSource::State::auth_failed: return "auth_failed";
  }
  return "?";
}

}  // namespace feedsync::cms
