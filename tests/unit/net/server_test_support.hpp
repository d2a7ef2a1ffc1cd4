#pragma once
// Helpers for the HttpServer tests: the server runs on its own io_context thread (as in the
// daemon), test clients are raw sockets on a second io_context driven from the test thread, and
// every wait is bounded by a deadline so a broken server fails a test instead of hanging it.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

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
  LoopThread() : work_(asio::make_work_guard(io_)) {
    thread_ = std::thread([this] {
      io_.run();
      done_.set_value();
    });
  }
  ~LoopThread() {
    work_.reset();
    auto done = done_.get_future();
    if (done.wait_for(kWait) != std::future_status::ready) io_.stop();
    thread_.join();
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  asio::io_context& io() { return io_; }

  // Runs `f` on the loop thread and returns its result.
  template <class F>
  auto call(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto future = task.get_future();
    asio::post(io_, [&task] { task(); });
    return get_bounded(future, "the server loop");
  }

  // Runs an awaitable on the loop thread and waits for it.
  template <class T>
  T await(asio::awaitable<T> op) {
    auto future = asio::co_spawn(io_, std::move(op), asio::use_future);
    return get_bounded(future, "a coroutine on the server loop");
  }
  void await(asio::awaitable<void> op) {
    auto future = asio::co_spawn(io_, std::move(op), asio::use_future);
    get_bounded(future, "a coroutine on the server loop");
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::promise<void> done_;
  std::thread thread_;
};

// An HttpServer on a LoopThread, started on port 0.
class TestServer {
 public:
  TestServer(ServerOptions options, Router router) {
    loop_.call([&] {
      server_ = std::make_unique<HttpServer>(loop_.io(), std::move(options), std::move(router));
      server_->start();
      port_ = server_->port();
    });
  }
  ~TestServer() {
    stop(1s);
    loop_.call([&] { server_.reset(); });
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  unsigned short port() const { return port_; }
  LoopThread& loop() { return loop_; }
  HttpServer& server() { return *server_; }
  std::size_t connections_accepted() { return loop_.call([&] { return server_->connections_accepted(); }); }
  // Waits (in loop round trips, up to kWait) until the server has accepted `n` connections: a
  // connect() completes in the kernel's backlog before the server has seen it.
  void wait_accepted(std::size_t n) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (connections_accepted() < n)
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("connections not accepted");
  }
  void stop(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    loop_.await(server_->stop(grace));
  }
  // Starts stop() on the loop without waiting for it.
  std::future<void> stop_async(std::chrono::milliseconds grace) {
    stopped_ = true;
    return loop_.call([&] { return asio::co_spawn(loop_.io(), server_->stop(grace), asio::use_future); });
  }

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
// at most `timeout`, then is cancelled and reported as timed_out.
template <class Stream>
class BasicClient {
 public:
  template <class... Args>
  explicit BasicClient(std::chrono::milliseconds timeout, Args&&... args)
      : timeout_(timeout), stream_(io_, std::forward<Args>(args)...) {}

  Stream& stream() { return stream_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  boost::system::error_code connect(unsigned short port) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    return run_op([&](auto done) { stream_.lowest_layer().async_connect(endpoint, [done](auto ec) { done(ec, 0); }); });
  }

  boost::system::error_code write(std::string_view bytes) {
    return run_op([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }

  // Reads more bytes into the pending buffer.
  boost::system::error_code read_more() {
    std::array<char, 65536> chunk;
    std::size_t got = 0;
    auto ec = run_op([&](auto done) {
      stream_.async_read_some(asio::buffer(chunk), [&got, done](auto e, std::size_t n) {
        got = n;
        done(e, n);
      });
    });
    pending_.append(chunk.data(), got);
    return ec;
  }

  // Reads one response framed by Content-Length (none for HEAD, 1xx, 204, 304).
  std::optional<RawResponse> read_response(boost::system::error_code* error = nullptr, bool head = false) {
    boost::system::error_code ec;
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
      if ((ec = read_more())) return fail(error, ec);
    RawResponse out;
    std::string_view head_block(pending_.data(), end);
    auto line_end = head_block.find("\r\n");
    std::string_view status_line = head_block.substr(0, line_end);
    if (status_line.size() < 12) return fail(error, asio::error::invalid_argument);
    std::from_chars(status_line.data() + 9, status_line.data() + 12, out.status);
    std::size_t pos = line_end == std::string_view::npos ? head_block.size() : line_end + 2;
    while (pos < head_block.size()) {
      auto next = head_block.find("\r\n", pos);
      if (next == std::string_view::npos) next = head_block.size();
      auto line = head_block.substr(pos, next - pos);
      auto colon = line.find(':');
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      out.headers.add(std::string(line.substr(0, colon)), std::string(value));
      pos = next + 2;
    }
    pending_.erase(0, end + 4);
    std::size_t length = 0;
    if (auto cl = out.headers.get("Content-Length")) std::from_chars(cl->data(), cl->data() + cl->size(), length);
    if (head || out.status < 200 || out.status == 204 || out.status == 304) length = 0;
    while (pending_.size() < length)
      if ((ec = read_more())) return fail(error, ec);
    out.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return out;
  }

  // Reads until the connection ends; returns why it ended (eof, connection_reset, timed_out).
  boost::system::error_code read_until_closed() {
    for (;;)
      if (auto ec = read_more()) return ec;
  }

  std::string& pending() { return pending_; }

  // Starts one operation with `start(done)` and runs it to completion or the timeout.
  template <class Start>
  boost::system::error_code run_op(Start start) {
    boost::system::error_code result;
    bool finished = false;
    start([&result, &finished](boost::system::error_code ec, std::size_t) {
      result = ec;
      finished = true;
    });
    io_.restart();
    io_.run_for(timeout_);
    if (!finished) {
      boost::system::error_code ignored;
      stream_.lowest_layer().cancel(ignored);
      io_.restart();
      io_.run();
      return asio::error::timed_out;
    }
    return result;
  }

 private:
  std::optional<RawResponse> fail(boost::system::error_code* error, boost::system::error_code ec) {
    if (error) *error = ec;
    return std::nullopt;
  }

  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  Stream stream_;
  std::string pending_;
};

using RawClient = BasicClient<tcp::socket>;

// A connected plain client, failing the test if it cannot connect.
inline std::unique_ptr<RawClient> connect_client(unsigned short port, std::chrono::milliseconds timeout = 5s) {
  auto client = std::make_unique<RawClient>(timeout);
  if (auto ec = client->connect(port)) throw std::runtime_error("connect failed: " + ec.message());
  return client;
}

// A test-controlled barrier for handlers: they wait() until the test open()s it (on the loop
// thread); `entered` tells the test a handler is waiting.
class Gate {
 public:
  explicit Gate(asio::io_context& io) : timer_(io) {}
  asio::awaitable<void> wait() {
    if (!signalled_) {
      signalled_ = true;
      entered_.set_value();
    }
    while (!open_) {
      timer_.expires_at(asio::steady_timer::time_point::max());
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
  void open() {
    open_ = true;
    timer_.cancel();
  }
  void wait_entered() {
    auto future = entered_.get_future();
    get_bounded(future, "a handler to reach the gate");
  }

 private:
  asio::steady_timer timer_;
  bool open_ = false;
  bool signalled_ = false;
  std::promise<void> entered_;
};

inline std::string get_request(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

}  // namespace feedsync::net::testing
