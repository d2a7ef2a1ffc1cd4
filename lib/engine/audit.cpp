#include "engine/audit.hpp"

#include <map>

#include "core/content_key.hpp"

namespace feedsync::engine {
namespace asio = boost::asio;

namespace {

using Nodes = std::map<std::string, cms::ItemNode>;

struct FeedReads {
  Nodes in_container;
  // v1: every published version of the locale by key; nullopt: read per item.
  std::optional<cms::AuditReader::PublishedByKey> published;
};

std::string locale_of(const config::FeedConfig& feed) { return feed.locale.value_or(""); }

// The published version of `key`: from the listing when there is one, else read.
asio::awaitable<Expected<std::optional<cms::VersionRecord>, cms::CmsError>> published_of(
    const FeedReads& reads, cms::AuditReader& reader, std::string key, std::string locale) {
  if (reads.published) {
    auto it = reads.published->find(key);
    if (it == reads.published->end()) co_return std::optional<cms::VersionRecord>{};
    co_return std::optional<cms::VersionRecord>(it->second);
  }
  co_return co_await reader.published(key, locale);
}

// Where the item is and what of it is published.
// `locale`: the one to look at (a translation's own, translations: group), else the feed's.
asio::awaitable<Expected<CmsItemSeen, cms::CmsError>> look_up(const config::FeedConfig& feed, const FeedReads& reads,
                                                              cms::AuditReader& reader, std::string key,
                                                              std::optional<std::string> locale) {
  CmsItemSeen seen;
  auto listed = reads.in_container.find(key);
  if (listed != reads.in_container.end()) {
    seen.presence = CmsItemSeen::Presence::present;
    seen.container = feed.container;
  } else {
    auto node = co_await reader.item(key);
    if (!node) co_return unexpected(std::move(node.error()));
    if (!*node) co_return seen;  // absent
    seen.presence = (*node)->deleted ? CmsItemSeen::Presence::deleted : CmsItemSeen::Presence::present;
    seen.container = (*node)->container;
    if (seen.presence == CmsItemSeen::Presence::deleted || seen.container != feed.container) co_return seen;
  }
  // GCC 12: no temporaries inside a co_await full-expression (DESIGN.md §3).
  const std::string wanted = locale.value_or(locale_of(feed));
  auto published = co_await published_of(reads, reader, key, wanted);
  if (!published) co_return unexpected(std::move(published.error()));
  if (*published) {
    seen.published_version = (*published)->version;
    seen.published_route_segment = (*published)->route_segment;
  }
  co_return seen;
}

std::string describe(const store::ArticleRow& row, const config::FeedConfig& feed, const CmsItemSeen& seen,
                     AuditResult result) {
  const std::string ours = row.cms_version.value_or("?");
  switch (result) {
    case AuditResult::ok: return "version " + ours;
    case AuditResult::missing: return "no item with this key in the CMS";
    case AuditResult::deleted: return "the item is deleted in the CMS";
    case AuditResult::moved: return "in container " + seen.container + ", the feed writes to " + feed.container;
    case AuditResult::unpublished:
      return "no published version in locale " + (feed.locale ? *feed.locale : std::string("(any)")) +
             "; feedsync published version " + ours;
    case AuditResult::edited:
      if (seen.published_version == row.cms_version)
        return "route segment " + seen.published_route_segment.value_or("") + ", feedsync wrote " +
               row.route_segment.value_or("");
      return "published version " + seen.published_version.value_or("?") + "; feedsync wrote " + ours;
  }
  return {};
}

// `articles`: how many items would be read one by one without the listing across items.
asio::awaitable<Expected<FeedReads, cms::CmsError>> read_feed(const config::FeedConfig& feed,
                                                              cms::AuditReader& reader, std::size_t articles) {
  FeedReads reads;
  auto nodes = co_await reader.container_items(feed.container);
  if (!nodes) co_return unexpected(std::move(nodes.error()));
  for (auto& node : *nodes) reads.in_container.emplace(node.key, std::move(node));
  // translations: group: the items have a published version per translation; the listing keeps
  // one per key, so each translation's locale is read on its own.
  if (feed.translations == config::Translations::group) co_return reads;
  std::string locale = locale_of(feed);
  auto published = co_await reader.all_published(std::move(locale), articles);
  if (!published) co_return unexpected(std::move(published.error()));
  reads.published = std::move(*published);
  co_return reads;
}

// Items in the container with the guid property under a key no article of any feed has.
asio::awaitable<Expected<std::vector<AuditOrphan>, cms::CmsError>> find_orphans(
    const config::FeedConfig& feed, const FeedReads& reads, cms::AuditReader& reader,
    const std::set<std::string>& known_keys, const std::string& property) {
  std::vector<AuditOrphan> out;
  const std::string locale = locale_of(feed);
  for (const auto& [key, node] : reads.in_container) {
    if (known_keys.contains(key)) continue;
    auto published = co_await published_of(reads, reader, key, locale);
    if (!published) co_return unexpected(std::move(published.error()));
    if (!*published || !(*published)->properties) continue;
    const auto* guid = (*published)->properties->if_contains(property);
    if (!guid || !guid->is_string() || guid->as_string().empty()) continue;
    AuditOrphan orphan{feed.name, key, std::string(guid->as_string()), false, (*published)->version,
                       (*published)->route_segment};
    orphan.adoptable = content_key(feed.name, orphan.guid, feed.key_namespace) == key;
    out.push_back(std::move(orphan));
  }
  co_return out;
}

}  // namespace

std::optional<std::string> guid_property(const config::FeedConfig& feed) {
  for (const auto& [name, expr] : feed.mapping.properties) {
    std::string_view text = expr.text;
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text == "guid") return name;
  }
  return std::nullopt;
}

asio::awaitable<FeedAudit> audit_feed(config::FeedConfig feed, std::vector<store::ArticleRow> rows,
                                      std::set<std::string> known_keys, cms::AuditReader& reader,
                                      AuditProgress progress) {
  FeedAudit out;
  out.feed = feed.name;
  std::size_t total = 0;
  for (const auto& row : rows) total += audited(row) ? 1 : 0;
  auto reads = co_await read_feed(feed, reader, total);
  if (!reads) {
    out.error = "feed " + feed.name + ": " + reads.error().message;
    co_return out;
  }
  std::size_t done = 0;
  for (const auto& row : rows) {
    if (!audited(row)) {
      ++out.tally.skipped;
      continue;
    }
    auto seen = co_await look_up(feed, *reads, reader, row.cms_key, row.locale);
    if (!seen) {
      out.error = "feed " + feed.name + " guid " + row.guid + ": " + seen.error().message;
      co_return out;
    }
    const AuditResult result = judge(row, feed.container, *seen);
    out.tally.add(result);
    out.findings.push_back(
        {feed.name, row.guid, row.cms_key, result, describe(row, feed, *seen, result), seen->published_version});
    if (progress) progress(++done, total);
  }
  const auto property = guid_property(feed);
  if (!property) {
    out.orphan_note = "no mapping property is `guid`, so items cannot be told apart as CMP articles";
    co_return out;
  }
  auto orphans = co_await find_orphans(feed, *reads, reader, known_keys, *property);
  if (!orphans) {
    out.error = "feed " + feed.name + ": " + orphans.error().message;
    co_return out;
  }
  out.orphans = std::move(*orphans);
  out.tally.orphans = static_cast<std::int64_t>(out.orphans.size());
  co_return out;
}

}  // namespace feedsync::engine
