#include "ops/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>

#include "log/log.hpp"

namespace feedsync::ops {
namespace {

// The sockaddr_un for $NOTIFY_SOCKET as raw bytes (its length is the address length), or empty
// when the value is unusable. The length matters for abstract sockets: their name is exactly
// the bytes after the leading NUL, so passing sizeof(sockaddr_un) would address a different
// socket (the name padded with NULs).
std::string socket_address(std::string_view value) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::size_t used = 0;
  if (value.size() >= 2 && value.front() == '@') {
    if (value.size() > sizeof(addr.sun_path)) return {};  // NUL + name must fit
    addr.sun_path[0] = '\0';
    std::memcpy(addr.sun_path + 1, value.data() + 1, value.size() - 1);
    used = value.size();
  } else if (value.size() >= 2 && value.front() == '/') {
    if (value.size() >= sizeof(addr.sun_path)) return {};  // path + terminating NUL must fit
    std::memcpy(addr.sun_path, value.data(), value.size());
    used = value.size() + 1;
  } else {
    return {};  // relative paths and other families (vsock:) are not ours to guess
  }
  const auto length = offsetof(sockaddr_un, sun_path) + used;
  return std::string(reinterpret_cast<const char*>(&addr), length);
}

// A whole decimal number, nothing before or after it.
template <typename T>
std::optional<T> parse_number(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  T value{};
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::string monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
              static_cast<unsigned long long>(now.tv_nsec) / 1'000ULL;
  return std::to_string(usec);
}

}  // namespace

SdNotifier::SdNotifier(const config::Environment& env) {
  auto value = env.get("NOTIFY_SOCKET");
  if (!value || value->empty()) return;
  socket_name_ = *value;
  address_ = socket_address(*value);
  if (address_.empty())
    log::warn("NOTIFY_SOCKET is not usable; systemd will not get notifications",
              {{"notify_socket", socket_name_}});
}

SdNotifier::~SdNotifier() {
  if (fd_ >= 0) ::close(fd_);
}

void SdNotifier::reloading() { send("RELOADING=1\nMONOTONIC_USEC=" + monotonic_usec()); }

void SdNotifier::status(std::string_view one_line) {
  auto cut = std::min(one_line.size(), kMaxStatusBytes);
  // Never cut a UTF-8 sequence in half: move the cut back to the start of the character that
  // straddles it (continuation bytes are 10xxxxxx).
  auto continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
  if (cut < one_line.size())
    while (cut > 0 && continuation(one_line[cut])) --cut;
  std::string line(one_line.substr(0, cut));
  for (auto& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  send("STATUS=" + line);
}

bool SdNotifier::send(std::string_view message) {
  if (!enabled()) return false;
  // Non-blocking: a systemd that stopped reading fills the socket's queue, and the event loop
  // must then carry on (EAGAIN) rather than hang. CLOEXEC: children must not inherit it.
  if (fd_ < 0) fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  ssize_t sent = -1;
  if (fd_ >= 0)
    sent = ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(address_.data()),
                    static_cast<socklen_t>(address_.size()));
  const int error = errno;  // from socket() or sendto(), whichever failed
  if (sent == static_cast<ssize_t>(message.size())) return true;
  // Once per notifier: the watchdog pings every few seconds, and a line each time would bury
  // the log when systemd is gone.
  if (!warned_) {
    warned_ = true;
    auto reason = std::error_code(error, std::generic_category()).message();
    log::warn("cannot notify systemd; further failures are not logged",
              {{"notify_socket", socket_name_}, {"error", std::move(reason)}});
  }
  return false;
}

std::optional<std::chrono::microseconds> watchdog_interval(const config::Environment& env) {
  auto usec = parse_number<unsigned long long>(env.get("WATCHDOG_USEC"));
  constexpr auto kMax = static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max());
  if (!usec || *usec == 0 || *usec > kMax) return std::nullopt;  // 0 = off; huge = "infinity"
  // Without WATCHDOG_PID the watchdog is ours (older systemd does not set it); with it, it is
  // ours only when it names this process.
  if (auto pid_text = env.get("WATCHDOG_PID")) {
    auto pid = parse_number<pid_t>(pid_text);
    if (!pid || *pid != ::getpid()) return std::nullopt;
  }
  return std::chrono::microseconds(*usec);
}

}  // namespace feedsync::ops
