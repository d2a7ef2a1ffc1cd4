#pragma once
// What an HTTP handler sees and returns on the server side: plain values, no Beast types, so that
// ops/ and sim/ code that writes handlers stays cheap to compile (DESIGN.md §2).
//
// Handlers are coroutines: `boost::asio::awaitable<ServerResponse>(ServerRequest)`, run on the
// server's io_context thread, so they may wait (a simulated delay, a store query) without
// blocking other connections. GCC 12 coroutine rules apply to every handler:
//   - take coroutine parameters by value (ServerRequest by value, never by reference);
//   - never make a capturing lambda a coroutine: the lambda object dies before the coroutine
//     frame does. Register a plain lambda that *returns* a member coroutine's awaitable:
//       router.get("/livez", [this](ServerRequest r) { return livez(std::move(r)); });
//   - no temporaries with destructors inside a co_await full-expression; hoist them to locals.

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http.hpp"

namespace feedsync::net {

// Name/value pairs in order of appearance, percent-decoded. Repeated names are all kept.
class ParamList {
 public:
  struct Item {
    std::string name;
    std::string value;
  };

  void add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }
  // The first value of that name (names compare exactly).
  std::optional<std::string_view> get(std::string_view name) const;
  // Every value of that name, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Item> items_;
};

// Query parameters: `?a=1&a=2&b` gives a=1, a=2, b="" in that order; '+' decodes to a space.
using QueryParams = ParamList;
// Values captured by `{name}` segments of the matched route pattern.
using PathParams = ParamList;

struct ServerRequest {
  Method method = Method::get;
  std::string target;   // the request-target as received, e.g. "/v2/feed/abc?pagesize=10"
  std::string path;     // its path, still percent-encoded, without the query
  std::string route;    // the matched pattern, e.g. "/v2/feed/{id}" (a low-cardinality label)
  QueryParams query;
  PathParams params;
  Headers headers;
  std::string body;
  std::string peer;     // "127.0.0.1:40112" or "[::1]:40112"
};

struct ServerResponse {
  int status = 200;
  Headers headers;  // Content-Length, Transfer-Encoding and Connection are the server's own
  std::string body;

  // Fault injection (the simulator) and polite shutdowns:
  bool close_connection = false;  // send the response, then close instead of keeping alive
  bool reset = false;             // send nothing: abort the connection with a TCP RST
  // Send the headers with the full Content-Length, then only this many body bytes, then close.
  std::optional<std::size_t> truncate_body_at;

  static ServerResponse text(int status, std::string body,
                             std::string content_type = "text/plain; charset=utf-8");
  static ServerResponse json(int status, std::string body);
};

using Handler = std::function<boost::asio::awaitable<ServerResponse>(ServerRequest)>;

}  // namespace feedsync::net
