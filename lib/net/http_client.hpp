#pragma once
// The one way feedsync talks HTTP (DESIGN.md §2: `HttpClient`). Implementations: the Beast
// client (beast_client.hpp), the retrying/rate-limiting decorator (retrying_client.hpp), and
// fakes in tests. Coroutine rules (GCC 12): parameters by value.

#include <boost/asio/awaitable.hpp>

#include "net/http.hpp"

namespace feedsync::net {

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends one request and returns the complete response or why there is none. Never throws for
  // network or protocol failures.
  virtual boost::asio::awaitable<Result> send(Request request) = 0;
};

}  // namespace feedsync::net
