#pragma once
// Errors of the state store. Everything the store expects can go wrong (database in use, corrupt,
// too new, unknown feed, disk full, ...) is a StoreError whose message names the database path
// and, where it matters, the feed and guid: the daemon prints it as is and maps the type to an
// exit status, so the message must be enough for an operator to act on.

#include <stdexcept>
#include <string>

#include <sys/types.h>

namespace feedsync::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another process (or another Store in this process) holds the exclusive lock on the database.
class LockedError : public StoreError {
 public:
  LockedError(const std::string& message, pid_t holder_pid) : StoreError(message), holder_pid_(holder_pid) {}
  // The pid written into the lock file by the holder; 0 if it could not be read (the holder may
  // have taken the lock an instant ago and not written it yet).
  pid_t holder_pid() const { return holder_pid_; }

 private:
  pid_t holder_pid_;
};

// The file is not an SQLite database, or PRAGMA quick_check found damage. Separate from
// StoreError so the daemon can point at the recovery steps rather than suggest a retry.
class CorruptError : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace feedsync::store
