#include "net/connection_pool.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <functional>
#include <utility>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace feedsync::net {

bool Connection::looks_alive() {
  auto& socket = tcp().socket();
  if (!socket.is_open()) return false;
  char byte;
  const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n >= 0) return false;  // 0: the server closed; > 0: bytes nobody asked for
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

void Connection::close() {
  // No TLS close_notify: it costs a round trip on a connection we are abandoning, and servers
  // cope with its absence on a completed exchange.
  tcp().close();
}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release(false);
    pool_ = std::exchange(other.pool_, nullptr);
    key_ = std::move(other.key_);
    conn = std::move(other.conn);
    reused = other.reused;
  }
  return *this;
}

Lease::~Lease() { release(false); }

void Lease::give_back() { release(true); }

void Lease::release(bool keep) {
  if (ConnectionPool* pool = std::exchange(pool_, nullptr))
    pool->release(key_, std::move(conn), keep);
}

namespace {

// Removes a waiter that gives up (deadline, cancellation, or its coroutine destroyed at shutdown)
// and returns whatever was handed to it in the meantime, so that no slot leaks.
struct WaiterGuard {
  std::function<void()> on_exit;
  ~WaiterGuard() { on_exit(); }
};

}  // namespace

boost::asio::awaitable<Expected<Lease, PoolError>> ConnectionPool::acquire(
    ConnectionPool* pool, std::string key, SteadyClock::time_point deadline) {
  pool->close_idle();
  Origin& origin = pool->origins_[key];
  while (!origin.idle.empty()) {
    auto conn = std::move(origin.idle.back());
    origin.idle.pop_back();
    if (conn->looks_alive()) co_return Lease(pool, key, std::move(conn), true);
    conn->close();
    --origin.open;
  }
  if (origin.open < pool->max_per_origin_) {
    ++origin.open;
    co_return Lease(pool, key, nullptr, false);
  }

  auto waiter = std::make_shared<Waiter>(pool->executor_);
  waiter->timer.expires_at(deadline);
  origin.waiters.push_back(waiter);
  WaiterGuard guard{[pool, &key, waiter] {
    pool->forget_waiter(key, waiter);
    if (waiter->handed)
      pool->release(key, std::move(waiter->handed), true);
    else if (waiter->slot)
      pool->release(key, nullptr, false);
    waiter->slot = false;
  }};

  boost::system::error_code ec;
  co_await waiter->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  // A hand-over wins over a deadline that expired at the same moment.
  if (waiter->handed) {
    auto conn = std::move(waiter->handed);
    if (conn->looks_alive()) co_return Lease(pool, key, std::move(conn), true);
    conn->close();  // the slot stays ours: open a fresh connection in its place
    co_return Lease(pool, key, nullptr, false);
  }
  if (waiter->slot) {
    waiter->slot = false;
    co_return Lease(pool, key, nullptr, false);
  }
  const bool cancelled = ec == boost::asio::error::operation_aborted;
  co_return unexpected(PoolError{"no free connection before the deadline", cancelled});
}

void ConnectionPool::release(const std::string& key, std::unique_ptr<Connection> conn, bool keep) {
  Origin& origin = origins_[key];
  std::shared_ptr<Waiter> next;
  if (!origin.waiters.empty()) {
    next = origin.waiters.front();
    origin.waiters.pop_front();
    next->woken = true;
    next->timer.cancel();
  }
  if (keep && conn) {
    conn->idle_since = SteadyClock::now();
    ++conn->requests;
    if (next)
      next->handed = std::move(conn);
    else
      origin.idle.push_back(std::move(conn));
  } else {
    if (conn) conn->close();
    if (next)
      next->slot = true;
    else
      --origin.open;
  }
  close_idle();
}

void ConnectionPool::forget_waiter(const std::string& key, const std::shared_ptr<Waiter>& waiter) {
  origins_[key].waiters.remove(waiter);
}

void ConnectionPool::close_idle(bool all) {
  const auto now = SteadyClock::now();
  for (auto& [key, origin] : origins_) {
    for (auto it = origin.idle.begin(); it != origin.idle.end();) {
      if (all || now - (*it)->idle_since >= idle_timeout_) {
        (*it)->close();
        it = origin.idle.erase(it);
        --origin.open;
      } else {
        ++it;
      }
    }
  }
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [key, origin] : origins_) n += origin.idle.size();
  return n;
}

std::size_t ConnectionPool::open_count() const {
  std::size_t n = 0;
  for (const auto& [key, origin] : origins_) n += origin.open;
  return n;
}

}  // namespace feedsync::net
