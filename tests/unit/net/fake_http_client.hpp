#pragma once
// A scripted HttpClient for tests of anything that sends HTTP (the retrying decorator, feed and
// CMS clients). Replies come from a script, in order, then from `fallback`; every call is
// recorded with the request and the moment it arrived; concurrency is measured. Replies can
// take time (`latency`, on an asio timer), so tests with a real io_context can overlap calls;
// a cancelled caller cuts the latency short and still gets the scripted reply.
//
//   FakeHttpClient fake;
//   fake.push_status(503, {{"Retry-After", "1"}});
//   fake.push_status(200, {}, "{}");
//   ... co_await fake.send(request) ...
//   EXPECT_EQ(fake.calls().size(), 2u);

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "net/http_client.hpp"

namespace feedsync::testing {

class FakeHttpClient final : public net::HttpClient {
 public:
  struct Reply {
    net::Result result;
    std::chrono::milliseconds latency{0};
  };
  struct Call {
    net::Request request;
    std::chrono::steady_clock::time_point at;  // clock().steady_now() when send() was entered
  };

  // `clock` stamps the calls; the default is the real clock, matching the asio timers.
  explicit FakeHttpClient(const Clock* clock = nullptr) : clock_(clock ? clock : &system_clock_) {}

  void push(net::Result result, std::chrono::milliseconds latency = {}) {
    script_.push_back(Reply{std::move(result), latency});
  }
  void push_status(int status, net::Headers headers = {}, std::string body = {},
                   std::chrono::milliseconds latency = {}) {
    push(net::Response{status, std::move(headers), std::move(body)}, latency);
  }
  void push_error(net::ErrorKind kind, std::string message = "scripted failure",
                  std::chrono::milliseconds latency = {}) {
    push(unexpected(net::Error{kind, std::move(message)}), latency);
  }

  // Answers once the script is used up. Default: 200 with an empty body after `latency`.
  std::function<net::Result(const net::Request&)> fallback;
  std::chrono::milliseconds latency{0};

  const std::vector<Call>& calls() const { return calls_; }
  std::size_t in_flight() const { return in_flight_; }
  std::size_t max_in_flight() const { return max_in_flight_; }
  std::size_t script_left() const { return script_.size(); }

  boost::asio::awaitable<net::Result> send(net::Request request) override {
    calls_.push_back(Call{request, clock_->steady_now()});
    InFlight guard(*this);
    Reply reply = next(request);
    if (reply.latency > std::chrono::milliseconds::zero()) {
      const auto executor = co_await boost::asio::this_coro::executor;
      boost::asio::steady_timer timer(executor, reply.latency);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    co_return std::move(reply.result);
  }

 private:
  // Counts the call as in flight for as long as its frame lives, however it ends.
  class InFlight {
   public:
    explicit InFlight(FakeHttpClient& owner) : owner_(owner) {
      owner_.max_in_flight_ = std::max(owner_.max_in_flight_, ++owner_.in_flight_);
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    ~InFlight() { --owner_.in_flight_; }

   private:
    FakeHttpClient& owner_;
  };

  Reply next(const net::Request& request) {
    if (!script_.empty()) {
      Reply reply = std::move(script_.front());
      script_.pop_front();
      return reply;
    }
    if (fallback) return Reply{fallback(request), latency};
    return Reply{net::Response{200, {}, {}}, latency};
  }

  SystemClock system_clock_;
  const Clock* clock_;
  std::deque<Reply> script_;
  std::vector<Call> calls_;
  std::size_t in_flight_ = 0;
  std::size_t max_in_flight_ = 0;
};

}  // namespace feedsync::testing
