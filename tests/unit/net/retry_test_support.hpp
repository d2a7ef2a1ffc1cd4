#pragma once
// Running coroutines from tests. asio::co_spawn hands a default-constructed T to its handler
// on an exception, and net::Result has no default, so results travel through an optional that
// a small wrapper coroutine fills in.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

namespace feedsync::testing {

template <class T>
boost::asio::awaitable<void> store_result(boost::asio::awaitable<T> task, std::optional<T>* out) {
  *out = co_await std::move(task);
}

inline void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

// Starts `task`; its result lands in *out when it finishes. Exceptions escape io.run().
template <class T>
void spawn_into(boost::asio::io_context& io, boost::asio::awaitable<T> task,
                std::optional<T>* out) {
  boost::asio::co_spawn(io, store_result(std::move(task), out), rethrow);
}

// As spawn_into, cancellable through `signal`.
template <class T>
void spawn_into(boost::asio::io_context& io, boost::asio::awaitable<T> task, std::optional<T>* out,
                boost::asio::cancellation_signal& signal) {
  boost::asio::co_spawn(io, store_result(std::move(task), out),
                        boost::asio::bind_cancellation_slot(signal.slot(), rethrow));
}

// Runs `task` to completion on a fresh io_context.
template <class T>
T run_to_completion(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  spawn_into(io, std::move(task), &out);
  io.run();
  return std::move(*out);
}

}  // namespace feedsync::testing
