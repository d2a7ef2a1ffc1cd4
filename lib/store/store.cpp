#include "store/store.hpp"

#include <algorithm>
#include <map>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include "store/schema.hpp"
#include "store/store_impl.hpp"

namespace feedsync::store {
namespace fs = std::filesystem;

std::string article_label(std::string_view feed, std::string_view guid) {
  return "feed " + std::string(feed) + ", guid " + std::string(guid);
}

void Store::Impl::require_feed(std::string_view name) {
  Statement st(db, "SELECT 1 FROM feeds WHERE name = ?1");
  if (!st.bind(1, name).step()) unknown_feed(name);
}

void Store::Impl::unknown_feed(std::string_view name) {
  db.fail_with("feed " + std::string(name) +
               " is not in the state database (feeds are added from the configuration when the daemon starts)");
}

namespace {

// Fails with the directory named: SQLite would only say "unable to open database file".
void check_parent_directory(const fs::path& path) {
  fs::path parent = path.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  auto status = fs::status(parent, ec);
  if (!fs::exists(status)) {
    throw StoreError("cannot open state database " + path.string() + ": directory " + parent.string() +
                     " does not exist; create it (the package's StateDirectory= normally does) or point "
                     "state.path elsewhere");
  }
  if (!fs::is_directory(status)) {
    throw StoreError("cannot open state database " + path.string() + ": " + parent.string() +
                     " is not a directory");
  }
}

// SQLite would create the file with mode 0644 (less the umask); the state holds payloads and
// errors that need not be world-readable. The -wal and -shm files inherit the database's mode.
void create_if_missing(const fs::path& path, bool allowed) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec))) return;
  if (!allowed) {
    throw StoreError("no state database at " + path.string() +
                     " (has feedsyncd run with this state.path yet?)");
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {  // EEXIST: another process created it first, which is fine
    int err = errno;
    throw StoreError("cannot create state database " + path.string() + ": " + std::strerror(err));
  }
}

// "file is not a database" surfaces here as a CorruptError from the prepare; damage inside a
// sound file comes back as rows other than "ok".
void check_integrity(Database& db) {
  Database::Operation label(db, "integrity check");
  Statement st(db, "PRAGMA quick_check(10)");
  std::string problems;
  while (st.step()) {
    std::string line = st.text(0);
    if (line == "ok") continue;
    problems += (problems.empty() ? "quick_check: " : "; ") + line;
  }
  if (!problems.empty()) throw corrupt_database(db.path(), problems);
}

// A clean close removes both the -wal and the -shm file; a -shm left without its -wal means the
// last daemon stopped uncleanly and the log was deleted since, with whatever it had committed
// after the last checkpoint. SQLite cannot tell (the database is just older), so say it here.
std::optional<std::string> missing_wal_warning(const fs::path& path) {
  std::error_code ec;
  const fs::path wal(path.string() + "-wal"), shm(path.string() + "-shm");
  if (!fs::exists(shm, ec) || fs::exists(wal, ec)) return std::nullopt;
  return "state database " + path.string() + ": its write-ahead log " + wal.string() +
         " is missing after an unclean stop (" + shm.string() +
         " was left), so the changes committed after the last checkpoint are lost. If the file was moved, stop "
         "feedsyncd and put it back; otherwise nothing needs doing: the feeds are read again from the older "
         "watermarks and no CMS item is duplicated because content keys are deterministic";
}

void configure(Database& db) {
  Database::Operation label(db, "configure connection");
  // WAL: readers (the CLI) never block the daemon's writer, and a commit is one append + fsync.
  Statement st(db, "PRAGMA journal_mode = WAL");
  std::string mode = st.step() ? st.text(0) : "";
  if (mode != "wal") {
    db.fail_with("cannot switch to WAL journal mode (still \"" + mode +
                 "\"); the database must be on a local file system");
  }
  // FULL: a commit survives power loss, which the outbox's at-least-once guarantee relies on.
  db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
  // A cap, allocated as used. SQLite's default (2 MiB) is far below what one poll cycle's
  // transaction dirties on a large feed; once dirty pages spill mid-transaction every later call
  // pays for it (measured: enqueue 16 us with 64 MiB, 84 us with 16 MiB, in a 100k-op transaction).
  db.exec("PRAGMA cache_size = -65536");
}

