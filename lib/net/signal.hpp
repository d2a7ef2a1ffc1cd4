#pragma once
// A condition variable for coroutines on one executor: waiters wait until notify_all(). Not a
// timer: it never fires by itself, so it is the same under real and simulated time
// (time_system.hpp). E.g. "this group commit is done" with every writer of the group waiting.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace feedsync::net {

class Signal {
 public:
  explicit Signal(boost::asio::any_io_executor executor);
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  // Until the next notify_all() (or the signal's destruction). A notify_all() before the wait
  // began is not seen: keep a flag beside the signal for that.
  boost::asio::awaitable<void> wait();
  // Wakes every waiter now; later waits wait for the next notify_all().
  void notify_all();

 private:
  boost::asio::steady_timer timer_;  // never expires: cancel() is the notification
};

}  // namespace feedsync::net
