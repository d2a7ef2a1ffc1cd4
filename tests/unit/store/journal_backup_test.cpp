// The bounded journal and VACUUM INTO backups.

#include <fstream>

#include <sys/stat.h>

#include "store_fixture.hpp"

namespace feedsync::store::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST_F(StoreTest, JournalListsNewestFirst) {
  Store store = open_with_feeds();
  store.append_journal(100, "blog", "g1", JournalAction::created, "key 0123 version 1");
  store.append_journal(200, "blog", "g2", JournalAction::deleted, "soft");
  store.append_journal(300, "blog", "", JournalAction::deletes_held, "3 deletions held");
  auto entries = store.journal(2);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].at, 300);
  EXPECT_EQ(entries[0].action, "deletes-held");
  EXPECT_EQ(entries[0].feed, "blog");
  EXPECT_EQ(entries[0].guid, "");
  EXPECT_EQ(entries[1].at, 200);
  EXPECT_EQ(entries[1].feed, "blog");
  EXPECT_EQ(entries[1].guid, "g2");
  EXPECT_EQ(entries[1].action, "deleted");
  EXPECT_EQ(entries[1].detail, "soft");
  EXPECT_GT(entries[0].id, entries[1].id);
  EXPECT_EQ(store.journal(100).size(), 3u);
}

// The words operators and scripts read in `feedsyncd status` and the database: never renamed.
TEST(JournalAction, SpellingsAreTheJournalsWords) {
  const std::vector<std::pair<JournalAction, std::string_view>> spellings = {
      {JournalAction::delete_planned, "delete-planned"}, {JournalAction::deletes_held, "deletes-held"},
      {JournalAction::created, "created"},               {JournalAction::updated, "updated"},
      {JournalAction::undeleted, "undeleted"},           {JournalAction::deleted, "deleted"},
      {JournalAction::purged, "purged"},                 {JournalAction::canonical_posted, "canonical-posted"},
      {JournalAction::canonical_skipped, "canonical-skipped"}, {JournalAction::dead_lettered, "dead-lettered"},
  };
  for (const auto& [action, word] : spellings) EXPECT_EQ(to_string(action), word);
}

TEST_F(StoreTest, JournalIsTrimmedToTheNewestEntries) {
  Store store = open(Access::exclusive, /*journal_limit=*/50);
  for (int i = 1; i <= 299; ++i) store.append_journal(i, "blog", "g", JournalAction::updated, std::to_string(i));
  // Trimmed at every hundredth append: between trims it holds at most limit + 99 entries.
  auto entries = store.journal(10'000);
  EXPECT_EQ(entries.size(), 149u);
  EXPECT_EQ(entries.front().at, 299);
  EXPECT_EQ(entries.back().at, 151);

  store.append_journal(300, "blog", "g", JournalAction::updated, "300");
  entries = store.journal(10'000);
  ASSERT_EQ(entries.size(), 50u);
  EXPECT_EQ(entries.front().at, 300);
  EXPECT_EQ(entries.back().at, 251);
}

TEST_F(StoreTest, JournalTrimmingContinuesAcrossReopens) {
  {
    Store store = open(Access::exclusive, 10);
    for (int i = 1; i <= 150; ++i) store.append_journal(i, "", "", JournalAction::updated, "");
  }
  Store store = open(Access::exclusive, 10);
  for (int i = 151; i <= 200; ++i) store.append_journal(i, "", "", JournalAction::updated, "");
  auto entries = store.journal(10'000);
  ASSERT_EQ(entries.size(), 10u);
  EXPECT_EQ(entries.back().at, 191);
}

TEST_F(StoreTest, BackupIsAReadableCopyWithTheSameRows) {
  Store store = open_with_feeds();
  store.record_poll_success("blog", 1000, 900, true);
  ArticleRow article = make_article("blog", "g1");
  article.canonical_url = "https://www.example.com/en/g1";
  store.upsert_article(article);
  auto op_id = store.enqueue(make_op("blog", "g1", OpKind::upsert, R"({"a":1})"), 100).id;
  store.append_journal(100, "blog", "g1", JournalAction::created, "v1");

  fs::path target = dir / "backup.db";
  store.backup(target);
  ASSERT_TRUE(fs::exists(target));
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  OpenOptions options;
  options.access = Access::shared;
  options.create_if_missing = false;
  Store copy = Store::open(target, options);
  EXPECT_EQ(copy.schema_version(), store.schema_version());
  EXPECT_EQ(copy.feeds(), store.feeds());
  EXPECT_EQ(copy.articles("blog"), store.articles("blog"));
  EXPECT_EQ(copy.outbox_op(op_id), store.outbox_op(op_id));
  EXPECT_EQ(copy.journal(10), store.journal(10));
}

TEST_F(StoreTest, BackupWorksFromASharedOpenWhileTheDaemonRuns) {
  Store daemon = open_with_feeds();
  Store cli = open(Access::shared);
  cli.backup(dir / "b.db");
  OpenOptions options;
  options.access = Access::shared;
  EXPECT_EQ(Store::open(dir / "b.db", options).feeds().size(), 2u);
}

TEST_F(StoreTest, BackupRefusesAnExistingTarget) {
  Store store = open_with_feeds();
  fs::path target = dir.write("existing.db", "precious");
  std::string message = message_of<StoreError>([&] { store.backup(target); });
  EXPECT_THAT(message, HasSubstr("backup target " + target.string() + " already exists"));
  std::ifstream in(target);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
  // The database itself is a target that exists too.
  EXPECT_THROW(store.backup(db_path), StoreError);
}

TEST_F(StoreTest, BackupIntoAMissingDirectoryNamesIt) {
  Store store = open_with_feeds();
  std::string message = message_of<StoreError>([&] { store.backup(dir / "nope" / "b.db"); });
  EXPECT_THAT(message, HasSubstr("directory " + (dir / "nope").string() + " does not exist"));
}

TEST_F(StoreTest, BackupInsideATransactionIsRefused) {
  Store store = open_with_feeds();
  auto tx = store.transaction();
  EXPECT_THROW(store.backup(dir / "b.db"), StoreError);
  EXPECT_FALSE(fs::exists(dir / "b.db"));
}

}  // namespace
}  // namespace feedsync::store::testing
