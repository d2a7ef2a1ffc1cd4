#pragma once
// Schema versions and forward-only migrations of the state database.

namespace feedsync::store {

class Database;

// The schema version this build writes. A database with a higher version was written by a newer
// feedsync and is refused rather than misread.
inline constexpr int kSchemaVersion = 8;

// The database's schema version; 0 for a new, empty database.
int read_schema_version(Database& db);

// Brings the database up to kSchemaVersion, all steps in one transaction, and returns the
// version. Costs one read when the schema is already current. Throws StoreError for a database
// written by a newer feedsync.
int migrate(Database& db);

}  // namespace feedsync::store
