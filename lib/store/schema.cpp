#include "store/schema.hpp"

#include <array>
#include <string>
#include <string_view>

#include "store/database.hpp"

namespace feedsync::store {
namespace {

// kMigrations[i] takes the schema from version i to version i + 1. Append only: a released
// migration is never edited, because databases in the field have already run it.
constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {
    // 1: the initial schema (DESIGN.md §5). Timestamps are INTEGER unix ms UTC.
    R"sql(
CREATE TABLE feeds (
  name                 TEXT PRIMARY KEY NOT NULL,
  feed_id              TEXT NOT NULL,
  watermark            INTEGER,
  last_attempt_at      INTEGER,
  last_success_at      INTEGER,
  last_failure_at      INTEGER,
  last_full_scan_at    INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_error           TEXT,
  paused               INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  held_deletes         INTEGER NOT NULL DEFAULT 0 CHECK (held_deletes >= 0),
  held_reason          TEXT,
  misconfigured        TEXT  -- the reason; NULL = polls can work
) WITHOUT ROWID;

CREATE TABLE articles (
  feed                TEXT NOT NULL REFERENCES feeds (name) ON DELETE CASCADE,
  guid                TEXT NOT NULL,
  entry_modified_at   INTEGER NOT NULL,
  content_modified_at INTEGER NOT NULL,
  title               TEXT NOT NULL,
  pixel_key           TEXT,
  cms_key             TEXT NOT NULL,
  cms_version         TEXT,
  route_segment       TEXT,
  payload_hash        TEXT,
  status              TEXT NOT NULL CHECK (status IN ('active', 'deleted')),
  canonical_url       TEXT,
  deleted_at          INTEGER,
  updated_at          INTEGER NOT NULL,
  PRIMARY KEY (feed, guid)
) WITHOUT ROWID;

-- AUTOINCREMENT: ids are never reused, so "lower id = enqueued earlier" holds for claim order
-- and an id in a log line always means one operation.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  feed            TEXT NOT NULL REFERENCES feeds (name) ON DELETE CASCADE,
  guid            TEXT NOT NULL,
  op              TEXT NOT NULL CHECK (op IN ('upsert', 'delete', 'undelete', 'canonical')),
  payload         TEXT NOT NULL,
  payload_hash    TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'inflight', 'dead')),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
-- claim_due: due pending ops in (next_attempt_at, id) order.
CREATE INDEX outbox_claim ON outbox (state, next_attempt_at, id);
-- coalescing and the per-article inflight check.
CREATE INDEX outbox_article ON outbox (feed, guid, state);
-- outbox_stats (status, /metrics scrapes) without reading the payloads: covering.
CREATE INDEX outbox_stats ON outbox (feed, state, op, created_at);

-- Not tied to feeds: the audit trail outlives a feed removed from the configuration.
CREATE TABLE journal (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  at     INTEGER NOT NULL,
  feed   TEXT NOT NULL,
  guid   TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql",
    // 2: an operator's approval of held deletions (`feedsyncd approve-deletes FEED`), consumed
    // by the next poll cycle of that feed.
    R"sql(
ALTER TABLE feeds ADD COLUMN deletes_approved INTEGER NOT NULL DEFAULT 0
  CHECK (deletes_approved IN (0, 1));
)sql",
    // 3: when the article's content was last fetched: feed timestamps have whole seconds, so an
    // edit later in the second of a fetch is only caught by fetching again (planner.hpp).
    R"sql(
ALTER TABLE articles ADD COLUMN fetched_at INTEGER;
)sql",
    // 4: the Deleted Feed is read on its own schedule and by its own watermark, and its failures
    // are recorded without failing the live sync (issue 17).
    R"sql(
ALTER TABLE feeds ADD COLUMN deleted_feed_id TEXT;  -- the id deleted_watermark belongs to
ALTER TABLE feeds ADD COLUMN deleted_watermark INTEGER;
ALTER TABLE feeds ADD COLUMN deleted_read_at INTEGER;
ALTER TABLE feeds ADD COLUMN deleted_failed_at INTEGER;
ALTER TABLE feeds ADD COLUMN deleted_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN deleted_error TEXT;
-- An article in several feeds (issue 17): who else holds a guid, who holds a pixel key's
-- canonical link. Partial: most rows of a store without shared articles never match.
CREATE INDEX articles_guid ON articles (guid);
CREATE INDEX articles_pixel_key ON articles (pixel_key) WHERE pixel_key IS NOT NULL;
)sql",
    // 5: the CMS status of the version feedsync last wrote (issue 16: `status` shows the articles
    // in review, in draft, ...; issue 19 looks for the ones an editor may have published since).
    // NULL: nothing written yet, deleted in the CMS, or written before this version.
    R"sql(
ALTER TABLE articles ADD COLUMN cms_status TEXT;
-- Status first: the questions are "which articles are in review (in this feed)", and most rows
-- are published, so a lookup by any other status reads only its own rows.
CREATE INDEX articles_cms_status ON articles (cms_status, feed) WHERE cms_status IS NOT NULL;
)sql",
    // 6: an editor's published version that `audit --repair` left live (issue 22,
    // cms.on_cms_edit: keep): the relay writes no CMP change over it until a resync clears it.
    R"sql(
ALTER TABLE articles ADD COLUMN cms_edit_kept TEXT;
)sql",
    // 7: what the pending canonical check needs of the version the relay last wrote (issue 19):
    // when a scheduled one goes live, so it is looked at shortly after that time, and the feed
    // entry's meta_url, so the link it posts fills {meta_url} as the relay's does.
    R"sql(
ALTER TABLE articles ADD COLUMN publish_at INTEGER;
ALTER TABLE articles ADD COLUMN meta_url TEXT;
)sql",
    // 8: translations: group (issue 23). The CMS locale an article's version was written in
    // (NULL: written before this version, or by a feed with translations: off), so deleting one
    // translation can delete only its locale; and the translations of an item found by its key.
    R"sql(
ALTER TABLE articles ADD COLUMN locale TEXT;
CREATE INDEX articles_cms_key ON articles (cms_key, feed);
)sql",
};

bool has_version_table(Database& db) {
  Statement st(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  return st.step();
}

}  // namespace

int read_schema_version(Database& db) {
  if (!has_version_table(db)) return 0;
  Statement st(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  st.step();
  return static_cast<int>(st.int64(0));
}

int migrate(Database& db) {
  Database::Operation operation(db, "schema migration");
  auto check_not_newer = [&](int version) {
    if (version > kSchemaVersion) {
      db.fail_with("written by a newer feedsync (schema version " + std::to_string(version) +
                   ", this feedsync knows up to " + std::to_string(kSchemaVersion) +
                   "); upgrade feedsync, or restore a backup made by this version");
    }
  };
  // Fast path without the write lock: a shared open next to a running daemon never waits.
  int version = read_schema_version(db);
  check_not_newer(version);
  if (version == kSchemaVersion) return version;

  Transaction tx(db);
  // Re-read under the write lock: another process may have migrated in the meantime.
  version = read_schema_version(db);
  check_not_newer(version);
  if (version == 0) {
    // One row per applied version: the table doubles as a record of the upgrades.
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL)");
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    Database::Operation step(db, "schema migration to version " + std::to_string(v + 1));
    db.exec(kMigrations[static_cast<std::size_t>(v)]);
    Statement(db, "INSERT INTO schema_version (version) VALUES (?1)").bind(1, v + 1).run();
  }
  tx.commit();
  return kSchemaVersion;
}

}  // namespace feedsync::store
