#pragma once
// The server's request handling without a socket: what one connection does with the bytes a
// client sends, minus the I/O and the timeouts. For the fuzz target (fuzz/http_request_fuzz.cpp)
// and the tests that keep its findings fixed; the listener (server.cpp) serves sockets instead,
// through the same parser limits, routing, error answers and response framing (server_wire.hpp).
//
// `bytes` are everything a client sent on one connection before closing its side. Requests are
// read one after another with the connection's limits (a 16 KiB header block, `max_body`),
// routed on `router`, and each handler is run on `io` until it finishes; each answer is framed as
// the connection frames it. The replay stops where the connection would close: after an error
// answer (400, 413, 431, 501), after a response that closes, at a handler's reset, or when the
// bytes run out (an incomplete request is dropped unanswered, as on a socket).

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "net/router.hpp"

namespace feedsync::net {

struct ReplayedResponse {
  int status = 0;
  bool handler_failed = false;  // the handler threw (answered 500): a bug in the handler
  std::string wire;             // the response as written on the connection
};

std::vector<ReplayedResponse> replay_connection(boost::asio::io_context& io, const Router& router,
                                                std::string_view bytes, std::size_t max_body);

}  // namespace feedsync::net
