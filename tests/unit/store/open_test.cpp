// Opening the state database: creation, schema migrations, integrity checks, the lock file.

#include <fstream>
#include <set>
#include <string>

#include <csignal>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/lock.hpp"
#include "store/schema.hpp"
#include "store_fixture.hpp"

namespace feedsync::store::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::set<std::string> schema_objects(const fs::path& path) {
  Database db(path);
  Statement st(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'");
  std::set<std::string> names;
  while (st.step()) names.insert(st.text(0));
  return names;
}

std::int64_t query_int(const fs::path& path, std::string_view sql) {
  Database db(path);
  Statement st(db, sql);
  EXPECT_TRUE(st.step()) << sql;
  return st.int64(0);
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST_F(StoreTest, CreatesMissingDatabaseWithMode0600AndCurrentSchema) {
  ASSERT_FALSE(fs::exists(db_path));
  {
    Store store = open();
    EXPECT_EQ(store.schema_version(), kSchemaVersion);
    EXPECT_EQ(store.path(), db_path);
    EXPECT_EQ(store.recovered_inflight(), 0u);
  }
  EXPECT_EQ(mode_of(db_path), 0600u);
  auto names = schema_objects(db_path);
  for (const char* expected : {"schema_version", "feeds", "articles", "outbox", "journal", "outbox_claim",
                               "outbox_article", "outbox_stats", "articles_cms_status"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
  EXPECT_EQ(query_int(db_path, "SELECT max(version) FROM schema_version"), kSchemaVersion);
}

TEST_F(StoreTest, UsesWalJournalMode) {
  Store store = open();
  Database db(db_path);
  Statement st(db, "PRAGMA journal_mode");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), "wal");
}

TEST_F(StoreTest, ReopenIsANoOpAndKeepsData) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
  }
  {
    Store store = open();
    EXPECT_EQ(store.schema_version(), kSchemaVersion);
    ASSERT_TRUE(store.feed("blog"));
    EXPECT_EQ(store.feed("blog")->feed_id, "id-1");
  }
  // One row per applied migration, none added by the second open.
  EXPECT_EQ(query_int(db_path, "SELECT count(*) FROM schema_version"), kSchemaVersion);
}

// What schema version 5 added (the CMS status), dropped again: a database as version 4 left it.
// What schema version 6 added (an editor's version kept, issue 22), dropped again.
// What schema version 7 added (a scheduled version's time and the meta_url written, issue 19).
// What schema version 8 added (an article's locale, issue 23). Each is dropped after the newer.
constexpr const char* kDropVersion8 =
    "DROP INDEX articles_cms_key; ALTER TABLE articles DROP COLUMN locale; "
    "DELETE FROM schema_version WHERE version = 8";

constexpr const char* kDropVersion7 =
    "ALTER TABLE articles DROP COLUMN publish_at; ALTER TABLE articles DROP COLUMN meta_url; "
    "DELETE FROM schema_version WHERE version = 7";

constexpr const char* kDropVersion6 =
    "ALTER TABLE articles DROP COLUMN cms_edit_kept; DELETE FROM schema_version WHERE version = 6";

constexpr const char* kDropVersion5 =
    "DROP INDEX articles_cms_status; ALTER TABLE articles DROP COLUMN cms_status; "
    "DELETE FROM schema_version WHERE version = 5";

// What schema version 4 added (the Deleted Feed's own bookkeeping), dropped again: a database as
// version 3 left it.
constexpr const char* kDropVersion4 =
    "ALTER TABLE feeds DROP COLUMN deleted_feed_id; ALTER TABLE feeds DROP COLUMN deleted_watermark; "
    "ALTER TABLE feeds DROP COLUMN deleted_read_at; ALTER TABLE feeds DROP COLUMN deleted_failed_at; "
    "ALTER TABLE feeds DROP COLUMN deleted_failures; ALTER TABLE feeds DROP COLUMN deleted_error; "
    "DROP INDEX articles_guid; DROP INDEX articles_pixel_key; "
    "DELETE FROM schema_version WHERE version = 4";

