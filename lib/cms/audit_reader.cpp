#include "cms/audit_reader.hpp"

#include <boost/json/parse.hpp>

#include "cms/problem_details.hpp"

namespace feedsync::cms {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::optional<json::value> parse(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return std::nullopt;
  return value;
}

std::optional<ItemNode> node_from(const json::object& o) {
  const auto* key = o.if_contains("key");
  if (!key || !key->is_string()) return std::nullopt;
  ItemNode node;
  node.key = std::string(key->as_string());
  if (const auto* container = o.if_contains("container"); container && container->is_string())
    node.container = std::string(container->as_string());
  const auto* deleted = o.if_contains("deleted");
  node.deleted = deleted && !deleted->is_null() && !(deleted->is_bool() && !deleted->as_bool());
  return node;
}

// The page's entries ({"items": [...]}, or a bare array).
const json::array* page_items(const json::value& value) {
  if (const auto* array = value.if_array()) return array;
  if (const auto* page = value.if_object())
    if (const auto* items = page->if_contains("items")) return items->if_array();
  return nullptr;
}

}  // namespace

std::optional<ItemNode> read_item_node(std::string_view body) {
  auto value = parse(body);
  if (!value || !value->is_object()) return std::nullopt;
  return node_from(value->as_object());
}

std::vector<ItemNode> listed_item_nodes(std::string_view body) {
  std::vector<ItemNode> out;
  auto value = parse(body);
  const json::array* items = value ? page_items(*value) : nullptr;
  if (!items) return out;
  for (const auto& item : *items) {
    if (const auto* o = item.if_object())
      if (auto node = node_from(*o)) out.push_back(std::move(*node));
  }
  return out;
}

AuditReader::AuditReader(const CmsDialect& dialect, CmsTransport& transport, std::size_t page_size)
    : dialect_(dialect), transport_(transport), page_size_(page_size == 0 ? 100 : page_size) {}

asio::awaitable<Expected<std::optional<std::string>, CmsError>> AuditReader::read(net::Request request,
                                                                                  std::string what) {
  ++requests_;
  const std::string context = "CMS " + what + " (GET " + request.url + ")";
  auto reply = co_await transport_.send(std::move(request), context);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (reply->status == 404) co_return std::optional<std::string>{};
  if (reply->status < 200 || reply->status > 299) co_return unexpected(error_from_response(*reply, context));
  co_return std::optional<std::string>(std::move(reply->body));
}

asio::awaitable<Expected<std::vector<ItemNode>, CmsError>> AuditReader::container_items(std::string container) {
  std::vector<ItemNode> out;
  for (std::size_t index = 0;; ++index) {
    // GCC 12: no temporaries inside a co_await full-expression (DESIGN.md §3).
    net::Request request = dialect_.list_items(container, index, page_size_);
    std::string what = "listing of container " + container;
    auto body = co_await read(std::move(request), std::move(what));
    if (!body) co_return unexpected(std::move(body.error()));
    if (!*body) {
      co_return unexpected(make_error(CmsErrorKind::permanent, "CMS container " + container + " does not exist (404)", 404));
    }
    auto nodes = listed_item_nodes(**body);
    const bool last = nodes.size() < page_size_;
    for (auto& node : nodes) out.push_back(std::move(node));
    if (last) break;
  }
  co_return out;
}

asio::awaitable<Expected<std::optional<ItemNode>, CmsError>> AuditReader::item(std::string key) {
  net::Request request = dialect_.get_item_or_deleted(key);
  std::string what = "read of item " + key;
  auto body = co_await read(std::move(request), std::move(what));
  if (!body) co_return unexpected(std::move(body.error()));
  if (!*body) co_return std::optional<ItemNode>{};
  auto node = read_item_node(**body);
  if (!node) {
    co_return unexpected(make_error(CmsErrorKind::permanent, "CMS read of item " + key + ": the answer is no content item"));
  }
  co_return node;
}

namespace {

// The page's totalCount (v1) or totalItemCount, when it gives one.
std::optional<std::size_t> total_count(const json::value& value) {
  const auto* page = value.if_object();
  if (!page) return std::nullopt;
  for (const char* name : {"totalCount", "totalItemCount"}) {
    const auto* total = page->if_contains(name);
    if (total && total->is_int64() && total->as_int64() >= 0) return static_cast<std::size_t>(total->as_int64());
    if (total && total->is_uint64()) return static_cast<std::size_t>(total->as_uint64());
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<Expected<std::optional<AuditReader::PublishedByKey>, CmsError>> AuditReader::all_published(
    std::string locale, std::size_t per_item_cost) {
  PublishedByKey out;
  for (std::size_t index = 0;; ++index) {
    auto request = dialect_.list_all_versions(locale, "published", index, page_size_);
    if (!request) co_return std::optional<PublishedByKey>{};
    std::string what = "listing of published versions";
    auto body = co_await read(std::move(*request), std::move(what));
    if (!body) co_return unexpected(std::move(body.error()));
    if (!*body) co_return std::optional<PublishedByKey>{};  // 404: the service has no such listing
    auto value = parse(**body);
    const json::array* items = value ? page_items(*value) : nullptr;
    const std::size_t listed = items ? items->size() : 0;
    if (index == 0 && value) {
      const auto total = total_count(*value);
      if (total && (*total + page_size_ - 1) / page_size_ > per_item_cost) co_return std::optional<PublishedByKey>{};
    }
    for (auto& record : listed_versions(**body, locale, dialect_.wrapped_properties())) {
      // A service that ignores the statuses filter lists everything: only a published one counts.
      if (record.status == "published" && !record.key.empty()) out[record.key] = std::move(record);
    }
    if (listed < page_size_) break;
  }
  co_return std::optional<PublishedByKey>(std::move(out));
}

asio::awaitable<Expected<std::optional<VersionRecord>, CmsError>> AuditReader::published(std::string key,
                                                                                         std::string locale) {
  net::Request request = dialect_.list_versions(key, locale, "published");
  std::string what = "published version lookup of " + key;
  auto body = co_await read(std::move(request), std::move(what));
  if (!body) co_return unexpected(std::move(body.error()));
  if (!*body) co_return std::optional<VersionRecord>{};
  for (auto& record : listed_versions(**body, locale, dialect_.wrapped_properties())) {
    if (record.status == "published") co_return std::optional<VersionRecord>(std::move(record));
  }
  co_return std::optional<VersionRecord>{};
}

asio::awaitable<Expected<std::optional<VersionRecord>, CmsError>> AuditReader::newest(std::string key,
                                                                                      std::string locale) {
  net::Request request = dialect_.list_versions(key, locale, "");
  std::string what = "version lookup of " + key;
  auto body = co_await read(std::move(request), std::move(what));
  if (!body) co_return unexpected(std::move(body.error()));
  if (!*body) co_return std::optional<VersionRecord>{};
  co_return newest_version(**body, locale, dialect_.wrapped_properties());
}

asio::awaitable<Expected<bool, CmsError>> AuditReader::move(std::string key, std::string container) {
  ++requests_;
  net::Request request = dialect_.move(key, container);
  const std::string context = "CMS move of item " + key + " to container " + container + " (PATCH " + request.url + ")";
  auto reply = co_await transport_.send(std::move(request), context);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (reply->status == 404) co_return false;
  if (reply->status < 200 || reply->status > 299) co_return unexpected(error_from_response(*reply, context));
  co_return true;
}

}  // namespace feedsync::cms
