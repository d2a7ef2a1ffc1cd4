// Plain-TCP sessions and the accept hand-off; the session itself is server_session_impl.hpp.
#include "net/server_session_impl.hpp"

namespace feedsync::net::detail {

void start_session(std::shared_ptr<HttpServer::State> state, tcp::socket socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : format_peer(remote);
  // Responses are written whole; Nagle would only delay the last segment of each.
  socket.set_option(tcp::no_delay(true), ec);
  if (state->tls) {
    spawn_tls_session(std::move(state), std::move(socket), std::move(peer));
  } else {
    spawn(std::move(state), PlainStream(std::move(socket)), std::move(peer));
  }
}

}  // namespace feedsync::net::detail
