#pragma once
// The CONNECT handshake that turns a connection to an HTTP proxy into a tunnel to the origin.
// Internal to lib/net (Beast types).

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/http.hpp"
#include "net/proxy.hpp"

namespace feedsync::net {

struct TunnelRequest {
  std::string host_port;  // "api.example.com:443"
  std::string user_agent;
  std::chrono::steady_clock::time_point stage_end;  // when to give up waiting on the proxy
};

enum class TunnelFailure { none, timeout, cancelled, refused, broken };
struct TunnelResult {
  TunnelFailure failure = TunnelFailure::none;
  std::string detail;  // "407 Proxy Authentication Required", or the I/O error
};

// Sends CONNECT on `stream` (connected to the proxy) and reads the proxy's answer. On success the
// stream carries the origin's bytes from then on.
boost::asio::awaitable<TunnelResult> open_tunnel(boost::beast::tcp_stream* stream,
                                                 const ProxyEndpoint* proxy, TunnelRequest request);

}  // namespace feedsync::net
