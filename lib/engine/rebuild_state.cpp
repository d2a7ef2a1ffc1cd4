#include "engine/rebuild_state.hpp"

#include <map>
#include <optional>

#include "core/outbox_payload.hpp"
#include "engine/audit_rules.hpp"
#include "engine/relay_rules.hpp"

namespace feedsync::engine {
namespace asio = boost::asio;

namespace {

constexpr std::size_t kNotesKept = 20;

struct Reads {
  std::map<std::string, cms::ItemNode> in_container;
  std::optional<cms::AuditReader::PublishedByKey> published;
};

using Found = Expected<std::optional<cms::VersionRecord>, cms::CmsError>;

// The version the document should match: the published one for feeds that publish, else the
// newest (draft, ready).
asio::awaitable<Found> version_to_match(const Reads& reads, cms::AuditReader& reader, const ArticleDocument& doc) {
  if (doc.publish == "immediate") {
    if (reads.published) {
      auto it = reads.published->find(doc.key);
      co_return it == reads.published->end() ? std::optional<cms::VersionRecord>{}
                                             : std::optional<cms::VersionRecord>(it->second);
    }
    co_return co_await reader.published(doc.key, doc.locale);
  }
  co_return co_await reader.newest(doc.key, doc.locale);
}

// Records the CMS's version on the article as if feedsync had just written it; true when a
// canonical link CMP does not have was queued.
bool adopt(store::Store& store, const store::OutboxOp& op, const UpsertPayload& payload,
           const cms::VersionRecord& record, const config::CanonicalConfig& canonical, const CanonicalLinks& links,
           std::int64_t now) {
  cms::WriteOutcome outcome;
  outcome.key = payload.document.key;
  outcome.version = record.version;
  outcome.route_segment = record.route_segment ? record.route_segment : payload.document.route_segment;
  outcome.status = cms::version_status(record.status);
  const auto link = canonical_vars(payload.document.locale, payload.document.key, op.guid, payload.meta_url);
  auto after = after_upsert(store.article(op.feed, op.guid), outcome, link,
                            CanonicalRule{canonical.enabled, canonical.url_template}, now);
  if (!after.row) return false;
  const auto known = links.find(op.guid);
  const bool cmp_has_it = after.canonical && known != links.end() && known->second == after.canonical->url;
  if (cmp_has_it) after.row->canonical_url = after.canonical->url;
  store.upsert_article(*after.row);
  if (!after.canonical || cmp_has_it || store.canonical_holder(after.canonical->pixel_key, op.feed, op.guid))
    return false;
  store.enqueue(canonical_op(op.feed, op.guid, *after.canonical), now);
  return true;
}

// Why `op` cannot be adopted, or nullopt when it was.
asio::awaitable<Expected<std::optional<std::string>, cms::CmsError>> try_adopt(
    const store::OutboxOp& op, const Reads& reads, cms::AuditReader& reader, store::Store& store,
    const config::CanonicalConfig& canonical, const CanonicalLinks& links, AdoptionReport& report, std::int64_t now) {
  using Why = std::optional<std::string>;
  if (op.op != store::OpKind::upsert) co_return Why(std::string(store::to_string(op.op)) + " queued, not an upsert");
  auto payload = decode_upsert(op.payload);
  if (!payload) co_return Why("its queued payload is unreadable: " + payload.error());
  if (!reads.in_container.contains(payload->document.key))
    co_return Why("no item " + payload->document.key + " in the feed's container");
  auto record = co_await version_to_match(reads, reader, payload->document);
  if (!record) co_return unexpected(std::move(record.error()));
  if (!*record) co_return Why("item " + payload->document.key + " has no version to compare");
  if (!(*record)->properties || !document_matches(payload->document, *(*record)->properties))
    co_return Why("item " + payload->document.key + " holds other content (version " + (*record)->version + ")");
  if (adopt(store, op, *payload, **record, canonical, links, now)) ++report.canonical_queued;
  store.complete(op.id);
  co_return Why{};
}

asio::awaitable<Expected<Reads, cms::CmsError>> read_feed(const config::FeedConfig& feed, cms::AuditReader& reader,
                                                          std::size_t articles) {
  Reads reads;
  auto nodes = co_await reader.container_items(feed.container);
  if (!nodes) co_return unexpected(std::move(nodes.error()));
  for (auto& node : *nodes) reads.in_container.emplace(node.key, std::move(node));
  // translations: group: one published version per translation, the listing keeps one per key:
  // each document's own locale is read instead (version_to_match).
  if (feed.translations == config::Translations::group) co_return reads;
  std::string locale = feed.locale.value_or("");  // GCC 12: no temporaries in a co_await (DESIGN.md §3)
  auto published = co_await reader.all_published(std::move(locale), articles);
  if (!published) co_return unexpected(std::move(published.error()));
  reads.published = std::move(*published);
  co_return reads;
}

}  // namespace

CanonicalLinks canonical_links(const std::vector<FeedEntry>& entries) {
  CanonicalLinks out;
  for (const auto& entry : entries) {
    const auto* link = entry.content.if_contains("customer_canonical_link");
    if (link && link->is_string() && !link->as_string().empty())
      out.emplace(entry.index.guid, std::string(link->as_string()));
  }
  return out;
}

asio::awaitable<AdoptionReport> adopt_queued(config::FeedConfig feed, config::CanonicalConfig canonical,
                                             std::vector<store::OutboxOp> ops, CanonicalLinks links,
                                             store::Store& store, cms::AuditReader& reader, std::int64_t now) {
  AdoptionReport report;
  report.feed = feed.name;
  std::optional<Reads> reads;
  if (!ops.empty()) {
    auto read = co_await read_feed(feed, reader, ops.size());
    if (read) {
      reads = std::move(*read);
    } else {
      report.error = "feed " + feed.name + ": " + read.error().message;
    }
  }
  for (const auto& op : ops) {
    std::optional<std::string> why = "not compared: " + report.error;
    if (reads && report.error.empty()) {
      auto tried = co_await try_adopt(op, *reads, reader, store, canonical, links, report, now);
      if (tried) {
        why = std::move(*tried);
      } else {
        report.error = "feed " + feed.name + " guid " + op.guid + ": " + tried.error().message;
        why = "not compared: " + report.error;
      }
    }
    if (!why) {
      ++report.adopted;
      continue;
    }
    ++report.left;
    if (report.left_notes.size() < kNotesKept) report.left_notes.push_back("guid " + op.guid + ": " + *why);
    store.retry_later(op.id, now, "audit --rebuild-state: " + *why);
  }
  co_return report;
}

}  // namespace feedsync::engine
