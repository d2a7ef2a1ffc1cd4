#pragma once
// A thin RAII layer over one SQLite connection: the handle, cached prepared statements and
// transactions. Only lib/store uses it (tests too, to poke at a database file directly). SQLite's
// types are only forward-declared here, so nothing that includes this header sees sqlite3.h.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"
#include "store/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace feedsync::store {

// The error for a damaged database file, with what the operator can do about it. `detail` is
// SQLite's message or the first lines of PRAGMA quick_check.
CorruptError corrupt_database(const std::filesystem::path& path, std::string_view detail);

// Whether the database takes writes (issue 15: /readyz must see a store that cannot commit).
// A failure of the database itself (disk full, I/O error, read-only file system, busy past
// busy_timeout, corruption) counts, on a read or a write. A COMMIT that changed rows clears them
// (one that changed nothing writes no page, and succeeds even on a full disk) once no failure has
// come for kWriteHealthQuiet: a store that takes some writes and fails others (a full disk with
// free pages left inside the database file, issue 21) is not healthy.
// Times come from the connection's Clock and are used only for this report.
inline constexpr std::chrono::seconds kWriteHealthQuiet{10};
struct WriteHealth {
  std::uint64_t failures = 0;  // since the failures began
  std::string last_error;
  std::optional<SteadyTime> failing_since;  // the first of them
  std::optional<SteadyTime> last_commit;
  std::filesystem::path path;  // the database's, for the report
  std::optional<SteadyTime> last_failure;  // the newest of them
};

// One open connection. Every error becomes a StoreError (CorruptError for SQLITE_CORRUPT and
// SQLITE_NOTADB) naming the database path and the operation under way (see Operation).
class Database {
 public:
  // Opens an existing file read-write (the caller creates it first, with the mode it wants).
  // `clock` stamps WriteHealth; it must outlive the connection.
  explicit Database(const std::filesystem::path& path, const Clock& clock = system_clock());
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Runs one or more SQL statements that return no rows the caller needs.
  void exec(std::string_view sql);
  void set_busy_timeout(std::chrono::milliseconds timeout);

  std::int64_t changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  std::int64_t last_insert_rowid() const;
  bool in_transaction() const;
  const WriteHealth& write_health() const { return health_; }

  // Labels errors raised while it lives ("enqueue upsert for blog/abc"), so a failure deep in
  // a statement still tells the operator what was being done. Nests; restores the outer label.
  class Operation {
   public:
    Operation(Database& db, std::string label);
    ~Operation();
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

   private:
    Database& db_;
    std::string saved_;
  };

  // Throws the StoreError for SQLite result code `rc` (or the connection's last error).
  [[noreturn]] void fail(int rc) const;
  [[noreturn]] void fail(int rc, std::string_view detail) const;
  // Throws a StoreError carrying `message` with the path and operation prefix.
  [[noreturn]] void fail_with(std::string_view message) const;

 private:
  friend class Statement;
  friend class Transaction;
  friend class WriteScope;
  void note_commit(std::int64_t changes_before);
  std::int64_t total_changes() const;
  void note_failure(int primary, const std::string& message) const;
  // The errno behind a failure of SQLite result `primary`, for the operator's advice.
  int failure_errno(int primary) const;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::string operation_;
  const Clock* clock_;
  mutable WriteHealth health_;  // fail() is const: recording a failure is not a change of data
  // Heterogeneous lookup: finding a cached statement by string_view allocates nothing.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  // Statements are prepared once and reused: upsert_article runs per article on a full scan.
  std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache_;
};

// A prepared statement borrowed from the connection's cache for the lifetime of this object
// (reset and unbound on destruction). If the same SQL is already in use, e.g. a nested query,
// a private statement is prepared instead so the two do not trample each other.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based. Text is copied, so temporaries are safe to bind.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, bool value) = delete;  // say 0/1 explicitly
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullptr_t);
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }
  // bind_all(a, b, c) binds a to ?1, b to ?2, c to ?3.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  bool step();  // true while a row is available
  void run();   // steps to completion, ignoring any rows

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::optional<std::int64_t> opt_int64(int column) const;
  std::string text(int column) const;
  std::optional<std::string> opt_text(int column) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
  Database::Cached* cached_ = nullptr;  // null when the statement is private to this object
};

// SQLiteCpp-style transaction: BEGIN IMMEDIATE on construction (so a writer waits for the write
// lock up front, within busy_timeout, instead of failing half-way with SQLITE_BUSY), commit() to
// keep the work, rollback on destruction otherwise, including while unwinding from an exception.
// Transactions do not nest; the Database (Store) must outlive it.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();  // explicit early rollback; the destructor then does nothing

 private:
  Database& db_;
  bool open_ = true;
  std::int64_t changes_at_begin_ = 0;
};

// Makes one store call atomic whether or not the caller has a Transaction open: outside one it is
// its own BEGIN IMMEDIATE..COMMIT; inside one it is a SAVEPOINT, so a call that fails undoes only
// its own changes and leaves the caller's transaction usable.
class WriteScope {
 public:
  explicit WriteScope(Database& db);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  void commit();

 private:
  Database& db_;
  bool savepoint_ = false;
  bool open_ = true;
  std::int64_t changes_at_begin_ = 0;
};

}  // namespace feedsync::store
