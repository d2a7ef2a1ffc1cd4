// The SQLite wrapper under the store: statement cache, error messages, write scopes.

#include "store_fixture.hpp"

namespace feedsync::store::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(StoreTest, SameStatementCanBeUsedNested) {
  { Store store = open_with_feeds(); }
  Database db(db_path);
  // The outer statement holds the cached prepared statement; the inner one gets its own.
  const char* sql = "SELECT name FROM feeds WHERE name >= ?1 ORDER BY name";
  Statement outer(db, sql);
  outer.bind(1, "a");
  std::vector<std::string> pairs;
  while (outer.step()) {
    Statement inner(db, sql);
    inner.bind(1, outer.text(0));
    while (inner.step()) pairs.push_back(outer.text(0) + "/" + inner.text(0));
  }
  EXPECT_EQ(pairs, (std::vector<std::string>{"blog/blog", "blog/news", "news/news"}));
}

TEST_F(StoreTest, ErrorsNameTheDatabaseAndTheOperation) {
  { Store store = open(); }
  Database db(db_path);
  Database::Operation label(db, "doing something for feed blog, guid 7");
  std::string message = message_of<StoreError>([&] { db.exec("INSERT INTO no_such_table VALUES (1)"); });
  EXPECT_THAT(message, HasSubstr("state database " + db_path.string() + ": doing something for feed blog, guid 7: "));
  EXPECT_THAT(message, HasSubstr("no such table"));
}

TEST_F(StoreTest, WriteScopeOutsideATransactionIsItsOwnTransaction) {
  { Store store = open_with_feeds(); }
  Database db(db_path);
  {
    WriteScope scope(db);
    EXPECT_TRUE(db.in_transaction());
    db.exec("UPDATE feeds SET paused = 1");
  }  // not committed: rolled back
  EXPECT_FALSE(db.in_transaction());
  Statement st(db, "SELECT sum(paused) FROM feeds");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.int64(0), 0);
}

}  // namespace
}  // namespace feedsync::store::testing
