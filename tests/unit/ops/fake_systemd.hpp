#pragma once
// A stand-in for systemd's notify socket: an AF_UNIX datagram socket bound at a path or in the
// abstract namespace, from which a test reads what the notifier sent, one datagram at a time.

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace feedsync::testing {

class FakeSystemd {
 public:
  // `name` is a filesystem path, or "@name" for the abstract namespace: exactly what
  // $NOTIFY_SOCKET would hold.
  explicit FakeSystemd(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (name_.size() >= sizeof(addr.sun_path)) throw std::runtime_error("name too long: " + name_);
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    auto length = offsetof(sockaddr_un, sun_path) + name_.size();
    if (name_.front() == '@') addr.sun_path[0] = '\0';  // abstract: no trailing NUL in the name
    else length += 1;
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), static_cast<socklen_t>(length)) != 0) {
      ::close(fd_);
      throw std::runtime_error("bind " + name_ + ": " + std::strerror(errno));
    }
  }
  ~FakeSystemd() { ::close(fd_); }
  FakeSystemd(const FakeSystemd&) = delete;
  FakeSystemd& operator=(const FakeSystemd&) = delete;

  // A name in the abstract namespace no other process or test uses.
  static std::string unique_abstract_name() {
    static std::atomic<int> counter{0};
    return "@feedsync-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  }

  const std::string& notify_socket() const { return name_; }

  // The next datagram, waiting up to `timeout`; nullopt when none came.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::string buffer(4096, '\0');
    auto n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<std::size_t>(n));
    return buffer;
  }

  // Everything already queued. Sends on AF_UNIX datagram sockets are queued at the receiver
  // before sendto() returns, so after the notifier's calls this sees all of them, in order.
  std::vector<std::string> drain() {
    std::vector<std::string> all;
    while (auto d = receive(std::chrono::milliseconds(0))) all.push_back(std::move(*d));
    return all;
  }

 private:
  std::string name_;
  int fd_ = -1;
};

}  // namespace feedsync::testing
