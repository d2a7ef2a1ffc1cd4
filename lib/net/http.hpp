#pragma once
// HTTP messages as the rest of feedsync sees them: plain values, no Beast types, so that feed/,
// cms/, engine/ and ops/ never include Beast (DESIGN.md §2). lib/net converts at its edge.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace feedsync::net {

enum class Method { get, head, post, put, patch, delete_ };
std::string_view to_string(Method method);  // "GET", "DELETE", ...

struct Header {
  std::string name;
  std::string value;
};

// Header list in wire order. Names compare case-insensitively.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<Header> headers) : items_(headers) {}
  void add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }
  void set(std::string_view name, std::string value);  // replaces every header of that name
  std::optional<std::string_view> get(std::string_view name) const;  // first of that name
  bool contains(std::string_view name) const { return get(name).has_value(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<Header> items_;
};

struct Request {
  Method method = Method::get;
  std::string url;  // absolute http:// or https:// URL, built with Boost.URL by the caller
  Headers headers;
  std::string body;
  // 0 = the client's defaults.
  std::chrono::milliseconds timeout{0};  // whole-request deadline, all attempts' I/O included
  std::size_t max_body = 0;              // response body cap in bytes (after gzip decoding)
  // Whether the request may be sent again after a failure that may have reached the server.
  // Defaults by method (GET, HEAD, PUT, DELETE are idempotent); a caller that makes a POST
  // idempotent (e.g. create with a deterministic key) says so here.
  std::optional<bool> idempotent;
  bool is_idempotent() const;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;  // decoded (gzip removed)
};

// Failures before a complete response was received. An HTTP status (404, 500, ...) is not an
// error here: it is a Response; callers classify statuses (see retry_policy.hpp).
enum class ErrorKind {
  invalid_url,     // not an absolute http/https URL
  resolve,         // DNS failure
  connect,         // refused, unreachable
  tls,             // handshake failed: untrusted CA, wrong hostname, protocol
  timeout,         // a stage's or the request's deadline passed (message names the stage)
  body_too_large,  // response body over the cap
  truncated,       // connection closed before the full response: never a short success
  protocol,        // malformed HTTP, bad gzip
  proxy,           // the proxy refused or broke the CONNECT tunnel
  rate_limited,    // the client's own limiter could not grant a slot before the deadline
  circuit_open,    // the origin's circuit breaker is open: not sent (circuit_breaker.hpp)
  cancelled,       // shutdown
};
std::string_view to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::protocol;
  std::string message;  // names method, host and what failed; never credentials or bodies
};

using Result = Expected<Response, Error>;

}  // namespace feedsync::net
