#pragma once
// One accepted connection: reads requests, runs handlers, writes responses, for as long as the
// connection is kept alive. The same code serves plain TCP and TLS (a template over the stream).
//
// Private to lib/net: included by exactly two files, each instantiating the session for one
// stream type (server_session.cpp plain TCP, server_session_tls.cpp TLS), so the two halves of
// lib/net's largest translation unit compile in parallel. The anonymous namespace gives each of
// the two its own copy.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "log/log.hpp"
#include "net/server_state.hpp"
#include "net/server_wire.hpp"

namespace feedsync::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Where a connection is: stop() closes idle and closing ones at once and lets the rest finish.
enum class Phase { idle, reading, handling, writing, closing };

enum class Next { keep_alive, close, drop };

// What one request/response exchange looked like, for the access log.
struct Exchange {
  std::string method = "-";
  std::string path = "-";
  std::string status = "-";
  std::size_t bytes = 0;
  SteadyClock::time_point started = SteadyClock::now();
};

template <class Stream>
class Session final : public SessionControl {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(std::shared_ptr<HttpServer::State> state, Stream stream, std::string peer)
      : state_(std::move(state)), stream_(std::move(stream)), peer_(std::move(peer)),
        cancel_(std::make_shared<asio::cancellation_signal>()) {
    id_ = state_->add_session(this);
  }
  ~Session() override { state_->remove_session(id_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::shared_ptr<asio::cancellation_signal>& cancel_signal() const { return cancel_; }

  // The session object lives as long as this coroutine: `self` is its frame's owner.
  static asio::awaitable<void> run(std::shared_ptr<Session> self) {
    try {
      auto serving = self->serve();
      co_await std::move(serving);
    } catch (const std::exception& e) {
      // Only an aborted session gets here (a cancelled operation throws); nothing to answer.
      log::debug("http connection aborted", {{"peer", self->peer_}, {"error", e.what()}});
    }
  }

  void close_if_idle() override {
    close_after_response_ = true;
    if (phase_ == Phase::idle || phase_ == Phase::closing) close_socket();
  }

  bool dropped() const override { return aborted_; }

  bool evictable() const override {
    return !aborted_ && (phase_ == Phase::idle || phase_ == Phase::reading);
  }

  void force_close() override {
    close_after_response_ = true;
    aborted_ = true;
    close_socket();
    cancel_->emit(asio::cancellation_type::terminal);
  }

 private:
  const ServerOptions& options() const { return state_->options; }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void close_socket() {
    boost::system::error_code ignored;
    lowest().socket().close(ignored);
  }

  asio::awaitable<void> serve() {
    if constexpr (kTls) {
      lowest().expires_after(options().header_timeout);
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, use_nothrow);
      if (ec) {
        log::debug("http tls handshake failed", {{"peer", peer_}, {"error", ec.message()}});
        co_return;
      }
    }
    bool first = true;
    for (;;) {
      phase_ = Phase::idle;
      state_->slot_freed.cancel();  // idle: a newcomer waiting at max_connections may take its place
      if (close_after_response_) break;
      if (buffer_.size() == 0) {
        // Waiting for the next request is not part of its header timeout: the first byte starts
        // that clock, so slow-but-idle keep-alive clients are told apart from slowloris ones.
        lowest().expires_after(first ? options().header_timeout : options().idle_timeout);
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), use_nothrow);
        if (ec) co_return;  // closed, idle too long or stopped: nothing to answer
        buffer_.commit(n);
      }
      first = false;
      phase_ = Phase::reading;
      auto one = exchange();
      Next next = co_await std::move(one);
      if (next == Next::drop) co_return;
      if (next == Next::close) break;
    }
    auto closing = close_gracefully();
    co_await std::move(closing);
  }

  // Reads one request and answers it.
  asio::awaitable<Next> exchange() {
    Exchange log_entry;
    parser_.emplace();
    // The largest cap any route has, until the header says which route this is: Beast checks a
    // Content-Length against the limit as soon as the header is complete.
    limit_request(*parser_, std::max(options().max_body, state_->router.max_route_body()));

    lowest().expires_after(options().header_timeout);
    auto [header_ec, header_n] = co_await http::async_read_header(stream_, buffer_, *parser_, use_nothrow);
    if (!header_ec) {
      const auto& header = parser_->get();
      log_entry.method = std::string(header.method_string());
      std::string_view target = header.target();
      log_entry.path = std::string(target.substr(0, target.find('?')));
    }
    // The matched route's pattern: its body cap applies from here on.
    std::string route = header_ec && header_ec != http::error::body_limit ? std::string() : apply_route_body_limit();
    // Beast checks a Content-Length against the limit only when the header completes: a route's
    // smaller cap is checked here.
    if (!header_ec && parser_->content_length() && *parser_->content_length() > route_body_limit_) {
      header_ec = http::error::body_limit;
    }
    if (!header_ec && !parser_->is_done()) {
      if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser_->get().version()};
        lowest().expires_after(options().write_timeout);
        auto [ec, n] = co_await http::async_write(stream_, go_on, use_nothrow);
        if (ec) co_return Next::drop;
      }
      lowest().expires_after(options().body_timeout);
      auto [body_ec, body_n] = co_await http::async_read(stream_, buffer_, *parser_, use_nothrow);
      header_ec = body_ec;
    }
    if (header_ec) {
      auto failure = classify_read_error(header_ec);
      if (failure == ReadFailure::drop) {
        log::debug("http connection dropped", {{"peer", peer_}, {"error", header_ec.message()}});
        co_return Next::drop;
      }
      int status = status_for(failure);
      if (status == 413 && options().on_body_too_large) options().on_body_too_large(route);
      // The rest of the request may still be arriving: drain it before closing.
      unread_request_ = true;
      auto answer = respond(error_response(status), 11, false, false, std::move(log_entry));
      Next next = co_await std::move(answer);
      co_return next;
    }

    WireRequest wire = parser_->release();
    parser_.reset();
    bool keep_alive = wire.keep_alive();
    bool head = wire.method() == http::verb::head;
    unsigned version = wire.version();
    auto handling = dispatch(std::move(wire));
    ServerResponse response = co_await std::move(handling);
    auto answer = respond(std::move(response), version, head, keep_alive, std::move(log_entry));
    Next next = co_await std::move(answer);
    co_return next;
  }

  // The matched route's body cap (Router::add with max_body) or else the server's, set before
  // the body is read. Returns the matched route's pattern, "" when none matched.
  std::string apply_route_body_limit() {
    const auto& header = parser_->get();
    auto target = parse_target(std::string_view(header.target()));
    auto method = parse_method(std::string_view(header.method_string()));
    route_body_limit_ = options().max_body;
    if (!target || !method) {
      parser_->body_limit(route_body_limit_);
      return {};
    }
    auto match = state_->router.match(*method, target->segments);
    if (match.outcome == Router::Outcome::found) route_body_limit_ = match.max_body.value_or(options().max_body);
    parser_->body_limit(route_body_limit_);
    return match.outcome == Router::Outcome::found ? match.route : std::string();
  }

  // Routes the request and runs its handler; every failure becomes a response.
  asio::awaitable<ServerResponse> dispatch(WireRequest wire) {
    auto routed = route_request(state_->router, std::move(wire), peer_);
    if (auto* answer = std::get_if<ServerResponse>(&routed)) co_return std::move(*answer);
    const Handler& handler = *std::get<Routed>(routed).handler;
    ServerRequest request = std::move(std::get<Routed>(routed).request);

    phase_ = Phase::handling;
    std::string route = request.route;
    try {
      auto pending = handler(std::move(request));
      ServerResponse response = co_await std::move(pending);
      co_return response;
    } catch (const std::exception& e) {
      // A handler cancelled by force_close() has not failed; nobody is left to answer anyway.
      if (aborted_) throw;
      log::error("http handler failed", {{"route", route}, {"peer", peer_}, {"error", e.what()}});
    } catch (...) {
      log::error("http handler failed", {{"route", route}, {"peer", peer_}, {"error", "unknown exception"}});
    }
    co_return error_response(500);
  }

  asio::awaitable<Next> respond(ServerResponse response, unsigned version, bool head, bool keep_alive,
                                Exchange log_entry) {
    if (response.reset) {
      log_entry.status = "reset";
      access_log(log_entry);
      abort_with_reset();
      co_return Next::drop;
    }
    keep_alive = keep_alive && !response.close_connection && !response.truncate_body_at &&
                 !close_after_response_;
    log_entry.status = std::to_string(response.status);
    PreparedResponse prepared = prepare_response(std::move(response), version, head, keep_alive);

    phase_ = Phase::writing;
    lowest().expires_after(options().write_timeout);
    auto [ec, n] = co_await http::async_write(stream_, prepared.message, use_nothrow);
    if (ec) {
      log::debug("http response not delivered", {{"peer", peer_}, {"error", ec.message()}});
      co_return Next::drop;
    }
    ++state_->served;
    log_entry.bytes = prepared.body_bytes;
    access_log(log_entry);
    co_return keep_alive ? Next::keep_alive : Next::close;
  }

  void access_log(const Exchange& e) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - e.started).count();
    log::debug("http request", {{"method", e.method},
                                {"path", e.path},
                                {"status", e.status},
                                {"bytes", std::to_string(e.bytes)},
                                {"duration_ms", std::to_string(ms)},
                                {"peer", peer_}});
  }

  void abort_with_reset() {
    // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    boost::system::error_code ignored;
    lowest().socket().set_option(tcp::socket::linger(true, 0), ignored);
    close_socket();
  }

  // Closes so that the client reads our last response: a close with unread request bytes
  // pending would make our kernel send RST, and the client's kernel may then discard the
  // response it has not read yet. So: say we are done (FIN or close_notify), then, if request
  // bytes may still be on their way, read and discard them until the client closes too, for at
  // most close_timeout.
  asio::awaitable<void> close_gracefully() {
    phase_ = Phase::closing;
    if (!lowest().socket().is_open()) co_return;
    lowest().expires_after(options().close_timeout);
    if constexpr (kTls) {
      co_await stream_.async_shutdown(use_nothrow);
    } else {
      boost::system::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      bool drain = unread_request_ || buffer_.size() > 0 || lowest().socket().available(ec) > 0;
      while (drain) {
        auto [read_ec, n] = co_await lowest().async_read_some(asio::buffer(drain_), use_nothrow);
        if (read_ec) break;
      }
    }
    close_socket();
  }

  static constexpr std::size_t kReadChunk = 4096;

  std::shared_ptr<HttpServer::State> state_;
  Stream stream_;
  std::string peer_;
  // Shared with the co_spawn completion handler: the signal must outlive the coroutine machinery
  // that holds its slot, which finishes after this object is gone.
  std::shared_ptr<asio::cancellation_signal> cancel_;
  std::uint64_t id_ = 0;
  Phase phase_ = Phase::idle;
  bool close_after_response_ = false;
  bool aborted_ = false;
  bool unread_request_ = false;  // answered before the request was read in full
  beast::flat_buffer buffer_;
  std::optional<WireParser> parser_;
  std::size_t route_body_limit_ = 0;  // the body cap of the request being read
  std::array<char, 4096> drain_{};
};

template <class Stream>
void spawn(std::shared_ptr<HttpServer::State> state, Stream stream, std::string peer) {
  auto executor = state->io.get_executor();
  auto session = std::make_shared<Session<Stream>>(std::move(state), std::move(stream), std::move(peer));
  auto signal = session->cancel_signal();
  auto& slot_owner = *signal;
  asio::co_spawn(executor, Session<Stream>::run(std::move(session)),
                 asio::bind_cancellation_slot(slot_owner.slot(), [executor, signal](std::exception_ptr) mutable {
                   // Released on a later turn of the loop, once co_spawn's machinery is done with it.
                   asio::post(executor, [keep = std::move(signal)] {});
                 }));
}

}  // namespace

// Starts a TLS session over an accepted socket (server_session_tls.cpp).
void spawn_tls_session(std::shared_ptr<HttpServer::State> state, tcp::socket socket, std::string peer);

}  // namespace feedsync::net::detail
