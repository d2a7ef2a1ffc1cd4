// What the operator reads when the state database's file system fails (issue 21).
#include "store/storage_fault.hpp"

#include <cerrno>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace feedsync::store {
namespace {

using ::testing::HasSubstr;

TEST(StorageFault, TheErrnoNamesWhatSqlitesCodeDoesNot) {
  // A write on a file system the kernel remounted read-only is an I/O error to SQLite.
  EXPECT_EQ(classify_storage_fault(StorageFault::io_error, EROFS), StorageFault::read_only);
  EXPECT_EQ(classify_storage_fault(StorageFault::io_error, ENOSPC), StorageFault::disk_full);
  EXPECT_EQ(classify_storage_fault(StorageFault::io_error, EDQUOT), StorageFault::disk_full);
  EXPECT_EQ(classify_storage_fault(StorageFault::other, EROFS), StorageFault::read_only);  // e.g. CANTOPEN
  EXPECT_EQ(classify_storage_fault(StorageFault::other, EIO), StorageFault::io_error);
  EXPECT_EQ(classify_storage_fault(StorageFault::io_error, EIO), StorageFault::io_error);
  EXPECT_EQ(classify_storage_fault(StorageFault::disk_full, EIO), StorageFault::disk_full);
  EXPECT_EQ(classify_storage_fault(StorageFault::disk_full, 0), StorageFault::disk_full);
  EXPECT_EQ(classify_storage_fault(StorageFault::read_only, 0), StorageFault::read_only);
  EXPECT_EQ(classify_storage_fault(StorageFault::other, 0), StorageFault::other);
  EXPECT_EQ(classify_storage_fault(StorageFault::other, ENOENT), StorageFault::other);
  // A lock is a lock, whatever errno an earlier call left behind.
  EXPECT_EQ(classify_storage_fault(StorageFault::busy, EROFS), StorageFault::busy);
}

TEST(StorageFault, EachAdviceNamesTheDirectoryAndWhatToDo) {
  const std::filesystem::path db = "/var/lib/feedsync/state.db";
  const auto full = storage_fault_advice(StorageFault::disk_full, db);
  EXPECT_THAT(full, HasSubstr("the file system holding /var/lib/feedsync is full"));
  EXPECT_THAT(full, HasSubstr("free some disk space"));
  EXPECT_THAT(full, HasSubstr("carries on by itself"));
  const auto read_only = storage_fault_advice(StorageFault::read_only, db);
  EXPECT_THAT(read_only, HasSubstr("the file system holding /var/lib/feedsync is read-only"));
  EXPECT_THAT(read_only, HasSubstr("dmesg"));
  EXPECT_THAT(read_only, HasSubstr("remount it read-write"));
  const auto io = storage_fault_advice(StorageFault::io_error, db);
  EXPECT_THAT(io, HasSubstr("I/O error on the file system holding /var/lib/feedsync"));
  EXPECT_THAT(io, HasSubstr("feedsyncd backup"));
  const auto busy = storage_fault_advice(StorageFault::busy, db);
  EXPECT_THAT(busy, HasSubstr("busy_timeout"));
  EXPECT_THAT(busy, HasSubstr("fuser /var/lib/feedsync/state.db"));
  EXPECT_EQ(storage_fault_advice(StorageFault::other, db), "");
  // A bare file name lives in the working directory.
  EXPECT_THAT(storage_fault_advice(StorageFault::disk_full, "state.db"), HasSubstr("holding . is full"));
}

}  // namespace
}  // namespace feedsync::store
