// TLS sessions: the session of server_session_impl.hpp over a Beast ssl_stream, compiled apart
// from the plain one (server_session.cpp) so the two build in parallel.
#include "net/server_session_impl.hpp"

namespace feedsync::net::detail {

void spawn_tls_session(std::shared_ptr<HttpServer::State> state, tcp::socket socket, std::string peer) {
  auto& context = *state->tls;
  spawn(std::move(state), TlsStream(beast::tcp_stream(std::move(socket)), context), std::move(peer));
}

}  // namespace feedsync::net::detail
