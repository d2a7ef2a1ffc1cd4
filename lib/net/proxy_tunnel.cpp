#include "net/proxy_tunnel.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace feedsync::net {

namespace http = boost::beast::http;
using boost::asio::redirect_error;
using boost::asio::use_awaitable;

namespace {

TunnelResult io_failure(const boost::system::error_code& ec) {
  if (ec == boost::beast::error::timeout) return {TunnelFailure::timeout, "timeout"};
  if (ec == boost::asio::error::operation_aborted) return {TunnelFailure::cancelled, ec.message()};
  return {TunnelFailure::broken, ec.message()};
}

}  // namespace

boost::asio::awaitable<TunnelResult> open_tunnel(boost::beast::tcp_stream* stream,
                                                 const ProxyEndpoint* proxy,
                                                 TunnelRequest request) {
  http::request<http::empty_body> connect{http::verb::connect, request.host_port, 11};
  connect.set(http::field::host, request.host_port);
  connect.set(http::field::user_agent, request.user_agent);
  if (!proxy->authorization.empty())
    connect.set(http::field::proxy_authorization, proxy->authorization);

  boost::system::error_code ec;
  stream->expires_at(request.stage_end);
  co_await http::async_write(*stream, connect, redirect_error(use_awaitable, ec));
  if (ec) co_return io_failure(ec);

  // A 2xx answer to CONNECT has no body whatever its headers say; the tunnel starts right after
  // the header. A refusal's body is not needed: the connection is dropped.
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  boost::beast::flat_buffer buffer;
  stream->expires_at(request.stage_end);
  co_await http::async_read(*stream, buffer, parser, redirect_error(use_awaitable, ec));
  if (ec) co_return io_failure(ec);

  const auto& response = parser.get();
  if (response.result_int() / 100 != 2) {
    std::string detail = std::to_string(response.result_int());
    if (!response.reason().empty()) detail += " " + std::string(response.reason());
    co_return TunnelResult{TunnelFailure::refused, detail};
  }
  // The origin speaks only after our TLS ClientHello: bytes here mean a confused proxy.
  if (buffer.size() != 0)
    co_return TunnelResult{TunnelFailure::broken, "unexpected bytes after the CONNECT response"};
  co_return TunnelResult{};
}

}  // namespace feedsync::net
