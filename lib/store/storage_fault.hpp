#pragma once
// What an operator reads when the state database itself fails (issue 21): the cause in words and
// what to do about it, naming the directory. The cause comes from the errno of the system call
// that failed where SQLite keeps one (a write on a file system the kernel remounted read-only is
// SQLITE_IOERR to SQLite, EROFS to the kernel), else from SQLite's own category. Pure.

#include <filesystem>
#include <string>

namespace feedsync::store {

enum class StorageFault {
  disk_full,   // SQLITE_FULL, ENOSPC, EDQUOT
  read_only,   // SQLITE_READONLY, EROFS
  io_error,    // SQLITE_IOERR, EIO
  busy,        // SQLITE_BUSY / SQLITE_LOCKED past busy_timeout
  other,
};

// `sqlite_view`: the category of SQLite's result code; `system_errno`: sqlite3_system_errno()
// (0 when none). The errno wins where it names a cause SQLite's code does not tell apart, except
// for `busy` (a lock, whatever errno an earlier call left).
StorageFault classify_storage_fault(StorageFault sqlite_view, int system_errno);

// The advice appended to SQLite's message, e.g. "the file system holding /var/lib/feedsync is
// full: free some disk space there; ...". Empty for `other`.
std::string storage_fault_advice(StorageFault fault, const std::filesystem::path& database);

}  // namespace feedsync::store
