#pragma once
// Keep-alive connections per origin for the Beast client. Internal to lib/net (Beast types).
//
// One io_context thread (DESIGN.md §3), so no locks: the pool is touched only from coroutines on
// that thread. A slot is counted from the moment a request is allowed to open a connection until
// that connection is closed, so `max_per_origin` bounds connecting, busy and idle ones together.

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/expected.hpp"

namespace feedsync::net {

// The monotonic clock of deadlines and idle times inside lib/net (not the injectable
// feedsync::Clock of core/clock.hpp, which the rate limiter and retries read).
using SteadyClock = std::chrono::steady_clock;

struct Connection {
  explicit Connection(const boost::asio::any_io_executor& executor)
      : plain(std::in_place, executor) {}

  // Exactly one of the two is engaged: TLS wraps (and takes over) the TCP stream.
  std::optional<boost::beast::tcp_stream> plain;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
  // Kept with the connection: bytes past the end of one response belong to the next one.
  boost::beast::flat_buffer buffer;
  SteadyClock::time_point idle_since{};
  std::size_t requests = 0;

  boost::beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }
  // Cheap liveness check for an idle connection: a FIN (or any unsolicited byte) already received
  // means the server has given up on it. Catches the common stale case before a request is sent,
  // which matters most for requests that may not be retried.
  bool looks_alive();
  void close();
};

class ConnectionPool;

// A slot in one origin's budget, with the connection using it once there is one. Destroying a
// lease closes the connection and frees the slot; give_back() keeps the connection for reuse.
class Lease {
  ConnectionPool* pool_ = nullptr;
  std::string key_;

 public:
  Lease() = default;
  Lease(ConnectionPool* pool, std::string key, std::unique_ptr<Connection> conn, bool reused)
      : pool_(pool), key_(std::move(key)), conn(std::move(conn)), reused(reused) {}
  Lease(Lease&& other) noexcept { *this = std::move(other); }
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  void give_back();  // connection stays open for the next request to this origin

  std::unique_ptr<Connection> conn;  // null: the holder must open one
  bool reused = false;               // conn came from the pool (it may turn out stale)

 private:
  void release(bool keep);
};

struct PoolError {
  std::string message;
  bool cancelled = false;  // the request was cancelled while waiting, rather than timing out
};

class ConnectionPool {
 public:
  ConnectionPool(boost::asio::any_io_executor executor, std::size_t max_per_origin,
                 std::chrono::milliseconds idle_timeout)
      : executor_(std::move(executor)),
        max_per_origin_(max_per_origin),
        idle_timeout_(idle_timeout) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A reused idle connection, or a slot to open a new one, waiting for one to free up when the
  // origin is at its limit. Fails when `deadline` passes first. The pool must outlive the
  // coroutine (the client keeps it alive through a shared_ptr in every request's frame).
  static boost::asio::awaitable<Expected<Lease, PoolError>> acquire(ConnectionPool* pool,
                                                                    std::string key,
                                                                    SteadyClock::time_point deadline);

  // Closes idle connections past the idle timeout (all of them when `all`). The pool runs no
  // timer of its own, so that an io_context with nothing else to do can return from run(): it
  // sweeps on every acquire and release instead, and a connection idle for too long is never
  // reused.
  void close_idle(bool all = false);

  std::size_t idle_count() const;
  std::size_t open_count() const;

 private:
  friend class Lease;
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& ex) : timer(ex) {}
    boost::asio::steady_timer timer;
    std::unique_ptr<Connection> handed;  // an idle connection passed straight to this waiter
    bool slot = false;                   // or permission to open a new one
    bool woken = false;
  };
  struct Origin {
    std::list<std::unique_ptr<Connection>> idle;  // most recently used at the back
    std::size_t open = 0;                         // slots in use, idle connections included
    std::list<std::shared_ptr<Waiter>> waiters;   // first come, first served
  };

  void release(const std::string& key, std::unique_ptr<Connection> conn, bool keep);
  void forget_waiter(const std::string& key, const std::shared_ptr<Waiter>& waiter);

  boost::asio::any_io_executor executor_;
  std::size_t max_per_origin_;
  std::chrono::milliseconds idle_timeout_;
  std::map<std::string, Origin> origins_;  // never erased: references stay valid across waits
};

}  // namespace feedsync::net
