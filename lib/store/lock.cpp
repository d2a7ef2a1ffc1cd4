#include "store/lock.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/error.hpp"

namespace feedsync::store {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// The holder writes its pid right after taking the lock; 0 if we read in between (or garbage).
pid_t read_pid(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return 0;
  char* end = nullptr;
  long pid = std::strtol(buffer, &end, 10);
  return pid > 0 ? static_cast<pid_t>(pid) : 0;
}

}  // namespace

LockFile::LockFile(const std::filesystem::path& lock_path, const std::filesystem::path& database_path)
    : path_(lock_path) {
  // O_CLOEXEC: a child process (none today) must not inherit, and so keep, the daemon's lock.
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) {
    int err = errno;
    throw StoreError("cannot open lock file " + lock_path.string() + " for state database " +
                     database_path.string() + ": " + errno_text(err));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    pid_t holder = err == EWOULDBLOCK ? read_pid(fd_) : 0;
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK) {
      throw StoreError("cannot lock " + lock_path.string() + " for state database " +
                       database_path.string() + ": " + errno_text(err));
    }
    std::string who = holder > 0 ? "pid " + std::to_string(holder) : "pid unknown";
    throw LockedError("state database " + database_path.string() + " is in use by another feedsyncd (" +
                          who + "); stop it first or point state.path elsewhere",
                      holder);
  }
  // We hold the lock now. The pid is informational only: the lock, not the file's content,
  // decides who owns the database, so failing to write it is not an error.
  ::fchmod(fd_, 0600);  // best effort: a file left by an older run may have a wider mode
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

LockFile::LockFile(LockFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

LockFile::~LockFile() {
  if (fd_ < 0) return;
  // The file itself stays: unlinking it would let a contender lock a fresh inode while a third
  // process still holds the old one. Emptying it (while still locked) leaves no stale pid.
  [[maybe_unused]] int rc = ::ftruncate(fd_, 0);
  ::close(fd_);  // releases the flock
}

}  // namespace feedsync::store
