#pragma once
// Runs one coroutine to completion on an io_context of its own thread and returns its result
// (rethrowing what it threw): for the one-shot commands and for tests, which drive the same
// awaitables as the daemon's event loop without one of their own. The context is restarted, so
// it can run the next coroutine.

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace feedsync::net {

template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.run();
  io.restart();
  return future.get();
}

}  // namespace feedsync::net
