#pragma once
// Helpers for the HttpServer tests: the server runs on its own io_context thread (as in the
// daemon), test clients are raw sockets on a second io_context driven from the test thread, and
// every wait is bounded by a deadline so a broken server fails a test instead of hanging it.
//
// Declarations only: the bodies are compiled once, into feedsync_net_test_support
// (server_test_support.cpp), not in each of the ~30 test files that include this one.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "net/server.hpp"

namespace feedsync::net::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

inline constexpr auto kWait = std::chrono::seconds(10);  // generous bound for "should happen"

template <class T>
T get_bounded(std::future<T>& future, const char* what) {
  if (future.wait_for(kWait) != std::future_status::ready)
    throw std::runtime_error(std::string("timed out waiting for ") + what);
  return future.get();
}

// Runs the server's io_context on a background thread.
class LoopThread {
 public:
  LoopThread();
  ~LoopThread();
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  asio::io_context& io() { return io_; }

  // Runs `f` on the loop thread and returns its result (an exception from `f` is rethrown here).
  template <class F>
  auto call(F f) -> decltype(f()) {
    using R = decltype(f());
    if constexpr (std::is_void_v<R>) {
      run(std::function<void()>(std::move(f)));
    } else if constexpr (std::is_reference_v<R>) {
      std::remove_reference_t<R>* out = nullptr;
      run([&] { out = &f(); });
      return static_cast<R>(*out);
    } else {
      std::optional<R> out;
      run([&] { out.emplace(f()); });
      return std::move(*out);
    }
  }

  // Runs an awaitable on the loop thread and waits for it.
  void await(asio::awaitable<void> op);
  template <class T>
  T await(asio::awaitable<T> op) {
    std::optional<T> out;
    await(store_result(std::move(op), out));
    return std::move(*out);
  }

 private:
  void run(std::function<void()> f);
  template <class T>
  static asio::awaitable<void> store_result(asio::awaitable<T> op, std::optional<T>& out) {
    out.emplace(co_await std::move(op));
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::promise<void> done_;
  std::thread thread_;
};

// An HttpServer on a LoopThread, started on port 0.
class TestServer {
 public:
  TestServer(ServerOptions options, Router router);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  unsigned short port() const { return port_; }
  LoopThread& loop() { return loop_; }
  HttpServer& server() { return *server_; }
  std::size_t connections_accepted();
  // Waits (in loop round trips, up to kWait) until the server has accepted `n` connections: a
  // connect() completes in the kernel's backlog before the server has seen it.
  void wait_accepted(std::size_t n);
  void stop(std::chrono::milliseconds grace);
  // Starts stop() on the loop without waiting for it.
  std::future<void> stop_async(std::chrono::milliseconds grace);

 private:
  LoopThread loop_;
  std::unique_ptr<HttpServer> server_;
  unsigned short port_ = 0;
  bool stopped_ = false;
};

struct RawResponse {
  int status = 0;
  Headers headers;
  std::string body;
};

// A test client that sends exact bytes. Each operation runs on the client's own io_context for
// at most `timeout`, then is cancelled and reported as timed_out. Instantiated once, in
// server_test_support.cpp, for a plain socket and a TLS stream (`extern template` below).
template <class Stream>
class BasicClient {
 public:
  template <class... Args>
  explicit BasicClient(std::chrono::milliseconds timeout, Args&&... args)
      : timeout_(timeout), stream_(io_, std::forward<Args>(args)...) {}

  Stream& stream() { return stream_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  boost::system::error_code connect(unsigned short port);
  boost::system::error_code write(std::string_view bytes);
  // Reads more bytes into the pending buffer.
  boost::system::error_code read_more();
  // Reads one response framed by Content-Length (none for HEAD, 1xx, 204, 304).
  std::optional<RawResponse> read_response(boost::system::error_code* error = nullptr, bool head = false);
  // Reads until the connection ends; returns why it ended (eof, connection_reset, timed_out).
  boost::system::error_code read_until_closed();

  std::string& pending() { return pending_; }

  using Done = std::function<void(boost::system::error_code, std::size_t)>;
  // Starts one operation with `start(done)` and runs it to completion or the timeout.
  template <class Start>
  boost::system::error_code run_op(Start start) {
    return run_started(std::function<void(Done)>(std::move(start)));
  }

 private:
  boost::system::error_code run_started(std::function<void(Done)> start);
  std::optional<RawResponse> fail(boost::system::error_code* error, boost::system::error_code ec);

  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  Stream stream_;
  std::string pending_;
};

extern template class BasicClient<tcp::socket>;
using RawClient = BasicClient<tcp::socket>;

// A connected plain client, failing the test if it cannot connect.
std::unique_ptr<RawClient> connect_client(unsigned short port, std::chrono::milliseconds timeout = 5s);

// A test-controlled barrier for handlers: they wait() until the test open()s it (on the loop
// thread); `entered` tells the test a handler is waiting.
class Gate {
 public:
  explicit Gate(asio::io_context& io) : timer_(io) {}
  asio::awaitable<void> wait();
  void open();
  void wait_entered();

 private:
  asio::steady_timer timer_;
  bool open_ = false;
  bool signalled_ = false;
  std::promise<void> entered_;
};

std::string get_request(std::string_view target, std::string_view extra_headers = "");

}  // namespace feedsync::net::testing
