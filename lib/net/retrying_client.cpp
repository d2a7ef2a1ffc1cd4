#include "net/retrying_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <utility>

#include "core/strings.hpp"
#include "log/log.hpp"

namespace feedsync::net {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// What a log line may say about a request: never the query (it can carry keys and links) and
// never headers or the body.
struct Target {
  std::string origin;
  std::string host;
  std::string path;
};

std::optional<Target> parse_target(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return std::nullopt;
  const boost::urls::url_view& u = *parsed;
  std::uint16_t default_port = 0;
  if (u.scheme_id() == boost::urls::scheme::http) {
    default_port = 80;
  } else if (u.scheme_id() == boost::urls::scheme::https) {
    default_port = 443;
  } else {
    return std::nullopt;
  }
  if (u.encoded_host().empty()) return std::nullopt;
  Target target;
  target.host = ascii_lower(u.encoded_host());
  const std::uint16_t port = u.has_port() ? u.port_number() : default_port;
  target.origin = ascii_lower(u.scheme()) + "://" + target.host + ":" + std::to_string(port);
  target.path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
  return target;
}

steady_clock::duration remaining(steady_clock::time_point deadline, steady_clock::time_point now) {
  if (deadline == steady_clock::time_point::max()) return steady_clock::duration::max();
  return deadline > now ? deadline - now : steady_clock::duration::zero();
}

bool is_cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

std::optional<std::string> origin_of(std::string_view url) {
  auto target = parse_target(url);
  if (!target) return std::nullopt;
  return std::move(target->origin);
}

std::function<OriginLimits(std::string_view)> limits_table(
    std::map<std::string, OriginLimits, std::less<>> per_origin, OriginLimits fallback) {
  return [table = std::move(per_origin), fallback](std::string_view origin) {
    const auto it = table.find(origin);
    return it == table.end() ? fallback : it->second;
  };
}

RetryingHttpClient::RetryingHttpClient(HttpClient& inner, const Clock& clock,
                                       RetryingClientOptions options)
    : inner_(inner),
      clock_(clock),
      options_(std::move(options)),
      rng_(options_.seed ? *options_.seed : random_seed()) {}

std::map<std::string, RateLimiter::Stats, std::less<>> RetryingHttpClient::limiter_stats() const {
  std::map<std::string, RateLimiter::Stats, std::less<>> out;
  for (const auto& [origin, limiter] : limiters_) out.emplace(origin, limiter->stats());
  return out;
}

RateLimiter* RetryingHttpClient::limiter_for(const std::string& origin) {
  if (origin.empty()) return nullptr;
  auto it = limiters_.find(origin);
  if (it == limiters_.end()) {
    const OriginLimits limits = options_.limits ? options_.limits(origin) : OriginLimits{};
    it = limiters_.emplace(origin, std::make_unique<RateLimiter>(clock_, limits)).first;
  }
  return it->second.get();
}

// One send() across its attempts.
struct RetryingHttpClient::SendState {
  Request request;
  Target target;  // what log lines and error messages may name
  steady_clock::time_point deadline;
  RateLimiter* limiter;  // nullptr: unlimited (an unparseable URL)
  bool idempotent;
  SendReport report;
  std::optional<Result> last;  // the latest failed attempt's result
};

Result RetryingHttpClient::finish(SendState& state, Result result) const {
  // The origin is a view of the state's target, taken here: the state has stopped moving.
  state.report.origin = state.target.origin;
  state.report.outcome = classify(result);
  if (options_.on_report) options_.on_report(state.report);
  return result;
}

RetryingHttpClient::SendState RetryingHttpClient::start_send(Request request) {
  const steady_clock::time_point start = clock_.steady_now();
  const steady_clock::time_point deadline = request.timeout > milliseconds::zero()
                                                ? start + request.timeout
                                                : steady_clock::time_point::max();
  // An unparseable URL goes to the wrapped client unlimited: it names the problem.
  Target target = parse_target(request.url).value_or(Target{});
  RateLimiter* limiter = limiter_for(target.origin);
  const bool idempotent = request.is_idempotent();
  SendState state{std::move(request), std::move(target), deadline, limiter, idempotent, {}, {}};
  state.report.method = state.request.method;
  return state;
}

Result RetryingHttpClient::cancelled(const SendState& state) {
  return unexpected(Error{ErrorKind::cancelled, std::string(to_string(state.report.method)) + " " +
                                                    state.target.host + ": cancelled"});
}

asio::awaitable<Expected<RateLimiter::Permit, Result>> RetryingHttpClient::admit(SendState& state) {
  if (!state.limiter) co_return RateLimiter::Permit{};
  const steady_clock::time_point queued_at = clock_.steady_now();
  auto admitted = co_await state.limiter->acquire(state.deadline);
  state.report.limiter_wait += clock_.steady_now() - queued_at;
  if (admitted) co_return std::move(*admitted);
  Error error = std::move(admitted).error();
  // After a failed attempt, its result says more than "no time left to try again".
  if (state.last && error.kind == ErrorKind::rate_limited)
    co_return unexpected(std::move(*state.last));
  error.message =
      std::string(to_string(state.request.method)) + " " + state.target.host + ": " + error.message;
  co_return unexpected(Result(unexpected(std::move(error))));
}

asio::awaitable<Result> RetryingHttpClient::send_attempt(SendState& state, int attempt,
                                                         RateLimiter::Permit permit) {
  // The last attempt the policy allows may take the request; earlier ones send a copy.
  Request attempt_request =
      attempt < options_.policy.max_attempts ? state.request : std::move(state.request);
  if (state.deadline != steady_clock::time_point::max()) {
    // The wrapped client gets what is left of the overall deadline (at least 1 ms: 0 would
    // mean "your defaults").
    const auto left =
        std::chrono::ceil<milliseconds>(remaining(state.deadline, clock_.steady_now()));
    attempt_request.timeout = left > milliseconds(1) ? left : milliseconds(1);
  }
  Result result = co_await inner_.send(std::move(attempt_request));
  permit.release();
  ++state.report.attempts;
  if (result && result->status == 429) ++state.report.throttled;
  co_return result;
}

std::optional<milliseconds> RetryingHttpClient::retry_delay(const SendState& state, int attempt,
                                                            const Result& result) {
  const auto delay =
      options_.policy.next_delay(attempt, result, state.idempotent, clock_.system_now(), rng_);
  if (!delay) return std::nullopt;
  if (remaining(state.deadline, clock_.steady_now()) <= *delay) {
    log::debug("not retrying HTTP request: the delay would pass its deadline",
               {{"method", std::string(to_string(state.report.method))},
                {"host", state.target.host},
                {"path", state.target.path},
                {"delay_ms", std::to_string(delay->count())},
                {"reason", describe(result)}});
    return std::nullopt;
  }
  // Throttling is the server working as intended; anything else is worth an operator's eye.
  const bool throttled = result && result->status == 429;
  log::write(throttled ? log::Level::info : log::Level::warn, "HTTP request failed, retrying",
             {{"method", std::string(to_string(state.report.method))},
              {"host", state.target.host},
              {"path", state.target.path},
              {"attempt", std::to_string(attempt)},
              {"max_attempts", std::to_string(options_.policy.max_attempts)},
              {"delay_ms", std::to_string(delay->count())},
              {"reason", describe(result)}});
  return delay;
}

asio::awaitable<void> RetryingHttpClient::back_off(SendState& state, milliseconds delay) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const steady_clock::time_point sleep_start = clock_.steady_now();
  asio::steady_timer timer(executor, delay);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  state.report.backoff_wait += clock_.steady_now() - sleep_start;
}

// Cancellation (shutdown) ends a send with ErrorKind::cancelled wherever it lands. It is checked
// before each attempt and each backoff because Asio would throw from a co_await in a cancelled
// coroutine; the limiter checks its own waits.
asio::awaitable<Result> RetryingHttpClient::send(Request request) {
  SendState state = start_send(std::move(request));
  for (int attempt = 1;; ++attempt) {
    const asio::cancellation_state before_attempt = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(before_attempt)) co_return finish(state, cancelled(state));
    auto permit = co_await admit(state);
    if (!permit) co_return finish(state, std::move(permit).error());

    Result result = co_await send_attempt(state, attempt, std::move(*permit));
    const auto delay = retry_delay(state, attempt, result);
    if (!delay) co_return finish(state, std::move(result));
    state.last = std::move(result);

    const asio::cancellation_state before_backoff = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(before_backoff)) co_return finish(state, cancelled(state));
    co_await back_off(state, *delay);
  }
}

}  // namespace feedsync::net
