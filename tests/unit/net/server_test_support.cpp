// The bodies of server_test_support.hpp, compiled once into feedsync_net_test_support.
#include "unit/net/server_test_support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>

namespace feedsync::net::testing {

LoopThread::LoopThread() : work_(asio::make_work_guard(io_)) {
  thread_ = std::thread([this] {
    io_.run();
    done_.set_value();
  });
}

LoopThread::~LoopThread() {
  work_.reset();
  auto done = done_.get_future();
  if (done.wait_for(kWait) != std::future_status::ready) io_.stop();
  thread_.join();
}

void LoopThread::run(std::function<void()> f) {
  std::packaged_task<void()> task(std::move(f));
  auto future = task.get_future();
  asio::post(io_, [&task] { task(); });
  get_bounded(future, "the server loop");
}

void LoopThread::await(asio::awaitable<void> op) {
  auto future = asio::co_spawn(io_, std::move(op), asio::use_future);
  get_bounded(future, "a coroutine on the server loop");
}

TestServer::TestServer(ServerOptions options, Router router) {
  loop_.call([&] {
    server_ = std::make_unique<HttpServer>(loop_.io(), std::move(options), std::move(router));
    server_->start();
    port_ = server_->port();
  });
}

TestServer::~TestServer() {
  stop(1s);
  loop_.call([&] { server_.reset(); });
}

std::size_t TestServer::connections_accepted() {
  return loop_.call([&] { return server_->connections_accepted(); });
}

void TestServer::wait_accepted(std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (connections_accepted() < n)
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("connections not accepted");
}

void TestServer::stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  loop_.await(server_->stop(grace));
}

std::future<void> TestServer::stop_async(std::chrono::milliseconds grace) {
  stopped_ = true;
  return loop_.call([&] { return asio::co_spawn(loop_.io(), server_->stop(grace), asio::use_future); });
}

template <class Stream>
boost::system::error_code BasicClient<Stream>::connect(unsigned short port) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  return run_op([&](Done done) { stream_.lowest_layer().async_connect(endpoint, [done](auto ec) { done(ec, 0); }); });
}

template <class Stream>
boost::system::error_code BasicClient<Stream>::write(std::string_view bytes) {
  return run_op([&](Done done) { asio::async_write(stream_, asio::buffer(bytes), done); });
}

template <class Stream>
boost::system::error_code BasicClient<Stream>::read_more() {
  std::array<char, 65536> chunk;
  std::size_t got = 0;
  auto ec = run_op([&](Done done) {
    stream_.async_read_some(asio::buffer(chunk), [&got, done](auto e, std::size_t n) {
      got = n;
      done(e, n);
    });
  });
  pending_.append(chunk.data(), got);
  return ec;
}

template <class Stream>
std::optional<RawResponse> BasicClient<Stream>::read_response(boost::system::error_code* error, bool head) {
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

template <class Stream>
boost::system::error_code BasicClient<Stream>::read_until_closed() {
  for (;;)
    if (auto ec = read_more()) return ec;
}

template <class Stream>
boost::system::error_code BasicClient<Stream>::run_started(std::function<void(Done)> start) {
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

template <class Stream>
std::optional<RawResponse> BasicClient<Stream>::fail(boost::system::error_code* error, boost::system::error_code ec) {
  if (error) *error = ec;
  return std::nullopt;
}

template class BasicClient<tcp::socket>;
template class BasicClient<asio::ssl::stream<tcp::socket>>;

std::unique_ptr<RawClient> connect_client(unsigned short port, std::chrono::milliseconds timeout) {
  auto client = std::make_unique<RawClient>(timeout);
  if (auto ec = client->connect(port)) throw std::runtime_error("connect failed: " + ec.message());
  return client;
}

asio::awaitable<void> Gate::wait() {
  if (!signalled_) {
    signalled_ = true;
    entered_.set_value();
  }
  while (!open_) {
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void Gate::open() {
  open_ = true;
  timer_.cancel();
}

void Gate::wait_entered() {
  auto future = entered_.get_future();
  get_bounded(future, "a handler to reach the gate");
}

std::string get_request(std::string_view target, std::string_view extra_headers) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

}  // namespace feedsync::net::testing
