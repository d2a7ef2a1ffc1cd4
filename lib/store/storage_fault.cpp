#include "store/storage_fault.hpp"

#include <cerrno>

namespace feedsync::store {

StorageFault classify_storage_fault(StorageFault sqlite_view, int system_errno) {
  // A lock is not a file system's fault; the errno may be left from an earlier call.
  if (sqlite_view == StorageFault::busy) return sqlite_view;
  switch (system_errno) {
    case ENOSPC:
    case EDQUOT: return StorageFault::disk_full;
    case EROFS: return StorageFault::read_only;
    case EIO: return sqlite_view == StorageFault::disk_full ? sqlite_view : StorageFault::io_error;
    default: return sqlite_view;
  }
}

std::string storage_fault_advice(StorageFault fault, const std::filesystem::path& database) {
  std::filesystem::path dir = database.parent_path();
  if (dir.empty()) dir = ".";
  const std::string where = "the file system holding " + dir.string();
  switch (fault) {
    case StorageFault::disk_full:
      return where + " is full: free some disk space there; feedsyncd carries on by itself once it can write "
                     "(nothing is lost: the feeds are read again from the last commit)";
    case StorageFault::read_only:
      return where + " is read-only (after an I/O error the kernel remounts a file system read-only: see dmesg): "
                     "make it writable again (repair it with fsck and remount it read-write, restarting feedsyncd "
                     "if it had to be unmounted); nothing is lost: the feeds are read again from the last commit";
    case StorageFault::io_error:
      return "an I/O error on " + where + ": check the disk (dmesg, smartctl); if the database turns out "
             "damaged, restore a backup made with `feedsyncd backup`";
    case StorageFault::busy:
      return "another process kept its write lock past busy_timeout: find it with `fuser " + database.string() +
             "`; `feedsyncd run` tries again by itself (nothing is lost), a command waits longer with a larger "
             "state.busy_timeout";
    case StorageFault::other: return {};
  }
  return {};
}

}  // namespace feedsync::store
