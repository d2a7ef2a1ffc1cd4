#pragma once
// Small helpers shared by the /_sim/ control API handlers: synchronous handlers adapted to the
// coroutine Handler type, JSON bodies in and out, and one error shape
// ({"error":{"status":400,"message":"..."}}).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/expected.hpp"
#include "net/server_message.hpp"

namespace feedsync::sim::control {

inline boost::asio::awaitable<net::ServerResponse> ready(net::ServerResponse response) {
  co_return response;
}

// Control handlers do no waiting: they run to completion when called and hand back a finished
// awaitable. The lambda is not a coroutine, so capturing is safe under GCC 12.
template <class F>
net::Handler sync_handler(F f) {
  return [f = std::move(f)](net::ServerRequest request) { return ready(f(std::move(request))); };
}

inline net::ServerResponse reply(int status, const boost::json::value& body) {
  return net::ServerResponse::json(status, boost::json::serialize(body));
}

inline net::ServerResponse no_content() {
  net::ServerResponse r;
  r.status = 204;
  return r;
}

inline net::ServerResponse error(int status, std::string_view message) {
  return reply(status, boost::json::object{
                           {"error", boost::json::object{{"status", status}, {"message", message}}}});
}

// An empty body reads as {}; anything else must be a JSON object.
inline Expected<boost::json::object, net::ServerResponse> object_body(const net::ServerRequest& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) return boost::json::object{};
  boost::system::error_code ec;
  auto value = boost::json::parse(request.body, ec);
  if (ec) return unexpected(error(400, "body is not JSON: " + ec.message()));
  if (!value.is_object()) return unexpected(error(400, "body must be a JSON object"));
  return std::move(value.get_object());
}

inline std::optional<std::int64_t> int_field(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && static_cast<double>(static_cast<std::int64_t>(v->get_double())) == v->get_double())
    return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace feedsync::sim::control
