// The listener half of HttpServer: binding, the accept loop, the connection limit and the
// graceful stop. Each accepted connection is served by a session (server_session.cpp).

#include "net/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "log/log.hpp"
#include "net/server_state.hpp"

namespace feedsync::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string endpoint_text(const std::string& host, unsigned short port) {
  return host + ":" + std::to_string(port);
}

tcp::endpoint resolve_listen_endpoint(asio::io_context& io, const ServerOptions& options) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (!ec) return {address, options.port};
  // A host name ("localhost"): resolving blocks, which is fine once, at start-up.
  tcp::resolver resolver(io);
  auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
  if (ec || results.empty()) {
    std::error_code code = ec ? std::error_code(ec) : std::make_error_code(std::errc::address_not_available);
    throw std::system_error(code, "cannot resolve listen address " + endpoint_text(options.host, options.port));
  }
  return results.begin()->endpoint();
}

void load_tls(HttpServer::State& state) {
  const auto& tls = *state.options.tls;
  auto& context = state.tls.emplace(asio::ssl::context::tls_server);
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context.use_certificate_chain_file(tls.cert_file, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + tls.cert_file + ": " + ec.message());
  context.use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + tls.key_file + ": " + ec.message());
}

// Owns nothing but the shared state, so the loop survives the HttpServer object being destroyed
// while an accept is pending (the acceptor is closed then and the loop ends).
// The oldest connection that is idle or still reading its request, or null. Sessions are keyed
// by an increasing id: the first evictable one in the map is the oldest.
detail::SessionControl* oldest_evictable(const HttpServer::State& state) {
  for (const auto& [id, session] : state.sessions)
    if (session->evictable()) return session;
  return nullptr;
}

std::size_t live_sessions(const HttpServer::State& state) {
  // Dropped ones still unwinding do not hold a slot.
  std::size_t live = 0;
  for (const auto& [id, session] : state.sessions)
    if (!session->dropped()) ++live;
  return live;
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> state) {
  for (;;) {
    // At the limit, a newcomer takes the slot of the oldest idle or slow connection (slow or
    // trickling clients must not lock out health probes, issue 15); only when every connection
    // is being answered do further clients wait in the kernel's backlog.
    while (!state->stopping && live_sessions(*state) >= state->options.max_connections &&
           oldest_evictable(*state) == nullptr) {
      state->slot_freed.expires_at(asio::steady_timer::time_point::max());
      co_await state->slot_freed.async_wait(use_nothrow);
    }
    if (state->stopping || !state->acceptor.is_open()) co_return;

    auto [ec, socket] = co_await state->acceptor.async_accept(use_nothrow);
    if (state->stopping || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors and the like: keep serving the connections we have, retry shortly.
      log::warn("http accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(state->io, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    ++state->accepted;
    // Room for it: the oldest idle or slow connection goes, or (all of them busy since the check
    // above) it waits, accepted but unread, until one ends or goes idle.
    while (!state->stopping && live_sessions(*state) >= state->options.max_connections) {
      if (auto* oldest = oldest_evictable(*state)) {
        ++state->evicted;
        oldest->force_close();
        break;
      }
      state->slot_freed.expires_at(asio::steady_timer::time_point::max());
      co_await state->slot_freed.async_wait(use_nothrow);
    }
    if (state->stopping) co_return;
    detail::start_session(state, std::move(socket));
  }
}

// Unregisters a stop() call's wake-up timer however its coroutine ends (frame destroyed too).
struct DrainWaiter {
  HttpServer::State& state;
  asio::steady_timer timer;
  DrainWaiter(HttpServer::State& s) : state(s), timer(s.io) { state.drain_waiters.push_back(&timer); }
  ~DrainWaiter() { std::erase(state.drain_waiters, &timer); }
  DrainWaiter(const DrainWaiter&) = delete;
  DrainWaiter& operator=(const DrainWaiter&) = delete;
};

void close_acceptor(HttpServer::State& state) {
  state.stopping = true;
  boost::system::error_code ignored;
  state.acceptor.close(ignored);
  state.slot_freed.cancel();
}

// Sessions unregister themselves while being closed, so iterate over a snapshot.
template <class F>
void for_each_session(HttpServer::State& state, F f) {
  std::vector<detail::SessionControl*> snapshot;
  for (auto& [id, session] : state.sessions) snapshot.push_back(session);
  for (auto* session : snapshot) f(*session);
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, Router router)
    : state_(std::make_shared<State>(io, std::move(options), std::move(router))) {}

HttpServer::~HttpServer() {
  close_acceptor(*state_);
  for_each_session(*state_, [](detail::SessionControl& s) { s.force_close(); });
}

void HttpServer::start() {
  auto& state = *state_;
  if (state.acceptor.is_open() || state.stopping) throw std::logic_error("HttpServer::start called twice");
  if (state.options.tls) load_tls(state);
  auto endpoint = resolve_listen_endpoint(state.io, state.options);
  auto where = endpoint_text(state.options.host, state.options.port);
  boost::system::error_code ec;
  state.acceptor.open(endpoint.protocol(), ec);
  if (!ec) state.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state.acceptor.bind(endpoint, ec);
  if (!ec) state.acceptor.listen(tcp::acceptor::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    state.acceptor.close(ignored);
    throw std::system_error(std::error_code(ec), "cannot listen on " + where);
  }
  state.port = state.acceptor.local_endpoint().port();
  log::info("http server listening", {{"address", endpoint_text(state.options.host, state.port)},
                                      {"tls", state.options.tls ? "on" : "off"}});
  asio::co_spawn(state.io, accept_loop(state_), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::error("http accept loop failed", {{"error", e.what()}});
    }
  });
}

unsigned short HttpServer::port() const { return state_->port; }

asio::awaitable<void> HttpServer::stop(std::chrono::milliseconds grace) {
  // Keep the state alive even if the caller destroys *this when this coroutine ends.
  std::shared_ptr<State> state = state_;
  close_acceptor(*state);
  for_each_session(*state, [](detail::SessionControl& s) { s.close_if_idle(); });

  DrainWaiter waiter(*state);
  auto deadline = asio::steady_timer::clock_type::now() + grace;
  while (!state->sessions.empty() && asio::steady_timer::clock_type::now() < deadline) {
    waiter.timer.expires_at(deadline);
    co_await waiter.timer.async_wait(use_nothrow);
  }
  if (!state->sessions.empty()) {
    log::warn("http server stop: aborting connections still busy after the grace period",
              {{"connections", std::to_string(state->sessions.size())}});
    for_each_session(*state, [](detail::SessionControl& s) { s.force_close(); });
  }
  // Aborted sessions end as soon as their cancelled operations complete.
  while (!state->sessions.empty()) {
    waiter.timer.expires_at(asio::steady_timer::time_point::max());
    co_await waiter.timer.async_wait(use_nothrow);
  }
}

std::size_t HttpServer::connections_accepted() const { return state_->accepted; }
std::size_t HttpServer::active_connections() const { return state_->sessions.size(); }
std::size_t HttpServer::connections_evicted() const { return state_->evicted; }
std::size_t HttpServer::requests_served() const { return state_->served; }

}  // namespace feedsync::net
