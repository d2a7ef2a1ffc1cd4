#pragma once
// The real HttpClient: HTTP/1.1 over TCP or TLS with Boost.Beast, keep-alive pooling per origin,
// stage timeouts, a response body cap, gzip decoding and an optional HTTP proxy. Beast stays
// behind a pimpl: including this header costs callers (feed/, cms/) no Beast parsing.
//
// One attempt per send(), except that a request on a reused keep-alive connection the server had
// already closed is sent once more on a fresh connection when it is idempotent. Retries after
// errors and statuses, and rate limits, belong to the retrying decorator (retrying_client.hpp).
//
// Lifetime: the client must not outlive its io_context. Requests in flight keep the client's
// internals alive, so destroying the client (or stopping and destroying the io_context) while
// requests are pending is safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "net/http.hpp"
#include "net/http_client.hpp"
#include "net/proxy.hpp"

namespace feedsync::net {

// What one send() did, for the metrics registry. Reported once per send(), success or not.
struct RequestMetrics {
  std::uint64_t request_id = 0;
  Method method = Method::get;
  std::string host;
  int status = 0;                  // 0 when there is no response
  std::optional<ErrorKind> error;  // set when there is no response
  std::chrono::milliseconds duration{0};
  std::size_t bytes_sent = 0;      // request body
  std::size_t bytes_received = 0;  // response body as received (before gzip decoding)
  bool reused = false;             // the final attempt ran on a pooled connection
};

struct ClientOptions {
  std::chrono::milliseconds resolve_timeout{10'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  // Whole-request deadline when Request::timeout is 0: waiting for a connection, connecting, the
  // stale-connection retry, sending and receiving included. Stage timeouts never extend it.
  std::chrono::milliseconds request_timeout{30'000};
  // Below the 60 s most load balancers use, so that we close first rather than race their close.
  // An expired idle connection is never reused; it is closed at the client's next request (or
  // by close_idle()). No timer does it, so an io_context with nothing else to do still returns
  // from run().
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_connections_per_origin = 4;  // busy, connecting and idle together; >= 1
  std::size_t max_body = 1024 * 1024;          // response body cap when Request::max_body is 0

  std::string ca_file;                // PEM bundle to trust instead of the system CA store
  bool insecure_skip_verify = false;  // no certificate or hostname checks: tests and emergencies
  ProxySettings proxy;                // e.g. ProxySettings::from_environment(); empty url = direct
  std::string user_agent;             // default "feedsync/<version>"; a request's own header wins

  std::function<void(const RequestMetrics&)> on_complete;
};

class BeastHttpClient final : public HttpClient {
 public:
  // Throws std::invalid_argument / std::runtime_error for bad options (unreadable ca_file,
  // invalid proxy URL, max_connections_per_origin 0): start-up configuration errors.
  BeastHttpClient(boost::asio::any_io_executor executor, ClientOptions options);
  ~BeastHttpClient() override;
  BeastHttpClient(const BeastHttpClient&) = delete;
  BeastHttpClient& operator=(const BeastHttpClient&) = delete;

  boost::asio::awaitable<Result> send(Request request) override;

  // Closes every idle pooled connection now (at shutdown, or to drop connections early).
  void close_idle();

  struct PoolStats {
    std::size_t open = 0;  // connections held: busy, connecting and idle
    std::size_t idle = 0;
  };
  PoolStats pool_stats() const;

  class Impl;  // named here only so that lib/net's internal functions can take it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace feedsync::net
