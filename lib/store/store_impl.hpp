#pragma once
// Store's private state, shared by store.cpp and outbox.cpp. Internal to lib/store.

#include <optional>
#include <string>
#include <string_view>

#include "store/database.hpp"
#include "store/lock.hpp"
#include "store/store.hpp"

namespace feedsync::store {

struct Store::Impl {
  Impl(std::optional<LockFile> lock_file, const std::filesystem::path& path, const OpenOptions& open_options)
      : lock(std::move(lock_file)),
        db(path, open_options.clock != nullptr ? *open_options.clock : system_clock()),
        options(open_options) {}

  // Declared before db: members are destroyed in reverse order, so the connection is closed
  // (and the WAL checkpointed) before another daemon can take the lock.
  std::optional<LockFile> lock;
  Database db;
  OpenOptions options;
  int schema_version = 0;
  std::size_t recovered_inflight = 0;
  std::optional<std::string> open_warning;

  // Throws the "feed X is not in the state database" StoreError.
  void require_feed(std::string_view name);
  [[noreturn]] void unknown_feed(std::string_view name);
  // Runs a one-row UPDATE of feeds (?1 = name, then args); no row changed means no such feed.
  // Defined in store.cpp, its only user.
  template <class... Args>
  void update_feed(std::string_view what, std::string_view sql, std::string_view name, const Args&... args);
};

// "feed blog, guid 42": how errors and labels name an article.
std::string article_label(std::string_view feed, std::string_view guid);

// Returns ops left inflight by a crashed daemon to the queue; the count. Call in a transaction.
std::size_t recover_inflight(Database& db);

}  // namespace feedsync::store
