#pragma once
// The systemd notify protocol (sd_notify(3)) written directly: one datagram of KEY=VALUE lines
// to the AF_UNIX socket named by $NOTIFY_SOCKET. No libsystemd: the protocol is a sendto(), and
// the daemon should not need another shared library for it (DESIGN.md §7).
//
// Every call is safe in any environment: without $NOTIFY_SOCKET (run by hand, in tests, in a
// container) it is a no-op; a failed send is logged once at warn and never throws or blocks,
// because a missing or wedged systemd must not stop syncing.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace feedsync::ops {

class SdNotifier {
 public:
  // Reads $NOTIFY_SOCKET through `env` (the process environment by default). A value that is
  // neither an absolute path nor "@abstract-name", or too long for sockaddr_un, disables the
  // notifier with a warning.
  explicit SdNotifier(const config::Environment& env = {});
  ~SdNotifier();
  SdNotifier(const SdNotifier&) = delete;
  SdNotifier& operator=(const SdNotifier&) = delete;

  bool enabled() const { return !address_.empty(); }

  void ready() { send("READY=1"); }
  void watchdog() { send("WATCHDOG=1"); }
  void stopping() { send("STOPPING=1"); }
  // RELOADING=1 with MONOTONIC_USEC in the same datagram: systemd >= 253 wants the timestamp to
  // tell this reload from an older one; 252 (Debian 12) ignores it. Send ready() when done.
  void reloading();
  // STATUS=<line> for `systemctl status`: control characters become spaces (a newline would
  // start a new assignment) and the text is capped at kMaxStatusBytes on a UTF-8 boundary.
  void status(std::string_view one_line);

  // Sends `message` as one datagram. True when the kernel accepted it; false when disabled or
  // the send failed (the first failure is logged).
  bool send(std::string_view message);

  static constexpr std::size_t kMaxStatusBytes = 256;

 private:
  std::string address_;  // sockaddr_un bytes to pass to sendto(); empty = disabled
  std::string socket_name_;  // $NOTIFY_SOCKET as given, for messages
  int fd_ = -1;  // opened on the first send
  bool warned_ = false;
};

// The watchdog interval systemd expects pings within ($WATCHDOG_USEC), or nullopt when there is
// no watchdog for this process: unset, zero or malformed, or $WATCHDOG_PID names another process
// (the variables were inherited from a parent that has the watchdog).
std::optional<std::chrono::microseconds> watchdog_interval(const config::Environment& env = {});

}  // namespace feedsync::ops
