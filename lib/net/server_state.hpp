#pragma once
// Internal to lib/net: what the listener (server.cpp) and the connection sessions
// (server_session.cpp) share. Sessions hold the state by shared_ptr, so a session that outlives
// the HttpServer object (destroyed without stop()) never touches freed memory.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "net/server.hpp"

namespace feedsync::net {
namespace detail {

// What the server may ask of a live connection.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  // Closes the connection if it is between requests (or not yet into one); otherwise marks it to
  // close after the response in flight.
  virtual void close_if_idle() = 0;
  // Aborts the connection now and cancels its handler.
  virtual void force_close() = 0;
  // Whether it may be dropped to make room for a new connection at max_connections: it is
  // between requests or still reading one (a slow or trickling client), not being answered,
  // and not dropped already.
  virtual bool evictable() const = 0;
  virtual bool dropped() const = 0;  // force_close() was called: it no longer holds a slot
};

// Starts serving an accepted connection; returns at once.
void start_session(std::shared_ptr<HttpServer::State> state, boost::asio::ip::tcp::socket socket);

}  // namespace detail

struct HttpServer::State {
  State(boost::asio::io_context& io_, ServerOptions options_, Router router_)
      : io(io_), options(std::move(options_)), router(std::move(router_)), acceptor(io_), slot_freed(io_) {}

  boost::asio::io_context& io;
  const ServerOptions options;
  const Router router;
  std::optional<boost::asio::ssl::context> tls;
  boost::asio::ip::tcp::acceptor acceptor;
  unsigned short port = 0;
  bool stopping = false;

  std::map<std::uint64_t, detail::SessionControl*> sessions;
  std::uint64_t next_session_id = 1;
  std::size_t accepted = 0;
  std::size_t served = 0;
  std::size_t evicted = 0;  // dropped to make room at max_connections

  // Single-threaded wake-ups: a waiter parks on a timer that never expires by itself (or at its
  // deadline) and is woken by cancel(). The accept loop parks on slot_freed when at
  // max_connections; each stop() call parks on its own timer in drain_waiters.
  boost::asio::steady_timer slot_freed;
  std::vector<boost::asio::steady_timer*> drain_waiters;

  std::uint64_t add_session(detail::SessionControl* session) {
    auto id = next_session_id++;
    sessions.emplace(id, session);
    return id;
  }
  void remove_session(std::uint64_t id) {
    sessions.erase(id);
    slot_freed.cancel();
    for (auto* waiter : drain_waiters) waiter->cancel();
  }
};

}  // namespace feedsync::net
