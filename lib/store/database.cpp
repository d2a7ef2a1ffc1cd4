#include "store/database.hpp"

#include <sqlite3.h>

#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "store/storage_fault.hpp"

namespace feedsync::store {

CorruptError corrupt_database(const std::filesystem::path& path, std::string_view detail) {
  return CorruptError(
      "state database " + path.string() + " is corrupt (" + std::string(detail) +
      "). Restore a backup made with `feedsyncd backup`, or move the file (and any -wal and -shm "
      "files next to it) aside to start over: the next full scan rebuilds the state, and no CMS "
      "item is duplicated because content keys are deterministic");
}

namespace {

// SQLite's category of a failure of the database itself (storage_fault.hpp).
StorageFault sqlite_view(int primary) {
  switch (primary) {
    case SQLITE_FULL: return StorageFault::disk_full;
    case SQLITE_READONLY: return StorageFault::read_only;
    case SQLITE_IOERR: return StorageFault::io_error;
    case SQLITE_BUSY: case SQLITE_LOCKED: return StorageFault::busy;
    default: return StorageFault::other;
  }
}

}  // namespace

int Database::failure_errno(int primary) const {
  const int reported = sqlite3_system_errno(db_);
  if (reported == ENOSPC || reported == EDQUOT || reported == EROFS) return reported;
  if (primary != SQLITE_IOERR && primary != SQLITE_CANTOPEN && primary != SQLITE_READONLY) return reported;
  // SQLite keeps the errno current when it noticed the failure, often not that of the call that
  // failed (an ext4 file system the kernel made read-only after an error answered EROFS, and
  // SQLite said EIO). Opening the database for writing changes nothing and tells.
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return reported;
  }
  return errno == EROFS ? EROFS : reported;
}

Database::Database(const std::filesystem::path& path, const Clock& clock) : path_(path), clock_(&clock) {
  health_.path = path;
  // No SQLITE_OPEN_CREATE: Store::open creates the file itself so it gets mode 0600.
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError("cannot open state database " + path_.string() + ": " + message);
  }
  // Extended codes tell SQLITE_CONSTRAINT_FOREIGNKEY from the rest in error messages.
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  // close_v2: never fails with SQLITE_BUSY; a leaked statement would only delay the close.
  sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    fail(rc, detail);
  }
}

void Database::set_busy_timeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }
std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Database::Operation::Operation(Database& db, std::string label) : db_(db), saved_(std::move(label)) {
  std::swap(db_.operation_, saved_);
}
Database::Operation::~Operation() { std::swap(db_.operation_, saved_); }

void Database::fail(int rc) const { fail(rc, sqlite3_errmsg(db_)); }

void Database::fail(int rc, std::string_view detail) const {
  int primary = rc & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    auto error = corrupt_database(path_, detail);
    note_failure(primary, error.what());
    throw error;
  }
  std::string message(detail);
  const auto advice = storage_fault_advice(classify_storage_fault(sqlite_view(primary), failure_errno(primary)), path_);
  if (!advice.empty()) message += " (" + advice + ")";
  note_failure(primary, message);
  fail_with(message);
}

void Database::note_failure(int primary, const std::string& message) const {
  switch (primary) {
    case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_READONLY: case SQLITE_BUSY: case SQLITE_LOCKED:
    case SQLITE_CANTOPEN: case SQLITE_PROTOCOL: case SQLITE_CORRUPT: case SQLITE_NOTADB: case SQLITE_NOMEM:
      break;
    default:
      return;  // a constraint or misuse: a bug or bad data, not a store that cannot write
  }
  const auto now = clock_->steady_now();
  if (health_.failures++ == 0) health_.failing_since = now;
  health_.last_failure = now;
  health_.last_error = message;
}

std::int64_t Database::total_changes() const { return sqlite3_total_changes64(db_); }

void Database::note_commit(std::int64_t changes_before) {
  if (total_changes() <= changes_before) return;  // nothing written: proves nothing
  const auto now = clock_->steady_now();
  health_.last_commit = now;
  if (health_.last_failure && now - *health_.last_failure < kWriteHealthQuiet) return;  // still failing now and then
  health_.failures = 0;
  health_.failing_since.reset();
  health_.last_failure.reset();
  health_.last_error.clear();
}

void Database::fail_with(std::string_view message) const {
  std::string text = "state database " + path_.string() + ": ";
  if (!operation_.empty()) text += operation_ + ": ";
  text += message;
  throw StoreError(text);
}

// --- Statement ---

Statement::Statement(Database& db, std::string_view sql) : db_(db) {
  auto it = db.cache_.find(sql);
  if (it == db.cache_.end()) it = db.cache_.emplace(std::string(sql), Database::Cached{}).first;
  Database::Cached& entry = it->second;
  if (!entry.in_use) {
    if (entry.stmt == nullptr) {
      int rc = sqlite3_prepare_v3(db.db_, sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &entry.stmt, nullptr);
      if (rc != SQLITE_OK) {
        entry.stmt = nullptr;
        db.cache_.erase(it);
        db.fail(rc);
      }
    }
    entry.in_use = true;
    stmt_ = entry.stmt;
    cached_ = &entry;  // unordered_map nodes are stable: the pointer survives later inserts
    return;
  }
  int rc = sqlite3_prepare_v2(db.db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    db.fail(rc);
  }
}

Statement::~Statement() {
  if (cached_ != nullptr) {
    // Reset ends the statement's implicit read, so it never pins a WAL snapshot.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    cached_->in_use = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_.fail(rc);
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_.fail(rc);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    // A write outside any transaction commits by itself (autocommit): the store took a write.
    if (!sqlite3_stmt_readonly(stmt_) && sqlite3_get_autocommit(db_.db_)) {
      db_.note_commit(db_.total_changes() - sqlite3_changes64(db_.db_));
    }
    return false;
  }
  db_.fail(rc);
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Statement::opt_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::opt_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

// --- Transaction ---

Transaction::Transaction(Database& db) : db_(db) {
  if (db_.in_transaction()) {
    db_.fail_with("cannot begin a transaction: one is already open (transactions do not nest)");
  }
  db_.exec("BEGIN IMMEDIATE");
  changes_at_begin_ = db_.total_changes();
}

Transaction::~Transaction() {
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL); ROLLBACK would fail.
  if (open_ && db_.in_transaction()) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {  // nothing useful to do in a destructor; the connection stays usable
    }
  }
}

void Transaction::commit() {
  if (!open_) db_.fail_with("commit: the transaction is already finished");
  db_.exec("COMMIT");  // on failure the transaction stays open and the destructor rolls it back
  open_ = false;
  db_.note_commit(changes_at_begin_);
}

void Transaction::rollback() {
  if (!open_) return;
  open_ = false;
  if (db_.in_transaction()) db_.exec("ROLLBACK");
}

// --- WriteScope ---

WriteScope::WriteScope(Database& db) : db_(db), savepoint_(db.in_transaction()) {
  db_.exec(savepoint_ ? "SAVEPOINT feedsync_call" : "BEGIN IMMEDIATE");
  changes_at_begin_ = db_.total_changes();
}

WriteScope::~WriteScope() {
  if (!open_ || !db_.in_transaction()) return;
  try {
    db_.exec(savepoint_ ? "ROLLBACK TO feedsync_call; RELEASE feedsync_call" : "ROLLBACK");
  } catch (...) {
  }
}

void WriteScope::commit() {
  db_.exec(savepoint_ ? "RELEASE feedsync_call" : "COMMIT");
  open_ = false;
  if (!savepoint_) db_.note_commit(changes_at_begin_);
}

}  // namespace feedsync::store
