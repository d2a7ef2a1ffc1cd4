#include "net/server_wire.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "core/strings.hpp"

namespace feedsync::net::detail {
namespace {

namespace http = boost::beast::http;

// Framing is the server's business: a handler's copy of these would contradict the body sent.
bool is_framing_header(std::string_view name) {
  return iequals_ascii(name, "Content-Length") || iequals_ascii(name, "Transfer-Encoding") ||
         iequals_ascii(name, "Connection") || iequals_ascii(name, "Keep-Alive");
}

ServerResponse closing(ServerResponse response) {
  response.close_connection = true;
  return response;
}

}  // namespace

void limit_request(WireParser& parser, std::size_t max_body) {
  parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
  parser.body_limit(max_body);
}

std::optional<Method> parse_method(std::string_view token) {
  // Methods are case-sensitive (RFC 9110 §9.1): "get" is not GET.
  static constexpr std::array methods = {Method::get,   Method::head,  Method::post,
                                         Method::put,   Method::patch, Method::delete_};
  for (Method m : methods)
    if (to_string(m) == token) return m;
  return std::nullopt;
}

Headers to_headers(const http::fields& fields) {
  Headers out;
  for (const auto& field : fields) out.add(std::string(field.name_string()), std::string(field.value()));
  return out;
}

std::string format_peer(const boost::asio::ip::tcp::endpoint& endpoint) {
  auto address = endpoint.address();
  auto port = std::to_string(endpoint.port());
  if (address.is_v6()) return "[" + address.to_string() + "]:" + port;
  return address.to_string() + ":" + port;
}

PreparedResponse prepare_response(ServerResponse response, unsigned http_version, bool head_request,
                                  bool keep_alive) {
  if (response.status < 100 || response.status > 599) response = error_response(500);

  PreparedResponse out;
  auto& message = out.message;
  message.version(http_version);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::server, "feedsync");
  for (const auto& header : response.headers)
    if (!is_framing_header(header.name)) message.insert(header.name, header.value);

  bool bodiless_status = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless_status) {
    std::size_t full = response.body.size();
    if (response.truncate_body_at && *response.truncate_body_at < full)
      response.body.resize(*response.truncate_body_at);
    if (head_request) response.body.clear();
    out.body_bytes = response.body.size();
    message.body() = std::move(response.body);
    // Set after the body: the header announces the full size even when fewer bytes follow.
    message.content_length(full);
  }
  message.keep_alive(keep_alive);
  return out;
}

std::variant<Routed, ServerResponse> route_request(const Router& router, WireRequest wire,
                                                   std::string peer) {
  auto target = parse_target(std::string_view(wire.target()));
  // A request the server cannot make sense of ends the connection: what follows it on the wire
  // cannot be trusted to be a request either.
  if (!target) return closing(error_response(400));
  auto method = parse_method(std::string_view(wire.method_string()));
  if (!method) return closing(error_response(501));
  auto match = router.match(*method, target->segments);
  if (match.outcome == Router::Outcome::not_found) return error_response(404);
  if (match.outcome == Router::Outcome::method_not_allowed) {
    ServerResponse response = error_response(405);
    response.headers.set("Allow", std::move(match.allow));
    return response;
  }

  Routed routed;
  routed.handler = match.handler;
  ServerRequest& request = routed.request;
  request.method = *method;
  request.target = std::string(wire.target());
  request.path = std::move(target->path);
  request.route = std::move(match.route);
  request.query = std::move(target->query);
  request.params = std::move(match.params);
  request.headers = to_headers(wire.base());
  request.body = std::move(wire.body());
  request.peer = std::move(peer);
  return routed;
}

ServerResponse error_response(int status) {
  auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  return ServerResponse::text(status, std::string(reason) + "\n");
}

ReadFailure classify_read_error(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit) return ReadFailure::body_too_large;
  if (ec == http::error::header_limit) return ReadFailure::header_too_large;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return ReadFailure::drop;
  static const auto& http_category = http::make_error_code(http::error::bad_target).category();
  if (ec.category() == http_category) return ReadFailure::malformed;
  return ReadFailure::drop;
}

int status_for(ReadFailure failure) {
  if (failure == ReadFailure::body_too_large) return 413;
  if (failure == ReadFailure::header_too_large) return 431;
  return 400;
}

}  // namespace feedsync::net::detail