FeedRow read_feed(const Statement& st) {
  FeedRow row;
  row.name = st.text(0);
  row.feed_id = st.text(1);
  row.watermark = st.opt_int64(2);
  row.last_attempt_at = st.opt_int64(3);
  row.last_success_at = st.opt_int64(4);
  row.last_failure_at = st.opt_int64(5);
  row.last_full_scan_at = st.opt_int64(6);
  row.consecutive_failures = st.int64(7);
  row.last_error = st.opt_text(8);
  row.paused = st.int64(9) != 0;
  row.held_deletes = st.int64(10);
  row.held_reason = st.opt_text(11);
  row.misconfigured = st.opt_text(12);
  row.deletes_approved = st.int64(13) != 0;
  row.deleted_watermark = st.opt_int64(14);
  row.deleted_read_at = st.opt_int64(15);
  row.deleted_failed_at = st.opt_int64(16);
  row.deleted_failures = st.int64(17);
  row.deleted_error = st.opt_text(18);
  row.deleted_feed_id = st.opt_text(19);
  return row;
}
#define FEED_COLUMNS                                                                                     \
  "name, feed_id, watermark, last_attempt_at, last_success_at, last_failure_at, last_full_scan_at, "     \
  "consecutive_failures, last_error, paused, held_deletes, held_reason, misconfigured, deletes_approved, "       \
  "deleted_watermark, deleted_read_at, deleted_failed_at, deleted_failures, deleted_error, deleted_feed_id"

ArticleRow read_article(Database& db, const Statement& st) {
  ArticleRow row;
  row.feed = st.text(0);
  row.guid = st.text(1);
  row.entry_modified_at = st.int64(2);
  row.content_modified_at = st.int64(3);
  row.title = st.text(4);
  row.pixel_key = st.opt_text(5);
  row.cms_key = st.text(6);
  row.cms_version = st.opt_text(7);
  row.route_segment = st.opt_text(8);
  row.payload_hash = st.opt_text(9);
  auto status = parse_article_status(st.text(10));
  if (!status) db.fail_with("article " + article_label(row.feed, row.guid) + " has an unknown status");
  row.status = *status;
  row.canonical_url = st.opt_text(11);
  row.deleted_at = st.opt_int64(12);
  row.updated_at = st.int64(13);
  row.fetched_at = st.opt_int64(14);
  row.cms_status = st.opt_text(15);
  row.cms_edit_kept = st.opt_text(16);
  row.publish_at = st.opt_int64(17);
  row.meta_url = st.opt_text(18);
  row.locale = st.opt_text(19);
  return row;
}
#define ARTICLE_COLUMNS                                                                                  \
  "feed, guid, entry_modified_at, content_modified_at, title, pixel_key, cms_key, cms_version, "         \
  "route_segment, payload_hash, status, canonical_url, deleted_at, updated_at, fetched_at, cms_status, "   \
  "cms_edit_kept, publish_at, meta_url, locale"

}  // namespace

// --- open ---

