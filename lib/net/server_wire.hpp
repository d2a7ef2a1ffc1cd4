#pragma once
// Internal to lib/net: conversions between Beast's HTTP messages and the server's plain
// ServerRequest/ServerResponse values, and how read failures are answered. Includes Beast, so
// only lib/net .cpp files include this header.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "net/router.hpp"
#include "net/server_message.hpp"

namespace feedsync::net::detail {

using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;
using WireParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Header blocks larger than this are answered with 431.
inline constexpr std::size_t kHeaderLimit = 16 * 1024;

// Sets the limits every connection reads a request with: the header block (kHeaderLimit) and
// the body (ServerOptions::max_body).
void limit_request(WireParser& parser, std::size_t max_body);

std::optional<Method> parse_method(std::string_view token);
Headers to_headers(const boost::beast::http::fields& fields);
std::string format_peer(const boost::asio::ip::tcp::endpoint& endpoint);

struct PreparedResponse {
  WireResponse message;
  std::size_t body_bytes = 0;  // what goes on the wire (0 for HEAD, N when truncated)
};

// Frames the response: Content-Length is always the full body size (so a truncated body is
// detectable by the client), HEAD gets headers only, 1xx/204/304 get neither. A status outside
// 100..599 is a handler bug and becomes 500.
PreparedResponse prepare_response(ServerResponse response, unsigned http_version, bool head_request,
                                  bool keep_alive);

// A short plain-text response for the answers the server gives on its own (400, 404, 413, ...).
ServerResponse error_response(int status);

// A request read in full, routed: the handler to run and what it is given.
struct Routed {
  const Handler* handler = nullptr;  // valid while the router lives
  ServerRequest request;
};
// Routes `wire` on `router`, or gives the server's own answer: 400 (and close) for a target that
// does not parse, 501 (and close) for an unknown method, 404, 405 with `Allow`.
std::variant<Routed, ServerResponse> route_request(const Router& router, WireRequest wire,
                                                   std::string peer);

// What to do after a failed request read.
enum class ReadFailure {
  drop,              // peer gone, timed out or aborted: nothing can be answered
  body_too_large,    // 413
  header_too_large,  // 431
  malformed,         // 400
};
ReadFailure classify_read_error(const boost::system::error_code& ec);
// The status answering a failure other than drop: 413, 431 or 400.
int status_for(ReadFailure failure);

}  // namespace feedsync::net::detail