TEST_F(StoreTest, Version7DatabaseGainsTheArticlesLocaleKeepingItsRows) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    store.upsert_article(make_article("blog", "g1"));
  }
  {
    Database db(db_path);
    db.exec(kDropVersion8);
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  ASSERT_TRUE(store.article("blog", "g1"));
  EXPECT_FALSE(store.article("blog", "g1")->locale.has_value());
  auto row = *store.article("blog", "g1");
  row.locale = "de";
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "g1")->locale, "de");
}

TEST_F(StoreTest, Version1DatabaseIsMigratedKeepingItsRows) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    store.set_paused("blog", true);
  }
  {
    // Turn it back into what the first release wrote: no deletes_approved, version 1.
    Database db(db_path);
    db.exec(kDropVersion8);
    db.exec(kDropVersion7);
    db.exec(kDropVersion6);
    db.exec(kDropVersion5);
    db.exec(kDropVersion4);
    db.exec("ALTER TABLE feeds DROP COLUMN deletes_approved; ALTER TABLE articles DROP COLUMN fetched_at; "
            "DELETE FROM schema_version WHERE version >= 2");
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  ASSERT_TRUE(store.feed("blog"));
  EXPECT_TRUE(store.feed("blog")->paused);
  EXPECT_FALSE(store.feed("blog")->deletes_approved);
  store.set_deletes_approved("blog", true);
  EXPECT_TRUE(store.feed("blog")->deletes_approved);
}

TEST_F(StoreTest, Version2DatabaseGainsFetchedAtKeepingItsArticles) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    store.upsert_article(make_article("blog", "g1"));
  }
  {
    Database db(db_path);
    db.exec(kDropVersion8);
    db.exec(kDropVersion7);
    db.exec(kDropVersion6);
    db.exec(kDropVersion5);
    db.exec(kDropVersion4);
    db.exec("ALTER TABLE articles DROP COLUMN fetched_at; DELETE FROM schema_version WHERE version = 3");
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  ASSERT_TRUE(store.article("blog", "g1"));
  EXPECT_FALSE(store.article("blog", "g1")->fetched_at.has_value());
  auto row = *store.article("blog", "g1");
  row.fetched_at = 1'700'000'000'123;
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "g1")->fetched_at, 1'700'000'000'123);
}

