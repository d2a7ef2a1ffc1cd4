#pragma once
// The exclusive lock that keeps two daemons off one state database (DESIGN.md §5). SQLite's own
// locking only serialises transactions; two daemons interleaving their polls and outbox relays on
// one database would each claim and push work the other believes it owns.

#include <filesystem>

namespace feedsync::store {

// An flock(2) on "<database>.lock", held while the object lives. flock belongs to the open file
// description, so the lock is released when the process dies however it dies (no stale locks
// after kill -9), and a second LockFile on the same path conflicts even within one process.
class LockFile {
 public:
  // Takes the lock without waiting, creating the file (mode 0600) if needed, and writes our pid
  // into it for the error the next contender will see. Throws LockedError naming the holder's
  // pid when another holder has it, StoreError for anything else.
  LockFile(const std::filesystem::path& lock_path, const std::filesystem::path& database_path);
  ~LockFile();
  LockFile(LockFile&& other) noexcept;
  LockFile& operator=(LockFile&&) = delete;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace feedsync::store
