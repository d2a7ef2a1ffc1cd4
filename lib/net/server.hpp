#pragma once
// The HTTP/1.1 server behind the daemon's /livez, /readyz, /metrics, admin endpoints and the
// simulator (DESIGN.md §7, §8). Beast + Asio underneath, but this header only needs Asio: Beast
// stays inside lib/net's .cpp files (DESIGN.md §2).
//
// Runtime model (DESIGN.md §3): everything runs on the one io_context passed in, on its one
// thread; handlers are coroutines on that thread (see server_message.hpp for the GCC 12 rules).
// Every public member function must be called on that thread (or before it runs).
//
// Behaviour on the wire:
//   - keep-alive by default for HTTP/1.1, `Connection: close` honoured, pipelining works;
//   - a deadline before every I/O step: header_timeout for the header block (counted from its
//     first byte, so a slowloris client is dropped while others are served), body_timeout for the
//     body, idle_timeout between requests on a kept-alive connection, write_timeout per response;
//   - body over max_body (or the matched route's own cap, Router::add with max_body): 413; header block over 16 KiB: 431; malformed request: 400; a method
//     other than GET/HEAD/POST/PUT/PATCH/DELETE: 501 — each followed by a close;
//   - a handler that throws: 500 with a generic body, the exception is logged;
//   - one debug access-log line per request (method, path, status, bytes, duration_ms, peer);
//   - at most max_connections at once: further clients wait in the listen backlog.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/router.hpp"
#include "net/server_message.hpp"

namespace feedsync::net {

struct ServerTlsOptions {
  std::string cert_file;  // PEM certificate chain, leaf first
  std::string key_file;   // PEM private key
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;  // 0: the OS picks one; read it back with HttpServer::port()
  std::size_t max_body = 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // complete header block, from its first byte
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  // How long a closing connection waits for the client's side: after an error response the
  // unread rest of the request is drained so the client's kernel does not answer our response
  // with a reset and lose it; TLS waits this long for the peer's close_notify.
  std::chrono::milliseconds close_timeout{2'000};
  // At this many connections a new one takes the slot of the oldest idle or still-reading one
  // (slow clients cannot lock others out); only when all are being answered does it wait.
  std::size_t max_connections = 512;
  std::optional<ServerTlsOptions> tls;
  // Called for a request refused before any handler saw it because its body was over the cap
  // (413), with the matched route's pattern ("" when no route matched). For metrics.
  std::function<void(const std::string& route)> on_body_too_large;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerOptions options, Router router);
  // Closes the listener and aborts every connection without waiting. Call stop() first for a
  // graceful end; handlers still suspended are cancelled when the io_context next runs them.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts accepting (once the io_context runs). Throws std::system_error
  // (address in use, unknown host) or std::runtime_error (unreadable TLS certificate or key):
  // start-up configuration errors.
  void start();
  // The bound port: the OS's pick when options.port was 0. 0 before start().
  unsigned short port() const;

  // Graceful stop, awaited by the caller (the daemon's shutdown coroutine; tests co_spawn it):
  //  1. stops accepting (new connections are refused);
  //  2. closes idle keep-alive connections at once;
  //  3. lets requests in flight finish (each response goes out with `Connection: close`) until
  //     `grace` has passed;
  //  4. then aborts what is left (sockets closed, suspended handlers cancelled) and returns once
  //     every connection has ended.
  // Calling it again (or concurrently) is harmless: each call returns once all have ended.
  boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);

  // Counters for tests and metrics.
  std::size_t connections_accepted() const;
  // Idle or slow connections dropped to make room for a new one at max_connections.
  std::size_t connections_evicted() const;
  std::size_t active_connections() const;
  std::size_t requests_served() const;

  struct State;  // shared with the connection sessions (server_state.hpp)

 private:
  std::shared_ptr<State> state_;
};

}  // namespace feedsync::net