TEST_F(StoreTest, Version3DatabaseGainsTheDeletedFeedsBookkeeping) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    store.record_poll_success("blog", 1'000, 900, true);
  }
  {
    Database db(db_path);
    db.exec(kDropVersion8);
    db.exec(kDropVersion7);
    db.exec(kDropVersion6);
    db.exec(kDropVersion5);
    db.exec(kDropVersion4);
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  auto row = *store.feed("blog");
  EXPECT_EQ(row.watermark, 900);
  EXPECT_FALSE(row.deleted_watermark.has_value());
  EXPECT_EQ(row.deleted_failures, 0);

  store.record_deleted_feed_failure("blog", 2'000, "Deleted Feed: HTTP 500");
  store.record_deleted_feed_failure("blog", 3'000, "Deleted Feed: HTTP 502");
  row = *store.feed("blog");
  EXPECT_EQ(row.deleted_failures, 2);
  EXPECT_EQ(row.deleted_error, "Deleted Feed: HTTP 502");
  EXPECT_EQ(row.deleted_failed_at, 3'000);
  EXPECT_EQ(row.watermark, 900);  // the live feed's bookkeeping is untouched
  EXPECT_EQ(row.consecutive_failures, 0);

  store.record_deleted_feed_read("blog", "del-1", 4'000, 3'500);
  row = *store.feed("blog");
  EXPECT_EQ(row.deleted_failures, 0);
  EXPECT_FALSE(row.deleted_error.has_value());
  EXPECT_EQ(row.deleted_watermark, 3'500);
  EXPECT_EQ(row.deleted_read_at, 4'000);
  store.record_deleted_feed_read("blog", "del-1", 5'000, std::nullopt);  // held: stays
  EXPECT_EQ(store.feed("blog")->deleted_watermark, 3'500);
  // Another Deleted Feed id: the old id's watermark goes with it.
  store.record_deleted_feed_read("blog", "del-2", 6'000, std::nullopt);
  EXPECT_FALSE(store.feed("blog")->deleted_watermark.has_value());
  EXPECT_EQ(store.feed("blog")->deleted_feed_id, "del-2");
}

TEST_F(StoreTest, Version4DatabaseGainsTheCmsStatusOfItsArticles) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    auto row = make_article("blog", "g1");
    row.cms_version = "7";
    store.upsert_article(row);
  }
  {
    Database db(db_path);
    db.exec(kDropVersion8);
    db.exec(kDropVersion7);
    db.exec(kDropVersion6);
    db.exec(kDropVersion5);
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_TRUE(schema_objects(db_path).count("articles_cms_status"));
  auto row = *store.article("blog", "g1");
  EXPECT_EQ(row.cms_version, "7");
  EXPECT_FALSE(row.cms_status.has_value());  // written before the status was kept: unknown
  EXPECT_TRUE(store.cms_status_counts({"published", "inReview"}).empty());
  row.cms_status = "inReview";
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "g1")->cms_status, "inReview");
  EXPECT_EQ(store.cms_status_counts({"inReview"}), (std::vector<CmsStatusCount>{{"blog", "inReview", 1}}));
}

TEST_F(StoreTest, Version5DatabaseGainsTheEditorsVersionKept) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    auto row = make_article("blog", "g1");
    row.cms_version = "7";
    row.cms_status = "published";
    store.upsert_article(row);
  }
  {
    Database db(db_path);
    db.exec(kDropVersion8);
    db.exec(kDropVersion7);
    db.exec(kDropVersion6);
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  auto row = *store.article("blog", "g1");
  EXPECT_EQ(row.cms_status, "published");
  EXPECT_FALSE(row.cms_edit_kept.has_value());
  EXPECT_EQ(store.cms_edits_kept("blog"), 0);
  row.cms_edit_kept = "9";
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "g1")->cms_edit_kept, "9");
  EXPECT_EQ(store.cms_edits_kept("blog"), 1);
  // resync writes feedsync's content over the editor's version: the mark goes.
  EXPECT_EQ(store.request_resync("blog", std::string_view("g1"), 5'000), 1u);
  EXPECT_FALSE(store.article("blog", "g1")->cms_edit_kept.has_value());
  EXPECT_EQ(store.cms_edits_kept("blog"), 0);
}

TEST_F(StoreTest, Version6DatabaseGainsThePublishTimeAndMetaUrlOfItsArticles) {
  {
    Store store = open();
    store.ensure_feed("blog", "id-1");
    auto row = make_article("blog", "g1");
    row.cms_status = "scheduled";
    store.upsert_article(row);
  }
  {
    Database db(db_path);
    db.exec(kDropVersion8);
    db.exec(kDropVersion7);
  }
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  auto row = *store.article("blog", "g1");
  EXPECT_EQ(row.cms_status, "scheduled");
  EXPECT_FALSE(row.publish_at.has_value());  // written before the time was kept: unknown
  EXPECT_FALSE(row.meta_url.has_value());
  row.publish_at = 1'800'000'000'000;
  row.meta_url = "/blog/g1";
  store.upsert_article(row);
  EXPECT_EQ(store.article("blog", "g1")->publish_at, 1'800'000'000'000);
  EXPECT_EQ(store.article("blog", "g1")->meta_url, "/blog/g1");
  EXPECT_EQ(*store.article("blog", "g1"), row);
}

TEST_F(StoreTest, EmptyExistingFileIsInitialised) {
  dir.write("state.db", "");
  Store store = open();
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
}

TEST_F(StoreTest, RefusesDatabaseFromNewerFeedsync) {
  { Store store = open(); }
  {
    Database db(db_path);
    db.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(kSchemaVersion + 5) + ")");
  }
  for (Access access : {Access::exclusive, Access::shared}) {
    std::string message = message_of<StoreError>([&] { open(access); });
    EXPECT_THAT(message, HasSubstr(db_path.string()));
    EXPECT_THAT(message, HasSubstr("written by a newer feedsync"));
    EXPECT_THAT(message, HasSubstr("schema version " + std::to_string(kSchemaVersion + 5)));
  }
}

TEST_F(StoreTest, MissingParentDirectoryIsNamedAndNotCreated) {
  fs::path missing = dir / "no-such-dir";
  db_path = missing / "state.db";
  std::string message = message_of<StoreError>([&] { open(); });
  EXPECT_THAT(message, HasSubstr("directory " + missing.string() + " does not exist"));
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(StoreTest, MissingFileIsAnErrorWhenCreationIsOff) {
  OpenOptions options;
  options.access = Access::shared;
  options.create_if_missing = false;
  std::string message = message_of<StoreError>([&] { Store::open(db_path, options); });
  EXPECT_THAT(message, HasSubstr("no state database at " + db_path.string()));
  EXPECT_FALSE(fs::exists(db_path));
}

TEST_F(StoreTest, GarbageFileIsReportedCorrupt) {
  std::string garbage;
  for (int i = 0; i < 400; ++i) garbage += "this is not an sqlite database, just text. ";
  dir.write("state.db", garbage);
  std::string message = message_of<CorruptError>([&] { open(); });
  EXPECT_THAT(message, HasSubstr("state database " + db_path.string() + " is corrupt"));
  EXPECT_THAT(message, HasSubstr("file is not a database"));
  EXPECT_THAT(message, HasSubstr("feedsyncd backup"));
  EXPECT_THAT(message, HasSubstr("move the file"));
  EXPECT_THAT(message, HasSubstr("keys are deterministic"));
  // The failed exclusive open released its lock.
  EXPECT_NO_THROW(LockFile(fs::path(db_path.string() + ".lock"), db_path));
}

TEST_F(StoreTest, OverwrittenPageIsReportedCorrupt) {
  {
    Store store = open_with_feeds();
    auto tx = store.transaction();
    for (int i = 0; i < 400; ++i) {
      ArticleRow row = make_article("blog", "guid-" + std::to_string(i));
      row.title = std::string(200, static_cast<char>('a' + i % 26));
      store.upsert_article(row);
    }
    tx.commit();
  }
  ASSERT_FALSE(fs::exists(db_path.string() + "-wal") && fs::file_size(db_path.string() + "-wal") > 0)
      << "the WAL should have been checkpointed into the database on close";
  const std::int64_t page_size = query_int(db_path, "PRAGMA page_size");
  const auto pages = static_cast<std::int64_t>(fs::file_size(db_path)) / page_size;
  ASSERT_GT(pages, 10);
  {
    // A page in the middle of the articles table; 0x5a is no valid b-tree page type.
    std::fstream file(db_path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(page_size * (pages / 2));
    std::string junk(static_cast<std::size_t>(page_size), '\x5a');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    ASSERT_TRUE(file.good());
  }
  std::string message = message_of<CorruptError>([&] { open(); });
  EXPECT_THAT(message, HasSubstr("state database " + db_path.string() + " is corrupt"));
  EXPECT_THAT(message, HasSubstr("feedsyncd backup"));
}

// issue 21: a -shm left by an unclean stop without its -wal means the log was deleted. SQLite
// opens the older database without a word; the store says what was lost and what to do.
TEST_F(StoreTest, AWriteAheadLogDeletedAfterAnUncleanStopIsReported) {
  { Store store = open_with_feeds(); }
  EXPECT_FALSE(open().open_warning());  // a clean stop removes both files
  dir.write("state.db-shm", std::string(32768, '\0'));
  ASSERT_FALSE(fs::exists(db_path.string() + "-wal"));
  {
    Store store = open();
    ASSERT_TRUE(store.open_warning());
    EXPECT_THAT(*store.open_warning(), HasSubstr("state database " + db_path.string()));
    EXPECT_THAT(*store.open_warning(), HasSubstr(db_path.string() + "-wal is missing"));
    EXPECT_THAT(*store.open_warning(), HasSubstr("put it back"));
    EXPECT_EQ(store.feeds().size(), 2u);  // opened all the same
    // A shared open (a CLI next to the daemon) sees the daemon's files, not a deleted log.
    EXPECT_FALSE(open(Access::shared).open_warning());
  }
  EXPECT_FALSE(open().open_warning());  // said once: the clean stop removed the -shm
}

TEST_F(StoreTest, SecondExclusiveOpenIsLockedOut) {
  Store first = open();
  // flock locks belong to the open file description, so this conflicts even in one process.
  try {
    open();
    FAIL() << "second exclusive open succeeded";
  } catch (const LockedError& e) {
    EXPECT_EQ(e.holder_pid(), ::getpid());
    std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("state database " + db_path.string() + " is in use by another feedsyncd (pid " +
                                   std::to_string(::getpid()) + ")"));
    EXPECT_THAT(message, HasSubstr("stop it first or point state.path elsewhere"));
  }
}

TEST_F(StoreTest, LockHeldByAnotherProcessNamesItsPidAndDiesWithIt) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child: take the lock, say so, then wait to be killed. _exit: no gtest teardown here.
    ::close(ready[0]);
    int status = 0;
    try {
      Store store = open();
      char byte = 'y';
      status = ::write(ready[1], &byte, 1) == 1 ? 0 : 1;
      ::pause();
    } catch (...) {
      status = 2;
    }
    ::_exit(status);
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the child could not open the store";
  ::close(ready[0]);
  try {
    open();
    ADD_FAILURE() << "exclusive open succeeded while another process holds the lock";
  } catch (const LockedError& e) {
    EXPECT_EQ(e.holder_pid(), child);
    EXPECT_THAT(std::string(e.what()), HasSubstr("(pid " + std::to_string(child) + ")"));
  }
  EXPECT_NO_THROW(open(Access::shared));
  // kill -9: no destructor runs, the kernel drops the flock with the process.
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_NO_THROW(open());
}

TEST_F(StoreTest, LockFileHasMode0600AndHoldsOurPid) {
  Store store = open();
  fs::path lock = db_path.string() + ".lock";
  EXPECT_EQ(mode_of(lock), 0600u);
  std::ifstream in(lock);
  long pid = 0;
  in >> pid;
  EXPECT_EQ(pid, ::getpid());
}

TEST_F(StoreTest, SharedOpenWorksWhileExclusiveIsHeld) {
  Store daemon = open_with_feeds();
  Store cli = open(Access::shared);
  EXPECT_EQ(cli.feeds().size(), 2u);
  cli.set_paused("blog", true);  // a short write next to the daemon
  EXPECT_TRUE(daemon.feed("blog")->paused);
}

TEST_F(StoreTest, SharedOpenHoldsNoLock) {
  Store cli = open(Access::shared);
  EXPECT_NO_THROW(open(Access::exclusive));
}

TEST_F(StoreTest, SharedOpenMigratesOnlyWhenNoDaemonHoldsTheLock) {
  dir.write("state.db", "");  // schema version 0: needs migrating
  {
    // A running (older) daemon holds the lock: a newer CLI must not change the schema under it.
    LockFile daemon(fs::path(db_path.string() + ".lock"), db_path);
    std::string message = message_of<StoreError>([&] { open(Access::shared); });
    EXPECT_THAT(message, HasSubstr(db_path.string()));
    EXPECT_THAT(message, HasSubstr("pid " + std::to_string(::getpid())));
    EXPECT_THAT(message, HasSubstr("restart the daemon"));
    EXPECT_EQ(schema_objects(db_path).count("outbox"), 0u);  // untouched
  }
  Store cli = open(Access::shared);  // no daemon: migrating is safe
  EXPECT_EQ(cli.schema_version(), kSchemaVersion);
  EXPECT_NO_THROW(open(Access::exclusive));  // and the lock was released again
}

TEST_F(StoreTest, LockIsReleasedWhenTheStoreIsDestroyed) {
  { Store first = open(); }
  EXPECT_NO_THROW(open());
}

TEST_F(StoreTest, LockMovesWithTheStore) {
  Store first = open();
  Store moved = std::move(first);
  EXPECT_THROW(open(), LockedError);
  moved = open(Access::shared);  // destroys the exclusive store it held
  EXPECT_NO_THROW(open());
}

}  // namespace
}  // namespace feedsync::store::testing
