#pragma once
// The Beast client's insides, shared by beast_client*.cpp. Internal to lib/net (Beast types).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/beast_client.hpp"
#include "net/connection_pool.hpp"

namespace feedsync::net {

// Where a request goes, taken from its URL.
struct UrlTarget {
  bool https = false;
  std::string host;        // lower case, IPv6 without brackets: for DNS, SNI, verification, logs
  std::string port;        // always set: "443" when the URL has none
  std::string authority;   // Host header: brackets for IPv6, port only when not the default
  std::string host_port;   // host:port always (the CONNECT request target, messages)
  std::string target;      // origin-form request target: path and query
  std::string path;        // path only, for logs (queries may carry keys)
  std::string origin_key;  // scheme://host:port, the pool's key
  bool via_proxy = false;
};
Expected<UrlTarget, Error> parse_url_target(std::string_view url);

struct Deadline {
  SteadyClock::time_point at;
  std::chrono::milliseconds budget;  // for messages
  // The end of a stage limited to `limit`, never past the request deadline.
  SteadyClock::time_point stage_end(std::chrono::milliseconds limit) const {
    const auto end = SteadyClock::now() + limit;
    return end < at ? end : at;
  }
};
// "timed out <doing> (connect timeout 200 ms)" or, when the request deadline came first,
// "timed out <doing>: request deadline of 500 ms passed".
Error timeout_error(std::string_view doing, const Deadline& deadline, SteadyClock::time_point stage_end,
                    std::string_view stage_name, std::chrono::milliseconds stage_limit);

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

class BeastHttpClient::Impl {
 public:
  Impl(boost::asio::any_io_executor executor, ClientOptions options);

  static boost::asio::awaitable<Result> send(std::shared_ptr<Impl> self, Request request);

  boost::asio::any_io_executor executor;
  ClientOptions options;
  std::optional<ProxyEndpoint> proxy;
  std::unique_ptr<boost::asio::ssl::context> tls_context;
  ConnectionPool pool;
  std::uint64_t last_request_id = 0;
};

// Resolves, connects, tunnels through the proxy and shakes hands, each stage under its timeout.
boost::asio::awaitable<Expected<std::unique_ptr<Connection>, Error>> open_connection(
    BeastHttpClient::Impl* impl, UrlTarget target, Deadline deadline);

struct ExchangeLimits {
  Deadline deadline;
  std::size_t max_body = 0;
  bool head = false;
  std::string host;  // for messages
};
struct Exchanged {
  Response response;
  bool keep_alive = false;
  std::size_t wire_bytes = 0;
};
struct ExchangeFailure {
  Error error;
  // The connection was found closed before any byte of a response arrived: on a reused
  // connection that is the server's keep-alive close racing our request.
  bool stale = false;
  std::size_t wire_bytes = 0;
};
// Writes the request and reads one response on an open connection.
boost::asio::awaitable<Expected<Exchanged, ExchangeFailure>> exchange(Connection* conn,
                                                                      const BeastRequest* request,
                                                                      ExchangeLimits limits);

}  // namespace feedsync::net
