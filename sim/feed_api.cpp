#include "sim/feed_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

#include "core/pixel_key.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "sim/atom.hpp"
#include "sim/feed_render.hpp"

namespace feedsync::sim {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

net::ServerResponse canonical_error(int status, std::string_view code, std::string_view message) {
  json::object body{{"error", json::object{{"code", code}, {"message", message}}}};
  return net::ServerResponse::json(status, json::serialize(body));
}

}  // namespace

bool domain_allowed(std::string_view host, const std::vector<std::string>& allowed_domains) {
  if (allowed_domains.empty()) return true;
  const std::string h = ascii_lower(host);
  for (const auto& domain : allowed_domains) {
    const std::string d = ascii_lower(domain);
    if (h == d) return true;
    if (h.size() > d.size() && h.compare(h.size() - d.size(), d.size(), d) == 0 && h[h.size() - d.size() - 1] == '.')
      return true;
  }
  return false;
}

void FeedApi::add_routes(const RouteSink& sink) {
  sink(net::Method::get, "/v2/feed/{id}", "feed", [this](net::ServerRequest r) { return feed(std::move(r)); });
  sink(net::Method::get, "/customer_canonical_link", "canonical",
       [this](net::ServerRequest r) { return canonical(std::move(r)); });
}

// Synchronous work lives in plain functions; the coroutines only wrap them (no co_await needed).
asio::awaitable<net::ServerResponse> FeedApi::feed(net::ServerRequest request) {
  co_return render_feed(request);
}

asio::awaitable<net::ServerResponse> FeedApi::canonical(net::ServerRequest request) {
  co_return record_canonical(request);
}

net::ServerResponse FeedApi::render_feed(const net::ServerRequest& request) {
  const std::string id(request.params.get("id").value_or(""));
  const Feed* feed = store_.feed(id);
  if (!feed || feed->mode == FeedMode::not_found)
    return net::ServerResponse::json(404, render_feed_error(404, "Collection with guid " + id + " not found"));
  auto query = parse_page_query(request.query);
  if (!query) return net::ServerResponse::json(400, render_feed_error(400, query.error()));
  if (feed->mode == FeedMode::malformed) return net::ServerResponse::json(200, render_malformed_page(*feed));

  // A silent cap: fewer entries than asked for, nothing in the page saying so (issue 17).
  const std::size_t size = behaviour_.page_cap > 0 ? std::min(query->pagesize, behaviour_.page_cap) : query->pagesize;
  std::span<const Article* const> entries;
  if (feed->mode == FeedMode::normal) entries = store_.page(*feed, query->sort, query->offset, size);
  if (query->format == FeedFormat::atom)
    return net::ServerResponse::text(200, render_atom_page(*feed, entries, request.target),
                                     "application/atom+xml; charset=utf-8");
  return net::ServerResponse::json(200, render_json_page(*feed, entries, query->fields, behaviour_.fields));
}

net::ServerResponse FeedApi::record_canonical(const net::ServerRequest& request) {
  const auto link = request.query.get("canonical_link");
  const auto key_param = request.query.get("tracking_pixel_key");
  if (!link || link->empty())
    return canonical_error(400, "canonical-link-error", "canonical_link is required");
  if (!key_param || key_param->empty())
    return canonical_error(400, "400", "tracking_pixel_key is required");

  auto url = boost::urls::parse_absolute_uri(*link);
  const std::string scheme = url ? ascii_lower(url->scheme()) : "";
  if (!url || (scheme != "http" && scheme != "https") || url->encoded_host().empty())
    return canonical_error(400, "canonical-link-error",
                           "canonical_link must be an absolute http(s) URL, got '" + std::string(*link) + "'");

  const auto key = normalize_pixel_key(*key_param);
  const Article* article = key ? store_.find_by_pixel_key(*key) : nullptr;
  if (!article)
    return canonical_error(404, "404", "No article found for tracking_pixel_key " + std::string(*key_param));

  const std::string host = url->host();
  if (!domain_allowed(host, allowed_domains_))
    return canonical_error(422, "domain-not-whitelisted",
                           "The domain " + host + " of canonical_link is not whitelisted for this organisation");

  CanonicalRecord record;
  record.seq = next_seq_++;
  record.guid = article->guid;
  record.pixel_key = *key;
  record.canonical_link = std::string(*link);
  record.at_ms = clock_.now_ms();
  store_.set_canonical_link(record.guid, record.canonical_link);
  json::object body{{"status", "success"}, {"guid", record.guid}, {"canonical_link", record.canonical_link}};
  records_.push_back(std::move(record));
  return net::ServerResponse::json(200, json::serialize(body));
}

json::array FeedApi::canonical_json() const {
  json::array out;
  for (const auto& r : records_)
    out.push_back(json::object{{"seq", r.seq},
                               {"guid", r.guid},
                               {"tracking_pixel_key", r.pixel_key},
                               {"canonical_link", r.canonical_link},
                               {"time", format_rfc3339_ms(r.at_ms)}});
  return out;
}

}  // namespace feedsync::sim
