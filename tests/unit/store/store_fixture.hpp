#pragma once
// Shared helpers for the state store tests: a fresh database path per test and row builders.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::store::testing {

class StoreTest : public ::testing::Test {
 protected:
  Store open(Access access = Access::exclusive, std::int64_t journal_limit = 10'000) {
    OpenOptions options;
    options.access = access;
    options.busy_timeout = std::chrono::milliseconds(200);
    options.journal_limit = journal_limit;
    return Store::open(db_path, options);
  }
  // A store with feeds "blog" and "news" already known.
  Store open_with_feeds(Access access = Access::exclusive) {
    Store store = open(access);
    store.ensure_feed("blog", "feed-blog-id");
    store.ensure_feed("news", "feed-news-id");
    return store;
  }

  feedsync::testing::TempDir dir;
  std::filesystem::path db_path = dir / "state.db";
};

inline OutboxOp make_op(std::string_view feed, std::string_view guid, OpKind kind,
                        std::string_view payload = "{}") {
  OutboxOp op;
  op.feed = feed;
  op.guid = guid;
  op.op = kind;
  op.payload = payload;
  op.payload_hash = "hash-of-" + std::string(payload);
  return op;
}

inline ArticleRow make_article(std::string_view feed, std::string_view guid) {
  ArticleRow row;
  row.feed = feed;
  row.guid = guid;
  row.entry_modified_at = 1'700'000'000'000;
  row.content_modified_at = 1'700'000'001'000;
  row.title = "Title of " + std::string(guid);
  row.cms_key = "0123456789abcdef0123456789abcdef";
  row.updated_at = 1'700'000'002'000;
  return row;
}

// Runs `f`, expects it to throw E, and returns the message (for content checks).
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a different exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

}  // namespace feedsync::store::testing
