// Opening a connection: resolve, connect, CONNECT through the proxy, TLS handshake.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include "net/beast_client_impl.hpp"
#include "net/proxy_tunnel.hpp"
#include "net/tls.hpp"

namespace feedsync::net {

using boost::asio::redirect_error;
using boost::asio::use_awaitable;
using boost::asio::ip::tcp;

namespace {

// The resolver runs getaddrinfo on a helper thread, and cancelling it does not interrupt a lookup
// in progress: awaiting "resolve || timer" would still wait for a hung DNS server. So the
// lookup's completion only wakes the timer we wait on, and a late answer finds nobody there.
struct ResolveState {
  boost::asio::steady_timer* waiter = nullptr;
  boost::system::error_code ec;
  tcp::resolver::results_type results;
  bool done = false;
};

struct ResolveOutcome {
  boost::system::error_code ec;
  tcp::resolver::results_type results;
  bool timed_out = false;
};

boost::asio::awaitable<ResolveOutcome> resolve(boost::asio::any_io_executor executor,
                                               std::string host, std::string port,
                                               SteadyClock::time_point stage_end) {
  tcp::resolver resolver(executor);
  boost::asio::steady_timer timer(executor);
  timer.expires_at(stage_end);
  auto state = std::make_shared<ResolveState>();
  state->waiter = &timer;
  struct Detach {
    ResolveState* state;
    ~Detach() { state->waiter = nullptr; }
  } detach{state.get()};

  resolver.async_resolve(
      host, port, tcp::resolver::numeric_service,
      [state](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        state->ec = ec;
        state->results = std::move(results);
        state->done = true;
        if (state->waiter) state->waiter->cancel();
      });
  boost::system::error_code wait_ec;
  co_await timer.async_wait(redirect_error(use_awaitable, wait_ec));
  if (state->done) co_return ResolveOutcome{state->ec, state->results, false};
  resolver.cancel();
  if (wait_ec == boost::asio::error::operation_aborted)
    co_return ResolveOutcome{boost::asio::error::operation_aborted, {}, false};
  co_return ResolveOutcome{{}, {}, true};
}

Error fail(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

bool is_cancelled(const boost::system::error_code& ec) {
  return ec == boost::asio::error::operation_aborted;
}

}  // namespace

boost::asio::awaitable<Expected<std::unique_ptr<Connection>, Error>> open_connection(
    BeastHttpClient::Impl* impl, UrlTarget target, Deadline deadline) {
  const ClientOptions& options = impl->options;
  const bool via_proxy = target.via_proxy;
  const std::string dial_host = via_proxy ? impl->proxy->host : target.host;
  const std::string dial_port = via_proxy ? impl->proxy->port : target.port;
  const std::string peer = (via_proxy ? "proxy " : "") + dial_host + ":" + dial_port;

  auto stage_end = deadline.stage_end(options.resolve_timeout);
  ResolveOutcome resolved = co_await resolve(impl->executor, dial_host, dial_port, stage_end);
  if (resolved.timed_out)
    co_return unexpected(timeout_error("resolving " + dial_host, deadline, stage_end,
                                       "resolve timeout", options.resolve_timeout));
  if (is_cancelled(resolved.ec))
    co_return unexpected(fail(ErrorKind::cancelled, "cancelled while resolving " + dial_host));
  if (resolved.ec)
    co_return unexpected(fail(via_proxy ? ErrorKind::proxy : ErrorKind::resolve,
                              "cannot resolve " + (via_proxy ? "proxy " : std::string()) +
                                  dial_host + ": " + resolved.ec.message()));

  auto conn = std::make_unique<Connection>(impl->executor);
  boost::system::error_code ec;
  stage_end = deadline.stage_end(options.connect_timeout);
  conn->plain->expires_at(stage_end);
  co_await conn->plain->async_connect(resolved.results, redirect_error(use_awaitable, ec));
  if (ec == boost::beast::error::timeout)
    co_return unexpected(timeout_error("connecting to " + peer, deadline, stage_end,
                                       "connect timeout", options.connect_timeout));
  if (is_cancelled(ec))
    co_return unexpected(fail(ErrorKind::cancelled, "cancelled while connecting to " + peer));
  if (ec)
    co_return unexpected(fail(via_proxy ? ErrorKind::proxy : ErrorKind::connect,
                              "cannot connect to " + peer + ": " + ec.message()));
  // Requests go out in one gather write; Nagle would only delay a small body behind its header.
  conn->plain->socket().set_option(tcp::no_delay(true), ec);

  if (via_proxy && target.https) {
    stage_end = deadline.stage_end(options.connect_timeout);
    TunnelRequest tunnel{target.host_port, options.user_agent, stage_end};
    TunnelResult tunnelled = co_await open_tunnel(&*conn->plain, &*impl->proxy, tunnel);
    const std::string doing = "CONNECT to " + target.host_port + " through " + peer;
    switch (tunnelled.failure) {
      case TunnelFailure::none: break;
      case TunnelFailure::timeout:
        co_return unexpected(
            timeout_error(doing, deadline, stage_end, "connect timeout", options.connect_timeout));
      case TunnelFailure::cancelled:
        co_return unexpected(fail(ErrorKind::cancelled, "cancelled during " + doing));
      case TunnelFailure::refused:
        co_return unexpected(
            fail(ErrorKind::proxy,
                 peer + " refused CONNECT to " + target.host_port + ": " + tunnelled.detail));
      case TunnelFailure::broken:
        co_return unexpected(fail(ErrorKind::proxy, doing + " failed: " + tunnelled.detail));
    }
  }

  if (target.https) {
    conn->tls.emplace(std::move(*conn->plain), *impl->tls_context);
    conn->plain.reset();
    if (auto problem = tls::prepare_connection(conn->tls->native_handle(), target.host,
                                               !options.insecure_skip_verify))
      co_return unexpected(fail(ErrorKind::tls, *problem));
    stage_end = deadline.stage_end(options.tls_handshake_timeout);
    conn->tcp().expires_at(stage_end);
    co_await conn->tls->async_handshake(boost::asio::ssl::stream_base::client,
                                        redirect_error(use_awaitable, ec));
    if (ec == boost::beast::error::timeout)
      co_return unexpected(timeout_error("in the TLS handshake with " + target.host_port, deadline,
                                         stage_end, "TLS handshake timeout",
                                         options.tls_handshake_timeout));
    if (is_cancelled(ec))
      co_return unexpected(fail(ErrorKind::cancelled,
                                "cancelled during the TLS handshake with " + target.host_port));
    if (ec)
      co_return unexpected(fail(
          ErrorKind::tls, "TLS handshake with " + target.host_port + " failed: " +
                              tls::describe_handshake_failure(conn->tls->native_handle(), ec)));
  }
  co_return std::move(conn);
}

}  // namespace feedsync::net
