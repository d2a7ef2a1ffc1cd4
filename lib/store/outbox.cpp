// The outbox (DESIGN.md §4): durable operations for the relay, coalesced per article.
//
// Invariant kept by every function here, per article and family (content = upsert / delete /
// undelete; canonical): at most one pending op, at most one inflight op, at most one dead op, and
// never a pending and a dead op together. Newer changes replace older queued ones; an op that
// finishes after a newer one was queued is superseded rather than run again with stale content.

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace feedsync::store {
namespace {

#define OP_COLUMNS                                                                                      \
  "id, feed, guid, op, payload, payload_hash, attempts, next_attempt_at, last_error, state, created_at, " \
  "updated_at"

OutboxOp read_op(Database& db, const Statement& st) {
  OutboxOp op;
  op.id = st.int64(0);
  op.feed = st.text(1);
  op.guid = st.text(2);
  auto kind = parse_op_kind(st.text(3));
  auto state = parse_op_state(st.text(9));
  if (!kind || !state) db.fail_with("outbox op " + std::to_string(op.id) + " has an unknown op or state");
  op.op = *kind;
  op.payload = st.text(4);
  op.payload_hash = st.text(5);
  op.attempts = st.int64(6);
  op.next_attempt_at = st.int64(7);
  op.last_error = st.opt_text(8);
  op.state = *state;
  op.created_at = st.int64(10);
  op.updated_at = st.int64(11);
  return op;
}

std::int64_t is_canonical(OpKind kind) { return kind == OpKind::canonical ? 1 : 0; }

// What an op becomes when `newer` replaces `older` for the same article. An undelete is "undelete,
// then upsert" for the relay; an upsert replacing it must keep the undelete, because the CMS item
// may still be soft-deleted. Otherwise the newer intent wins.
OpKind merged(OpKind older, OpKind newer) {
  return older == OpKind::undelete && newer == OpKind::upsert ? OpKind::undelete : newer;
}

std::optional<OutboxOp> load_op(Database& db, std::int64_t id) {
  Statement st(db, "SELECT " OP_COLUMNS " FROM outbox WHERE id = ?1");
  if (!st.bind(1, id).step()) return std::nullopt;
  return read_op(db, st);
}

OutboxOp load_inflight(Database& db, std::int64_t id) {
  auto op = load_op(db, id);
  if (!op) db.fail_with("outbox op " + std::to_string(id) + " does not exist (already completed?)");
  if (op->state != OpState::inflight) {
    db.fail_with("outbox op " + std::to_string(id) + " (" + article_label(op->feed, op->guid) + ") is " +
                 std::string(to_string(op->state)) + ", not in flight");
  }
  return *op;
}

// If a newer pending op of the same family exists for op's article, op is stale: drop it (folding
// an undelete into the newer op) and return true.
bool drop_if_superseded(Database& db, const OutboxOp& op) {
  Statement st(db,
               "SELECT id, op FROM outbox WHERE feed = ?1 AND guid = ?2 AND state = 'pending' "
               "AND (op = 'canonical') = ?3 AND id <> ?4 ORDER BY id LIMIT 1");
  if (!st.bind_all(op.feed, op.guid, is_canonical(op.op), op.id).step()) return false;
  std::int64_t newer_id = st.int64(0);
  auto newer_kind = parse_op_kind(st.text(1)).value_or(OpKind::upsert);
  OpKind kind = merged(op.op, newer_kind);
  if (kind != newer_kind) {
    Statement(db, "UPDATE outbox SET op = ?2 WHERE id = ?1").bind_all(newer_id, to_string(kind)).run();
  }
  Statement(db, "DELETE FROM outbox WHERE id = ?1").bind(1, op.id).run();
  return true;
}

}  // namespace

std::size_t recover_inflight(Database& db) {
  std::vector<OutboxOp> inflight;
  {
    Statement st(db, "SELECT " OP_COLUMNS " FROM outbox WHERE state = 'inflight' ORDER BY id");
    while (st.step()) inflight.push_back(read_op(db, st));
  }
  // The crashed attempt may or may not have reached the CMS; running it again is safe because
  // keys are deterministic (DESIGN.md §4). attempts keeps counting it.
  for (const auto& op : inflight) {
    if (drop_if_superseded(db, op)) continue;
    Statement(db, "UPDATE outbox SET state = 'pending' WHERE id = ?1").bind(1, op.id).run();
  }
  return inflight.size();
}

EnqueueResult Store::enqueue(const OutboxOp& op, std::int64_t now) {
  Database& db = impl_->db;
  Database::Operation label(db, "enqueue " + std::string(to_string(op.op)) + " for " + article_label(op.feed, op.guid));
  WriteScope scope(db);
  impl_->require_feed(op.feed);

  // The article's queued (not in-flight) ops of this family, pending first. A handful of rows at
  // most, found through the (feed, guid, ...) index. Ordered here rather than in SQL: an IN list
  // or an ORDER BY expression makes SQLite build a temporary b-tree on every call.
  struct Queued {
    std::int64_t id;
    OpKind kind;
    OpState state;
  };
  std::vector<Queued> queued;
  {
    Statement st(db,
                 "SELECT id, op, state FROM outbox WHERE feed = ?1 AND guid = ?2 AND state <> 'inflight' "
                 "AND (op = 'canonical') = ?3");
    st.bind_all(op.feed, op.guid, is_canonical(op.op));
    while (st.step()) {
      queued.push_back({st.int64(0), parse_op_kind(st.text(1)).value_or(OpKind::upsert),
                        parse_op_state(st.text(2)).value_or(OpState::dead)});
    }
  }
  std::sort(queued.begin(), queued.end(), [](const Queued& a, const Queued& b) {
    bool a_pending = a.state == OpState::pending;
    bool b_pending = b.state == OpState::pending;
    return a_pending != b_pending ? a_pending : a.id < b.id;
  });

  EnqueueResult result;
  if (queued.empty()) {
    Statement(db,
              "INSERT INTO outbox (feed, guid, op, payload, payload_hash, attempts, next_attempt_at, state, "
              "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, 'pending', ?6, ?6)")
        .bind_all(op.feed, op.guid, to_string(op.op), op.payload, op.payload_hash, now)
        .run();
    result = {db.last_insert_rowid(), EnqueueOutcome::inserted};
  } else {
    // Replace in place: the row keeps its id, created_at and, if it was already due, its due time,
    // so an article that keeps changing does not lose its turn to articles queued after it; lag is
    // measured from its first unsynced change. An op waiting out a backoff becomes due now: the
    // content changed, so the old failure may no longer apply.
    auto [id, old_kind, old_state] = queued.front();
    Statement(db,
              "UPDATE outbox SET op = ?2, payload = ?3, payload_hash = ?4, attempts = 0, "
              "next_attempt_at = min(next_attempt_at, ?5), last_error = NULL, state = 'pending', updated_at = ?5 "
              "WHERE id = ?1")
        .bind_all(id, to_string(merged(old_kind, op.op)), op.payload, op.payload_hash, now)
        .run();
    // Anything else queued for the family is older still (the invariant allows none; be robust).
    for (std::size_t i = 1; i < queued.size(); ++i) {
      Statement(db, "DELETE FROM outbox WHERE id = ?1").bind(1, queued[i].id).run();
    }
    result = {id, old_state == OpState::pending ? EnqueueOutcome::replaced_pending : EnqueueOutcome::replaced_dead};
  }
  scope.commit();
  return result;
}

std::vector<OutboxOp> Store::claim_due(std::int64_t now, std::size_t limit) {
  std::vector<OutboxOp> claimed;
  if (limit == 0) return claimed;
  Database& db = impl_->db;
  Database::Operation label(db, "claim due outbox ops");
  WriteScope scope(db);
  {
    // One op per article at a time: two ops for one CMS item must not race each other (a delete
    // overtaking an upsert, a canonical post-back before the publish).
    Statement st(db,
                 "SELECT " OP_COLUMNS " FROM outbox AS o "
                 "WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 AND NOT EXISTS ("
                 "  SELECT 1 FROM outbox AS i WHERE i.feed = o.feed AND i.guid = o.guid AND i.state = 'inflight') "
                 "ORDER BY o.next_attempt_at, o.id");
    st.bind(1, now);
    std::set<std::pair<std::string, std::string>> articles;
    while (claimed.size() < limit && st.step()) {
      OutboxOp op = read_op(db, st);
      if (articles.emplace(op.feed, op.guid).second) claimed.push_back(std::move(op));
    }
  }
  for (auto& op : claimed) {
    Statement(db, "UPDATE outbox SET state = 'inflight', attempts = attempts + 1, updated_at = ?2 WHERE id = ?1")
        .bind_all(op.id, now)
        .run();
    op.state = OpState::inflight;
    op.attempts += 1;
    op.updated_at = now;
  }
  scope.commit();
  return claimed;
}

void Store::complete(std::int64_t op_id) {
  Database& db = impl_->db;
  Database::Operation label(db, "complete outbox op " + std::to_string(op_id));
  WriteScope scope(db);
  load_inflight(db, op_id);
  Statement(db, "DELETE FROM outbox WHERE id = ?1").bind(1, op_id).run();
  scope.commit();
}

void Store::retry_later(std::int64_t op_id, std::int64_t next_attempt_at, std::string_view error) {
  Database& db = impl_->db;
  Database::Operation label(db, "reschedule outbox op " + std::to_string(op_id));
  WriteScope scope(db);
  OutboxOp op = load_inflight(db, op_id);
  if (!drop_if_superseded(db, op)) {
    Statement(db, "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, last_error = ?3 WHERE id = ?1")
        .bind_all(op_id, next_attempt_at, error)
        .run();
  }
  scope.commit();
}

void Store::dead_letter(std::int64_t op_id, std::string_view error) {
  Database& db = impl_->db;
  Database::Operation label(db, "dead-letter outbox op " + std::to_string(op_id));
  WriteScope scope(db);
  OutboxOp op = load_inflight(db, op_id);
  // A newer change already queued is the retry DESIGN.md §4 asks for; if it fails the same way it
  // is dead-lettered with its own, current error.
  if (!drop_if_superseded(db, op)) {
    Statement(db, "UPDATE outbox SET state = 'dead', last_error = ?2 WHERE id = ?1").bind_all(op_id, error).run();
  }
  scope.commit();
}

std::size_t Store::requeue_dead(std::optional<std::string_view> feed, std::optional<std::string_view> guid,
                                std::int64_t now) {
  Database& db = impl_->db;
  Database::Operation label(db, "requeue dead outbox ops");
  WriteScope scope(db);
  if (feed) impl_->require_feed(*feed);
  std::vector<OutboxOp> dead;
  {
    Statement st(db,
                 "SELECT " OP_COLUMNS " FROM outbox WHERE state = 'dead' "
                 "AND (?1 IS NULL OR feed = ?1) AND (?2 IS NULL OR guid = ?2) ORDER BY id");
    st.bind_all(feed, guid);
    while (st.step()) dead.push_back(read_op(db, st));
  }
  std::size_t requeued = 0;
  for (const auto& op : dead) {
    if (drop_if_superseded(db, op)) continue;
    // last_error stays: it is what the operator retried, and status shows it until the next try.
    Statement(db,
              "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, updated_at = ?2 "
              "WHERE id = ?1")
        .bind_all(op.id, now)
        .run();
    ++requeued;
  }
  scope.commit();
  return requeued;
}

OutboxStats Store::outbox_stats(std::optional<std::string_view> feed) const {
  Database& db = impl_->db;
  Database::Operation label(db, "outbox statistics");
  if (feed) impl_->require_feed(*feed);
  // Both spellings walk the covering outbox_stats index (feed, state, op, created_at) in order, so
  // no payload is read and no temporary b-tree is built ("?1 IS NULL OR feed = ?1" could not use
  // it). Across feeds the groups are per feed and summed here. min(created_at) is only used for
  // pending groups. Still one index entry per op: ~20 ms for 100k queued ops.
  Statement st(db, feed ? std::string_view("SELECT state, op, count(*), min(created_at) FROM outbox "
                                           "WHERE feed = ?1 GROUP BY state, op")
                        : std::string_view("SELECT state, op, count(*), min(created_at) FROM outbox "
                                           "GROUP BY feed, state, op"));
  if (feed) st.bind(1, *feed);
  OutboxStats stats;
  while (st.step()) {
    auto state = parse_op_state(st.text(0));
    auto kind = parse_op_kind(st.text(1));
    if (!kind || !state) continue;  // excluded by CHECK constraints
    std::int64_t count = st.int64(2);
    auto add = [&](OpCounts& c) {
      (*state == OpState::pending ? c.pending : *state == OpState::inflight ? c.inflight : c.dead) += count;
    };
    add(stats.by_op[static_cast<std::size_t>(*kind)]);
    add(stats.total);
    std::int64_t oldest = st.int64(3);
    if (*state == OpState::pending &&
        (!stats.oldest_pending_created_at || oldest < *stats.oldest_pending_created_at)) {
      stats.oldest_pending_created_at = oldest;
    }
  }
  return stats;
}

std::vector<OutboxOp> Store::dead_letters(std::optional<std::string_view> feed) const {
  Database& db = impl_->db;
  Database::Operation label(db, "list dead letters");
  if (feed) impl_->require_feed(*feed);
  Statement st(db, "SELECT " OP_COLUMNS " FROM outbox WHERE state = 'dead' AND (?1 IS NULL OR feed = ?1) "
                   "ORDER BY feed, id");
  st.bind(1, feed);
  std::vector<OutboxOp> ops;
  while (st.step()) ops.push_back(read_op(db, st));
  return ops;
}

std::optional<OutboxOp> Store::outbox_op(std::int64_t op_id) const { return load_op(impl_->db, op_id); }

std::vector<OutboxOp> Store::article_ops(std::string_view feed, std::string_view guid) const {
  Database& db = impl_->db;
  Database::Operation label(db, "list outbox ops of " + article_label(feed, guid));
  impl_->require_feed(feed);
  Statement st(db, "SELECT " OP_COLUMNS " FROM outbox WHERE feed = ?1 AND guid = ?2 ORDER BY id");
  st.bind_all(feed, guid);
  std::vector<OutboxOp> ops;
  while (st.step()) ops.push_back(read_op(db, st));
  return ops;
}

std::optional<std::int64_t> Store::next_due() const {
  Statement st(impl_->db, "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'");
  st.step();
  return st.opt_int64(0);
}

#undef OP_COLUMNS

}  // namespace feedsync::store