Store Store::open(const fs::path& path, const OpenOptions& options) {
  if (path.empty()) throw StoreError("the state database path is empty; set state.path");
  check_parent_directory(path);
  std::optional<LockFile> lock;
  if (options.access == Access::exclusive) lock.emplace(fs::path(path.string() + ".lock"), path);
  create_if_missing(path, options.create_if_missing);
  // Before SQLite opens it (and makes a new -wal): only the lock holder can trust what it sees.
  auto warning = options.access == Access::exclusive ? missing_wal_warning(path) : std::nullopt;

  auto impl = std::make_unique<Impl>(std::move(lock), path, options);
  impl->open_warning = std::move(warning);
  Database& db = impl->db;
  db.set_busy_timeout(options.busy_timeout);
  // The daemon checks integrity when it starts; CLI commands next to it stay instant on a large
  // database (quick_check reads every page) and still fail cleanly on damage they touch.
  if (options.access == Access::exclusive) check_integrity(db);
  configure(db);
  if (options.access == Access::shared && read_schema_version(db) < kSchemaVersion) {
    // A CLI from a newer package must not change the schema under an older daemon that is still
    // running: migrate only while holding the daemon lock, i.e. when no daemon runs.
    std::optional<LockFile> migration_lock;
    try {
      migration_lock.emplace(fs::path(path.string() + ".lock"), path);
    } catch (const LockedError& e) {
      throw StoreError("state database " + path.string() + " has schema version " +
                       std::to_string(read_schema_version(db)) + " and this feedsyncd needs " +
                       std::to_string(kSchemaVersion) + ", but a running feedsyncd (pid " +
                       std::to_string(e.holder_pid()) +
                       ") holds it; restart the daemon so it upgrades the schema, then retry");
    }
    impl->schema_version = migrate(db);
  } else {
    impl->schema_version = migrate(db);
  }
  if (options.access == Access::exclusive) {
    // Only the lock holder may do this: in shared mode the inflight ops belong to a live daemon.
    Database::Operation label(db, "crash recovery of in-flight outbox ops");
    Transaction tx(db);
    impl->recovered_inflight = recover_inflight(db);
    tx.commit();
  }
  return Store(std::move(impl));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

const fs::path& Store::path() const { return impl_->db.path(); }
int Store::schema_version() const { return impl_->schema_version; }
std::size_t Store::recovered_inflight() const { return impl_->recovered_inflight; }
const std::optional<std::string>& Store::open_warning() const { return impl_->open_warning; }

Transaction Store::transaction() { return Transaction(impl_->db); }

// --- feeds ---

void Store::ensure_feed(std::string_view name, std::string_view feed_id) {
  Database::Operation label(impl_->db, "ensure feed " + std::string(name));
  Statement(impl_->db,
            "INSERT INTO feeds (name, feed_id) VALUES (?1, ?2) "
            "ON CONFLICT (name) DO UPDATE SET feed_id = excluded.feed_id")
      .bind_all(name, feed_id)
      .run();
}

std::optional<FeedRow> Store::feed(std::string_view name) const {
  Statement st(impl_->db, "SELECT " FEED_COLUMNS " FROM feeds WHERE name = ?1");
  if (!st.bind(1, name).step()) return std::nullopt;
  return read_feed(st);
}

std::vector<FeedRow> Store::feeds() const {
  Statement st(impl_->db, "SELECT " FEED_COLUMNS " FROM feeds ORDER BY name");
  std::vector<FeedRow> rows;
  while (st.step()) rows.push_back(read_feed(st));
  return rows;
}

void Store::set_busy_timeout(std::chrono::milliseconds timeout) { impl_->db.set_busy_timeout(timeout); }

const WriteHealth& Store::write_health() const { return impl_->db.write_health(); }

std::vector<std::string> Store::paused_feeds() const {
  Statement st(impl_->db, "SELECT name FROM feeds WHERE paused != 0 ORDER BY name");
  std::vector<std::string> names;
  while (st.step()) names.push_back(st.text(0));
  return names;
}

template <class... Args>
void Store::Impl::update_feed(std::string_view what, std::string_view sql, std::string_view name,
                              const Args&... args) {
  Database::Operation label(db, std::string(what) + " for feed " + std::string(name));
  Statement(db, sql).bind_all(name, args...).run();
  if (db.changes() == 0) unknown_feed(name);
}

void Store::record_poll_success(std::string_view name, std::int64_t now, std::optional<std::int64_t> watermark,
                                bool full_scan) {
  impl_->update_feed("record poll success",
              "UPDATE feeds SET last_attempt_at = ?2, last_success_at = ?2, watermark = coalesce(?3, watermark), "
              "last_full_scan_at = CASE WHEN ?4 THEN ?2 ELSE last_full_scan_at END, "
              "consecutive_failures = 0, last_error = NULL, misconfigured = NULL WHERE name = ?1",
              name, now, watermark, std::int64_t{full_scan ? 1 : 0});
}

void Store::record_poll_failure(std::string_view name, std::int64_t now, std::string_view error) {
  impl_->update_feed("record poll failure",
              "UPDATE feeds SET last_attempt_at = ?2, last_failure_at = ?2, last_error = ?3, "
              "consecutive_failures = consecutive_failures + 1 WHERE name = ?1",
              name, now, error);
}

std::optional<std::string> Store::active_elsewhere(std::string_view feed, std::string_view guid) const {
  Statement st(impl_->db,
               "SELECT feed FROM articles WHERE guid = ?1 AND feed <> ?2 AND status = 'active' ORDER BY feed LIMIT 1");
  if (!st.bind_all(guid, feed).step()) return std::nullopt;
  return st.text(0);
}

std::optional<std::string> Store::active_translation(std::string_view feed, std::string_view cms_key,
                                                     std::string_view except_guid,
                                                     std::optional<std::string_view> locale) const {
  Statement st(impl_->db,
               "SELECT guid FROM articles WHERE cms_key = ?1 AND feed = ?2 AND guid <> ?3 AND status = 'active' "
               "AND (?4 IS NULL OR locale = ?4) ORDER BY guid LIMIT 1");
  if (!st.bind_all(cms_key, feed, except_guid, locale).step()) return std::nullopt;
  return st.text(0);
}

std::optional<std::string> Store::canonical_holder(std::string_view pixel_key, std::string_view feed,
                                                   std::string_view guid) const {
  Statement st(impl_->db,
               "SELECT a.feed, a.guid FROM articles a WHERE a.pixel_key = ?1 AND NOT (a.feed = ?2 AND a.guid = ?3) "
               "AND (a.canonical_url IS NOT NULL OR EXISTS (SELECT 1 FROM outbox o WHERE o.feed = a.feed "
               "AND o.guid = a.guid AND o.op = 'canonical')) ORDER BY a.feed LIMIT 1");
  if (!st.bind_all(pixel_key, feed, guid).step()) return std::nullopt;
  return st.text(0) + "/" + st.text(1);
}

void Store::record_deleted_feed_read(std::string_view name, std::string_view deleted_feed_id, std::int64_t now,
                                     std::optional<std::int64_t> watermark) {
  // Another id than last time: the old id's watermark means nothing for it.
  impl_->update_feed("record Deleted Feed read",
                     "UPDATE feeds SET deleted_read_at = ?3, deleted_watermark = CASE WHEN deleted_feed_id IS ?2 "
                     "THEN coalesce(?4, deleted_watermark) ELSE ?4 END, deleted_feed_id = ?2, "
                     "deleted_failures = 0, deleted_error = NULL WHERE name = ?1",
                     name, deleted_feed_id, now, watermark);
}

void Store::record_deleted_feed_failure(std::string_view name, std::int64_t now, std::string_view error) {
  impl_->update_feed("record Deleted Feed failure",
                     "UPDATE feeds SET deleted_failed_at = ?2, deleted_error = ?3, "
                     "deleted_failures = deleted_failures + 1 WHERE name = ?1",
                     name, now, error);
}

void Store::set_paused(std::string_view name, bool paused) {
  impl_->update_feed(paused ? "pause" : "resume", "UPDATE feeds SET paused = ?2 WHERE name = ?1", name,
              std::int64_t{paused ? 1 : 0});
}

void Store::hold_deletes(std::string_view name, std::int64_t count, std::string_view reason) {
  if (count < 0) {
    impl_->db.fail_with("hold deletes for feed " + std::string(name) + ": negative count " +
                        std::to_string(count));
  }
  impl_->update_feed("hold deletes", "UPDATE feeds SET held_deletes = ?2, held_reason = ?3 WHERE name = ?1",
              name, count, reason);
}

void Store::release_held_deletes(std::string_view name) {
  impl_->update_feed("release held deletes",
              "UPDATE feeds SET held_deletes = 0, held_reason = NULL WHERE name = ?1", name);
}

void Store::set_deletes_approved(std::string_view name, bool approved) {
  impl_->update_feed(approved ? "approve deletes" : "consume deletes approval",
                     "UPDATE feeds SET deletes_approved = ?2 WHERE name = ?1", name,
                     std::int64_t{approved ? 1 : 0});
}

void Store::set_misconfigured(std::string_view name, std::optional<std::string_view> reason) {
  impl_->update_feed("set misconfigured", "UPDATE feeds SET misconfigured = ?2 WHERE name = ?1", name, reason);
}

// --- articles ---

void Store::upsert_article(const ArticleRow& row) {
  Database::Operation label(impl_->db, "record article " + article_label(row.feed, row.guid));
  impl_->require_feed(row.feed);
  Statement(impl_->db,
            "INSERT INTO articles (" ARTICLE_COLUMNS ") "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
            "ON CONFLICT (feed, guid) DO UPDATE SET "
            "entry_modified_at = excluded.entry_modified_at, content_modified_at = excluded.content_modified_at, "
            "title = excluded.title, pixel_key = excluded.pixel_key, cms_key = excluded.cms_key, "
            "cms_version = excluded.cms_version, route_segment = excluded.route_segment, "
            "payload_hash = excluded.payload_hash, status = excluded.status, "
            "canonical_url = excluded.canonical_url, deleted_at = excluded.deleted_at, "
            "updated_at = excluded.updated_at, fetched_at = excluded.fetched_at, cms_status = excluded.cms_status, "
            "cms_edit_kept = excluded.cms_edit_kept, publish_at = excluded.publish_at, meta_url = excluded.meta_url, "
            "locale = excluded.locale")
      .bind_all(row.feed, row.guid, row.entry_modified_at, row.content_modified_at, row.title, row.pixel_key,
                row.cms_key, row.cms_version, row.route_segment, row.payload_hash, to_string(row.status),
                row.canonical_url, row.deleted_at, row.updated_at, row.fetched_at, row.cms_status, row.cms_edit_kept,
                row.publish_at, row.meta_url, row.locale)
      .run();
}

std::optional<ArticleRow> Store::article(std::string_view feed, std::string_view guid) const {
  Database::Operation label(impl_->db, "read article " + article_label(feed, guid));
  impl_->require_feed(feed);
  Statement st(impl_->db, "SELECT " ARTICLE_COLUMNS " FROM articles WHERE feed = ?1 AND guid = ?2");
  if (!st.bind_all(feed, guid).step()) return std::nullopt;
  return read_article(impl_->db, st);
}

std::vector<ArticleRow> Store::articles(std::string_view feed) const {
  Database::Operation label(impl_->db, "read articles of feed " + std::string(feed));
  impl_->require_feed(feed);
  Statement st(impl_->db, "SELECT " ARTICLE_COLUMNS " FROM articles WHERE feed = ?1 ORDER BY guid");
  st.bind(1, feed);
  std::vector<ArticleRow> rows;
  while (st.step()) rows.push_back(read_article(impl_->db, st));
  return rows;
}

std::vector<ArticleRow> Store::item_articles(std::string_view feed, std::string_view cms_key) const {
  Database::Operation label(impl_->db, "read the articles of CMS item " + std::string(cms_key));
  Statement st(impl_->db, "SELECT " ARTICLE_COLUMNS " FROM articles WHERE cms_key = ?1 AND feed = ?2 ORDER BY guid");
  st.bind_all(cms_key, feed);
  std::vector<ArticleRow> rows;
  while (st.step()) rows.push_back(read_article(impl_->db, st));
  return rows;
}

std::size_t Store::request_resync(std::string_view feed, std::optional<std::string_view> guid, std::int64_t now) {
  Database& db = impl_->db;
  Database::Operation label(db, "request resync of feed " + std::string(feed));
  WriteScope scope(db);
  impl_->require_feed(feed);
  Statement(db,
            "UPDATE articles SET entry_modified_at = 0, content_modified_at = 0, payload_hash = NULL, "
            "cms_edit_kept = NULL, updated_at = ?3 WHERE feed = ?1 AND status = 'active' AND (?2 IS NULL OR guid = ?2)")
      .bind_all(feed, guid, now)
      .run();
  const auto marked = static_cast<std::size_t>(db.changes());
  Statement(db, "UPDATE feeds SET last_full_scan_at = NULL WHERE name = ?1").bind_all(feed).run();
  scope.commit();
  return marked;
}

std::int64_t Store::cms_edits_kept(std::string_view feed) const {
  Database::Operation label(impl_->db, "count editors' versions kept in feed " + std::string(feed));
  impl_->require_feed(feed);
  Statement st(impl_->db,
               "SELECT count(*) FROM articles WHERE feed = ?1 AND status = 'active' AND cms_edit_kept IS NOT NULL");
  st.bind(1, feed).step();
  return st.int64(0);
}

ArticleCounts Store::article_counts(std::string_view feed) const {
  Database::Operation label(impl_->db, "count articles of feed " + std::string(feed));
  impl_->require_feed(feed);
  Statement st(impl_->db,
               "SELECT count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'deleted') "
               "FROM articles WHERE feed = ?1");
  st.bind(1, feed).step();
  return ArticleCounts{st.int64(0), st.int64(1)};
}

std::vector<CmsStatusCount> Store::cms_status_counts(const std::vector<std::string_view>& statuses,
                                                     std::optional<std::string_view> feed) const {
  Database::Operation label(impl_->db, "count articles by CMS status");
  if (feed) impl_->require_feed(*feed);
  // One lookup per status through articles_cms_status (status, feed): the published majority
  // is never read.
  std::vector<CmsStatusCount> counts;
  for (const auto status : statuses) {
    Statement st(impl_->db,
                 "SELECT feed, count(*) FROM articles WHERE cms_status = ?1 AND (?2 IS NULL OR feed = ?2) "
                 "GROUP BY feed ORDER BY feed");
    st.bind_all(status, feed);
    while (st.step()) counts.push_back({st.text(0), std::string(status), st.int64(1)});
  }
  return counts;
}

std::vector<AwaitingPublication> Store::awaiting_publication(const std::vector<std::string_view>& statuses) const {
  Database::Operation label(impl_->db, "count articles awaiting publication");
  std::map<std::string, AwaitingPublication, std::less<>> by_feed;
  for (const auto status : statuses) {
    Statement st(impl_->db,
                 "SELECT feed, count(*), min(updated_at) FROM articles WHERE cms_status = ?1 AND status = 'active' "
                 "AND pixel_key IS NOT NULL GROUP BY feed");
    st.bind(1, status);
    while (st.step()) {
      auto [it, added] = by_feed.try_emplace(st.text(0), AwaitingPublication{st.text(0), 0, st.int64(2)});
      it->second.articles += st.int64(1);
      it->second.oldest_updated_at = std::min(it->second.oldest_updated_at, st.int64(2));
    }
  }
  std::vector<AwaitingPublication> result;
  for (auto& [feed, waiting] : by_feed) result.push_back(std::move(waiting));
  return result;
}

std::vector<ArticleRow> Store::articles_with_cms_status(const std::vector<std::string_view>& statuses,
                                                       std::size_t limit) const {
  Database::Operation label(impl_->db, "read articles by CMS status");
  std::vector<ArticleRow> rows;
  for (const auto status : statuses) {
    Statement st(impl_->db, "SELECT " ARTICLE_COLUMNS " FROM articles WHERE cms_status = ?1 "
                            "ORDER BY updated_at, feed, guid LIMIT ?2");
    st.bind_all(status, static_cast<std::int64_t>(limit));
    while (st.step()) rows.push_back(read_article(impl_->db, st));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const ArticleRow& a, const ArticleRow& b) {
    return a.updated_at < b.updated_at;
  });
  if (rows.size() > limit) rows.resize(limit);
  return rows;
}

