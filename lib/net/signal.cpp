#include "net/signal.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace feedsync::net {

namespace asio = boost::asio;

Signal::Signal(asio::any_io_executor executor) : timer_(std::move(executor), asio::steady_timer::time_point::max()) {}

asio::awaitable<void> Signal::wait() {
  boost::system::error_code ec;  // operation_aborted is the notification
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void Signal::notify_all() { timer_.cancel(); }

}  // namespace feedsync::net
