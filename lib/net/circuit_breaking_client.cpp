#include "net/circuit_breaking_client.hpp"

#include <random>
#include <utility>

#include "log/log.hpp"
#include "net/retry_policy.hpp"
#include "net/retrying_client.hpp"

namespace feedsync::net {
namespace {

using std::chrono::milliseconds;

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::string refusal(const std::string& origin, const CircuitBreaker& breaker,
                    const CircuitBreaker::Admission& admission) {
  std::string text = "circuit open for " + origin + " after " +
                     std::to_string(breaker.failures_in_a_row()) + " failures in a row";
  if (!breaker.last_failure().empty()) text += " (last: " + breaker.last_failure() + ")";
  text += admission.retry_in > milliseconds::zero()
              ? "; next probe in " + std::to_string(admission.retry_in.count()) + " ms"
              : "; a probe request is out";
  return text;
}

void log_change(const std::string& origin, const CircuitBreaker& breaker, CircuitBreaker::State now,
                SteadyTime at) {
  if (now == CircuitBreaker::State::closed) {
    log::info("circuit closed: the origin answers again", {{"origin", origin}});
    return;
  }
  const auto open_for = std::chrono::ceil<milliseconds>(breaker.open_until() - at);
  log::warn("circuit open: requests to the origin fail fast until a probe gets an answer",
            {{"origin", origin},
             {"failures", std::to_string(breaker.failures_in_a_row())},
             {"probe_in_ms", std::to_string(open_for.count())},
             {"reason", breaker.last_failure()}});
}

// Tells the breaker how an admitted request ended, however its frame ends: a frame destroyed
// mid-request (shutdown) must not leave a probe out forever, which would refuse everything.
class Outcome {
 public:
  Outcome(CircuitBreaker& breaker, bool probe) : breaker_(breaker), probe_(probe) {}
  Outcome(const Outcome&) = delete;
  Outcome& operator=(const Outcome&) = delete;
  ~Outcome() {
    if (!recorded_) breaker_.record(Verdict::no_verdict, probe_, SteadyTime{});
  }
  std::optional<CircuitBreaker::State> record(const Result& result, SteadyTime now) {
    recorded_ = true;
    const Verdict verdict = verdict_of(result);
    return breaker_.record(verdict, probe_, now, verdict == Verdict::failure ? describe(result) : "");
  }

 private:
  CircuitBreaker& breaker_;
  bool probe_;
  bool recorded_ = false;
};

}  // namespace

CircuitBreakingClient::CircuitBreakingClient(HttpClient& inner, const Clock& clock,
                                             CircuitBreakerOptions options,
                                             std::optional<std::uint64_t> seed)
    : inner_(inner), clock_(clock), options_(options), next_seed_(seed ? *seed : random_seed()) {}

CircuitBreakingClient::~CircuitBreakingClient() = default;

CircuitBreaker& CircuitBreakingClient::breaker_for(const std::string& origin) {
  auto it = breakers_.find(origin);
  if (it == breakers_.end())
    it = breakers_.emplace(origin, std::make_unique<CircuitBreaker>(options_, next_seed_++)).first;
  return *it->second;
}

std::optional<CircuitBreaker::State> CircuitBreakingClient::state_of(std::string_view origin) const {
  const auto it = breakers_.find(origin);
  if (it == breakers_.end()) return std::nullopt;
  return it->second->state();
}

boost::asio::awaitable<Result> CircuitBreakingClient::send(Request request) {
  // An unparseable URL goes through: the wrapped client names the problem.
  const std::optional<std::string> origin = origin_of(request.url);
  if (!origin) co_return co_await inner_.send(std::move(request));
  CircuitBreaker& breaker = breaker_for(*origin);
  const CircuitBreaker::Admission admission = breaker.admit(clock_.steady_now());
  if (!admission.allowed)
    co_return unexpected(Error{ErrorKind::circuit_open, refusal(*origin, breaker, admission)});

  Outcome outcome(breaker, admission.probe);
  Result result = co_await inner_.send(std::move(request));
  const SteadyTime now = clock_.steady_now();
  if (const auto changed = outcome.record(result, now)) log_change(*origin, breaker, *changed, now);
  co_return result;
}

}  // namespace feedsync::net