// --- journal ---

void Store::append_journal(std::int64_t at, std::string_view feed, std::string_view guid, JournalAction action,
                           std::string_view detail) {
  Database& db = impl_->db;
  Database::Operation label(db, "append to journal");
  Statement(db, "INSERT INTO journal (at, feed, guid, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind_all(at, feed, guid, to_string(action), detail)
      .run();
  // Trimming on every hundredth id keeps appends cheap and is deterministic across restarts.
  // Ids are AUTOINCREMENT and never reused, so "id <= newest - limit" keeps the newest `limit`;
  // in between the table holds at most limit + 99 rows.
  std::int64_t id = db.last_insert_rowid();
  if (id % 100 == 0) {
    Statement(db, "DELETE FROM journal WHERE id <= ?1").bind(1, id - impl_->options.journal_limit).run();
  }
}

std::vector<JournalEntry> Store::journal(std::size_t limit) const {
  Statement st(impl_->db,
               "SELECT id, at, feed, guid, action, detail FROM journal ORDER BY id DESC LIMIT ?1");
  st.bind(1, static_cast<std::int64_t>(limit));
  std::vector<JournalEntry> entries;
  while (st.step()) {
    entries.push_back(JournalEntry{st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.text(5)});
  }
  return entries;
}

// --- backup ---

void Store::backup(const fs::path& target) {
  Database& db = impl_->db;
  Database::Operation label(db, "backup to " + target.string());
  if (db.in_transaction()) db.fail_with("cannot run inside a transaction");
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) db.fail_with("directory " + parent.string() + " does not exist");
  // O_EXCL makes the refusal atomic; VACUUM INTO accepts an existing empty file, and creating it
  // ourselves gives it mode 0600 like the database.
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) {
      db.fail_with("backup target " + target.string() + " already exists; backup never overwrites, choose a new name");
    }
    db.fail_with("cannot create " + target.string() + ": " + std::strerror(err));
  }
  ::close(fd);
  try {
    Statement(db, "VACUUM INTO ?1").bind(1, target.string()).run();
  } catch (...) {
    fs::remove(target, ec);  // no half-written backup left behind to be mistaken for a good one
    throw;
  }
  // VACUUM INTO does not sync its output; a backup that vanishes on power loss is no backup.
  fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    db.fail_with("cannot sync " + target.string() + ": " + std::strerror(err));
  }
  ::close(fd);
}

}  // namespace feedsync::store
