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

// The first hop of a connection: the origin, or the proxy in front of it.
struct Hop {
  std::string host;
  std::string port;
  std::string peer;  // for messages: "host:port" or "proxy host:port"
  bool via_proxy = false;
};

Hop first_hop(const BeastHttpClient::Impl& impl, const UrlTarget& target) {
  Hop hop;
  hop.via_proxy = target.via_proxy;
  hop.host = hop.via_proxy ? impl.proxy->host : target.host;
  hop.port = hop.via_proxy ? impl.proxy->port : target.port;
  hop.peer = (hop.via_proxy ? "proxy " : "") + hop.host + ":" + hop.port;
  return hop;
}

boost::asio::awaitable<Expected<tcp::resolver::results_type, Error>> resolve_hop(
    const BeastHttpClient::Impl& impl, const Hop& hop, const Deadline& deadline) {
  const ClientOptions& options = impl.options;
  const auto stage_end = deadline.stage_end(options.resolve_timeout);
  ResolveOutcome resolved = co_await resolve(impl.executor, hop.host, hop.port, stage_end);
  if (resolved.timed_out)
    co_return unexpected(timeout_error("resolving " + hop.host, deadline, stage_end,
                                       "resolve timeout", options.resolve_timeout));
  if (is_cancelled(resolved.ec))
    co_return unexpected(fail(ErrorKind::cancelled, "cancelled while resolving " + hop.host));
  if (resolved.ec)
    co_return unexpected(fail(hop.via_proxy ? ErrorKind::proxy : ErrorKind::resolve,
                              "cannot resolve " + (hop.via_proxy ? "proxy " : std::string()) +
                                  hop.host + ": " + resolved.ec.message()));
  co_return std::move(resolved.results);
}

// Resolves the hop and opens a TCP connection to it.
boost::asio::awaitable<Expected<std::unique_ptr<Connection>, Error>> dial(
    const BeastHttpClient::Impl& impl, const Hop& hop, const Deadline& deadline) {
  auto resolved = co_await resolve_hop(impl, hop, deadline);
  if (!resolved) co_return unexpected(std::move(resolved).error());

  const ClientOptions& options = impl.options;
  auto conn = std::make_unique<Connection>(impl.executor);
  boost::system::error_code ec;
  const auto stage_end = deadline.stage_end(options.connect_timeout);
  conn->plain->expires_at(stage_end);
  co_await conn->plain->async_connect(*resolved, redirect_error(use_awaitable, ec));
  if (ec == boost::beast::error::timeout)
    co_return unexpected(timeout_error("connecting to " + hop.peer, deadline, stage_end,
                                       "connect timeout", options.connect_timeout));
  if (is_cancelled(ec))
    co_return unexpected(fail(ErrorKind::cancelled, "cancelled while connecting to " + hop.peer));
  if (ec)
    co_return unexpected(fail(hop.via_proxy ? ErrorKind::proxy : ErrorKind::connect,
                              "cannot connect to " + hop.peer + ": " + ec.message()));
  // Requests go out in one gather write; Nagle would only delay a small body behind its header.
  conn->plain->socket().set_option(tcp::no_delay(true), ec);
  co_return std::move(conn);
}

// CONNECT through the proxy the connection is open to; nullopt when the tunnel stands.
boost::asio::awaitable<std::optional<Error>> tunnel(BeastHttpClient::Impl& impl, Connection& conn,
                                                    const UrlTarget& target, const Hop& hop,
                                                    const Deadline& deadline) {
  const ClientOptions& options = impl.options;
  const auto stage_end = deadline.stage_end(options.connect_timeout);
  TunnelRequest tunnel{target.host_port, options.user_agent, stage_end};
  TunnelResult tunnelled = co_await open_tunnel(&*conn.plain, &*impl.proxy, tunnel);
  const std::string doing = "CONNECT to " + target.host_port + " through " + hop.peer;
  switch (tunnelled.failure) {
    case TunnelFailure::none: break;
    case TunnelFailure::timeout:
      co_return timeout_error(doing, deadline, stage_end, "connect timeout",
                              options.connect_timeout);
    case TunnelFailure::cancelled:
      co_return fail(ErrorKind::cancelled, "cancelled during " + doing);
    case TunnelFailure::refused:
      co_return fail(ErrorKind::proxy, hop.peer + " refused CONNECT to " + target.host_port +
                                           ": " + tunnelled.detail);
    case TunnelFailure::broken:
      co_return fail(ErrorKind::proxy, doing + " failed: " + tunnelled.detail);
  }
  co_return std::nullopt;
}

// Wraps the connection in TLS and shakes hands; nullopt on success.
boost::asio::awaitable<std::optional<Error>> handshake(BeastHttpClient::Impl& impl,
                                                       Connection& conn, const UrlTarget& target,
                                                       const Deadline& deadline) {
  const ClientOptions& options = impl.options;
  conn.tls.emplace(std::move(*conn.plain), *impl.tls_context);
  conn.plain.reset();
  if (auto problem = tls::prepare_connection(conn.tls->native_handle(), target.host,
                                             !options.insecure_skip_verify))
    co_return fail(ErrorKind::tls, *problem);
  const auto stage_end = deadline.stage_end(options.tls_handshake_timeout);
  conn.tcp().expires_at(stage_end);
  boost::system::error_code ec;
  co_await conn.tls->async_handshake(boost::asio::ssl::stream_base::client,
                                     redirect_error(use_awaitable, ec));
  if (ec == boost::beast::error::timeout)
    co_return timeout_error("in the TLS handshake with " + target.host_port, deadline, stage_end,
                            "TLS handshake timeout", options.tls_handshake_timeout);
  if (is_cancelled(ec))
    co_return fail(ErrorKind::cancelled,
                   "cancelled during the TLS handshake with " + target.host_port);
  if (ec)
    co_return fail(ErrorKind::tls,
                   "TLS handshake with " + target.host_port + " failed: " +
                       tls::describe_handshake_failure(conn.tls->native_handle(), ec));
  co_return std::nullopt;
}

}  // namespace

boost::asio::awaitable<Expected<std::unique_ptr<Connection>, Error>> open_connection(
    BeastHttpClient::Impl* impl, UrlTarget target, Deadline deadline) {
  const Hop hop = first_hop(*impl, target);
  auto conn = co_await dial(*impl, hop, deadline);
  if (!conn) co_return unexpected(std::move(conn).error());
  if (hop.via_proxy && target.https) {
    if (auto problem = co_await tunnel(*impl, **conn, target, hop, deadline))
      co_return unexpected(std::move(*problem));
  }
  if (target.https) {
    if (auto problem = co_await handshake(*impl, **conn, target, deadline))
      co_return unexpected(std::move(*problem));
  }
  co_return std::move(*conn);
}

}  // namespace feedsync::net
