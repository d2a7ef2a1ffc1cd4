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

Result RetryingHttpClient::finish(SendReport& report, Result result) const {
  report.outcome = classify(result);
  if (options_.on_report) options_.on_report(report);
  return result;
}

asio::awaitable<Result> RetryingHttpClient::send(Request request) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  const steady_clock::time_point start = clock_.steady_now();
  const steady_clock::time_point deadline = request.timeout > milliseconds::zero()
                                                ? start + request.timeout
                                                : steady_clock::time_point::max();
  // An unparseable URL goes to the wrapped client unlimited: it names the problem.
  const Target target = parse_target(request.url).value_or(Target{});
  RateLimiter* limiter = limiter_for(target.origin);
  const bool idempotent = request.is_idempotent();
  const int max_attempts = options_.policy.max_attempts;

  SendReport report;
  report.origin = target.origin;
  report.method = request.method;
  std::optional<Result> last;

  // Cancellation (shutdown) ends a send with ErrorKind::cancelled wherever it lands. It is
  // checked before each attempt and each backoff because Asio would throw from a co_await in a
  // cancelled coroutine; the limiter checks its own waits.
  auto cancelled = [&] {
    return unexpected(Error{ErrorKind::cancelled,
                            std::string(to_string(report.method)) + " " + target.host +
                                ": cancelled"});
  };

  for (int attempt = 1;; ++attempt) {
    const asio::cancellation_state before_attempt = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(before_attempt)) co_return finish(report, cancelled());
    RateLimiter::Permit permit;
    if (limiter) {
      const steady_clock::time_point queued_at = clock_.steady_now();
      auto admitted = co_await limiter->acquire(deadline);
      report.limiter_wait += clock_.steady_now() - queued_at;
      if (!admitted) {
        Error error = std::move(admitted).error();
        // After a failed attempt, its result says more than "no time left to try again".
        if (last && error.kind == ErrorKind::rate_limited)
          co_return finish(report, std::move(*last));
        error.message =
            std::string(to_string(request.method)) + " " + target.host + ": " + error.message;
        co_return finish(report, unexpected(std::move(error)));
      }
      permit = std::move(*admitted);
    }

    // The last attempt the policy allows may take the request; earlier ones send a copy.
    Request attempt_request = attempt < max_attempts ? request : std::move(request);
    if (deadline != steady_clock::time_point::max()) {
      // The wrapped client gets what is left of the overall deadline (at least 1 ms: 0 would
      // mean "your defaults").
      const auto left = std::chrono::ceil<milliseconds>(remaining(deadline, clock_.steady_now()));
      attempt_request.timeout = left > milliseconds(1) ? left : milliseconds(1);
    }
    Result result = co_await inner_.send(std::move(attempt_request));
    permit.release();
    ++report.attempts;
    if (result && result->status == 429) ++report.throttled;

    const auto delay =
        options_.policy.next_delay(attempt, result, idempotent, clock_.system_now(), rng_);
    if (!delay) co_return finish(report, std::move(result));
    if (remaining(deadline, clock_.steady_now()) <= *delay) {
      log::debug("not retrying HTTP request: the delay would pass its deadline",
                 {{"method", std::string(to_string(report.method))},
                  {"host", target.host},
                  {"path", target.path},
                  {"delay_ms", std::to_string(delay->count())},
                  {"reason", describe(result)}});
      co_return finish(report, std::move(result));
    }

    // Throttling is the server working as intended; anything else is worth an operator's eye.
    const bool throttled = result && result->status == 429;
    log::write(throttled ? log::Level::info : log::Level::warn, "HTTP request failed, retrying",
               {{"method", std::string(to_string(report.method))},
                {"host", target.host},
                {"path", target.path},
                {"attempt", std::to_string(attempt)},
                {"max_attempts", std::to_string(max_attempts)},
                {"delay_ms", std::to_string(delay->count())},
                {"reason", describe(result)}});
    last = std::move(result);

    const asio::cancellation_state before_backoff = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(before_backoff)) co_return finish(report, cancelled());
    const steady_clock::time_point sleep_start = clock_.steady_now();
    asio::steady_timer timer(executor, *delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    report.backoff_wait += clock_.steady_now() - sleep_start;
  }
}

}  // namespace feedsync::net
