#include "net/time_system.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace feedsync::net {
namespace {

namespace asio = boost::asio;

class RealTimer final : public Timer {
 public:
  explicit RealTimer(asio::any_io_executor executor) : timer_(std::move(executor)) {}

  asio::awaitable<bool> wait_until(SteadyTime deadline) override {
    timer_.expires_at(deadline);  // cancels a pending wait, as the interface says
    boost::system::error_code ec;  // operation_aborted: cancelled (or the timer destroyed)
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
  asio::awaitable<bool> wait_for(SteadyTime::duration duration) override {
    timer_.expires_after(duration);
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
  void cancel() override { timer_.cancel(); }

 private:

  asio::steady_timer timer_;
};

}  // namespace

SteadyTime RealTimeSystem::steady_now() const { return std::chrono::steady_clock::now(); }

std::chrono::system_clock::time_point RealTimeSystem::system_now() const {
  return std::chrono::system_clock::now();
}

std::unique_ptr<Timer> RealTimeSystem::make_timer(asio::any_io_executor executor) {
  return std::make_unique<RealTimer>(std::move(executor));
}

}  // namespace feedsync::net
