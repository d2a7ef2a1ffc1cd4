#include "sim/feed_store.hpp"

#include <algorithm>
#include <cctype>

#include "core/time.hpp"

namespace feedsync::sim {

namespace json = boost::json;

namespace {

bool valid_feed_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

void rebuild(const Feed& feed) {
  if (!feed.dirty) return;
  feed.by_position.clear();
  for (const auto& [guid, article] : feed.articles) feed.by_position.push_back(article.get());
  for (const auto& [guid, article] : feed.shared) feed.by_position.push_back(article);
  feed.by_modified = feed.by_position;
  std::sort(feed.by_position.begin(), feed.by_position.end(),
            [](const Article* a, const Article* b) { return a->position > b->position; });
  // Equal modified_at (whole seconds) is common; the newer placement goes first so that the order
  // is total and pages never overlap or skip.
  std::sort(feed.by_modified.begin(), feed.by_modified.end(), [](const Article* a, const Article* b) {
    if (a->content_modified_ms != b->content_modified_ms) return a->content_modified_ms > b->content_modified_ms;
    return a->position > b->position;
  });
  feed.dirty = false;
}

std::optional<std::int64_t> explicit_time(const json::object& content, std::string_view name) {
  if (const auto* v = content.if_contains(name); v && v->is_string()) return parse_rfc3339_ms(v->get_string());
  return std::nullopt;
}

}  // namespace

std::optional<FeedMode> parse_feed_mode(std::string_view text) {
  if (text == "normal") return FeedMode::normal;
  if (text == "not_found") return FeedMode::not_found;
  if (text == "empty") return FeedMode::empty;
  if (text == "malformed") return FeedMode::malformed;
  return std::nullopt;
}

std::string_view to_string(FeedMode mode) {
  switch (mode) {
    case FeedMode::normal: return "normal";
    case FeedMode::not_found: return "not_found";
    case FeedMode::empty: return "empty";
    case FeedMode::malformed: return "malformed";
  }
  return "normal";
}

std::optional<Bump> parse_bump(std::string_view text) {
  if (text.empty() || text == "both") return Bump::both;
  if (text == "content") return Bump::content;
  if (text == "entry") return Bump::entry;
  if (text == "none") return Bump::none;
  return std::nullopt;
}

FeedStore::FeedStore(const SimClock& clock, UrlBases bases) : clock_(clock), bases_(std::move(bases)) {}

std::int64_t FeedStore::now() const { return to_feed_precision(clock_.now_ms()); }

void FeedStore::touch(Feed& feed, std::int64_t at) {
  feed.modified_ms = std::max(feed.modified_ms, at);
  feed.dirty = true;
}

Expected<const Feed*, StoreError> FeedStore::add_feed(const std::string& id, const std::string& deleted_id,
                                                      std::string title) {
  if (!valid_feed_id(id) || !valid_feed_id(deleted_id))
    return unexpected(StoreError{400, "feed ids are letters and digits"});
  if (id == deleted_id) return unexpected(StoreError{400, "a feed cannot be its own Deleted Feed"});
  if (feeds_.contains(id) || feeds_.contains(deleted_id))
    return unexpected(StoreError{409, "feed exists: " + (feeds_.contains(id) ? id : deleted_id)});
  auto live = std::make_unique<Feed>();
  live->id = id;
  live->title = title;
  live->partner = deleted_id;
  live->modified_ms = now();
  auto deleted = std::make_unique<Feed>();
  deleted->id = deleted_id;
  deleted->title = title + " (Deleted)";
  deleted->deleted_feed = true;
  deleted->partner = id;
  deleted->modified_ms = live->modified_ms;
  const Feed* out = live.get();
  feeds_.emplace(id, std::move(live));
  feeds_.emplace(deleted_id, std::move(deleted));
  return out;
}

const Feed* FeedStore::feed(std::string_view id) const {
  auto it = feeds_.find(std::string(id));
  return it == feeds_.end() ? nullptr : it->second.get();
}

Feed* FeedStore::mutable_feed(std::string_view id) {
  auto it = feeds_.find(std::string(id));
  return it == feeds_.end() ? nullptr : it->second.get();
}

std::vector<const Feed*> FeedStore::feeds() const {
  std::vector<const Feed*> out;
  for (const auto& [id, feed] : feeds_) out.push_back(feed.get());
  std::sort(out.begin(), out.end(), [](const Feed* a, const Feed* b) { return a->id < b->id; });
  return out;
}

std::optional<StoreError> FeedStore::set_mode(std::string_view feed_id, FeedMode mode) {
  Feed* feed = mutable_feed(feed_id);
  if (!feed) return StoreError{404, "no feed " + std::string(feed_id)};
  feed->mode = mode;
  return std::nullopt;
}

Article* FeedStore::mutable_find(std::string_view guid) {
  auto it = where_.find(std::string(guid));
  if (it == where_.end()) return nullptr;
  return it->second->articles.at(it->first).get();
}

const Article* FeedStore::find(std::string_view guid) const {
  auto it = where_.find(std::string(guid));
  if (it == where_.end()) return nullptr;
  return it->second->articles.at(it->first).get();
}

const Feed* FeedStore::feed_of(std::string_view guid) const {
  auto it = where_.find(std::string(guid));
  return it == where_.end() ? nullptr : it->second;
}

const Article* FeedStore::find_by_pixel_key(std::string_view key) const {
  auto it = pixel_index_.find(std::string(key));
  return it == pixel_index_.end() ? nullptr : find(it->second);
}

void FeedStore::index_pixel(const Article& article) {
  if (!article.pixel_key.empty()) pixel_index_[article.pixel_key] = article.guid;
}

Expected<std::unique_ptr<Article>, StoreError> FeedStore::make_article(json::object content, std::int64_t at) {
  auto article = std::make_unique<Article>();
  article->guid = std::string(content.at("guid").get_string());
  if (where_.contains(article->guid)) return unexpected(StoreError{409, "article exists: " + article->guid});
  article->content_modified_ms = to_feed_precision(explicit_time(content, "modified_at").value_or(at));
  article->content = std::move(content);
  article->refresh();
  return article;
}

Article* FeedStore::place(std::unique_ptr<Article> article, Feed& to, std::int64_t at) {
  article->position = next_position_++;
  article->entry_created_ms = at;
  article->entry_modified_ms = at;
  Article* raw = article.get();
  where_[raw->guid] = &to;
  index_pixel(*raw);
  to.articles[raw->guid] = std::move(article);
  touch(to, at);
  return raw;
}

std::unique_ptr<Article> FeedStore::take(std::string_view guid) {
  auto it = where_.find(std::string(guid));
  if (it == where_.end()) return nullptr;
  Feed* from = it->second;
  auto node = from->articles.extract(it->first);
  where_.erase(it);
  touch(*from, now());
  // Leaving its home (unpublished, removed) takes it out of the feeds that listed it too.
  if (auto shared = shared_in_.find(std::string(guid)); shared != shared_in_.end()) {
    for (Feed* feed : shared->second) {
      feed->shared.erase(shared->first);
      touch(*feed, now());
    }
    shared_in_.erase(shared);
  }
  auto article = std::move(node.mapped());
  if (auto p = pixel_index_.find(article->pixel_key); p != pixel_index_.end() && p->second == article->guid)
    pixel_index_.erase(p);
  return article;
}

Expected<const Article*, StoreError> FeedStore::add(std::string_view feed_id, json::object posted) {
  Feed* feed = mutable_feed(feed_id);
  if (!feed) return unexpected(StoreError{404, "no feed " + std::string(feed_id)});
  const auto at = now();
  auto content = complete_content(std::move(posted), ++posted_count_, at, bases_);
  if (!content) return unexpected(StoreError{400, content.error()});
  auto article = make_article(std::move(*content), at);
  if (!article) return unexpected(std::move(article.error()));
  return place(std::move(*article), *feed, at);
}

Expected<std::vector<const Article*>, StoreError> FeedStore::generate(std::string_view feed_id,
                                                                      const GenerateRequest& request) {
  Feed* feed = mutable_feed(feed_id);
  if (!feed) return unexpected(StoreError{404, "no feed " + std::string(feed_id)});
  const auto at = now();
  std::vector<std::unique_ptr<Article>> made;
  made.reserve(request.count);
  for (std::size_t i = 0; i < request.count; ++i) {
    const auto index = request.start + i;
    // Backdated: one a minute ending a minute ago, most edited up to ten minutes after their
    // publication, so that sort_by=modified_at differs from sort_by=position.
    std::int64_t created = at;
    std::int64_t modified = at;
    if (request.backdate) {
      created = at - static_cast<std::int64_t>(request.count - i) * 60'000;
      modified = std::min(at, created + static_cast<std::int64_t>((index * 7) % 11) * 60'000);
    }
    auto content = generate_translation(request.seed, index, request.languages, created, bases_);
    content["modified_at"] = format_rfc3339_ms(modified);
    auto article = make_article(std::move(content), modified);
    if (!article) return unexpected(std::move(article.error()));
    for (const auto& other : made)
      if (other->guid == (*article)->guid) return unexpected(StoreError{409, "duplicate guid " + other->guid});
    (*article)->entry_created_ms = created;
    made.push_back(std::move(*article));
  }
  std::vector<const Article*> out;
  for (auto& article : made) {
    const auto created = article->entry_created_ms;
    Article* placed = place(std::move(article), *feed, at);
    placed->entry_created_ms = created;
    placed->entry_modified_ms = std::max(created, placed->content_modified_ms);
    out.push_back(placed);
  }
  return out;
}

Expected<const Article*, StoreError> FeedStore::update(std::string_view guid, json::object patch, Bump bump) {
  Article* article = mutable_find(guid);
  if (!article) return unexpected(StoreError{404, "no article " + std::string(guid)});
  if (const auto* g = patch.if_contains("guid"); g && !(g->is_string() && g->get_string() == article->guid))
    return unexpected(StoreError{400, "the guid cannot change"});
  std::optional<std::int64_t> explicit_modified;
  if (const auto* m = patch.if_contains("modified_at")) {
    if (!m->is_string() || !(explicit_modified = parse_rfc3339_ms(m->get_string())))
      return unexpected(StoreError{400, "modified_at must be an RFC 3339 date-time"});
  }
  const auto at = now();
  if (auto p = pixel_index_.find(article->pixel_key); p != pixel_index_.end() && p->second == article->guid)
    pixel_index_.erase(p);
  for (auto& [key, value] : patch) article->content[key] = std::move(value);
  if (explicit_modified)
    article->content_modified_ms = to_feed_precision(*explicit_modified);
  else if (bump == Bump::both || bump == Bump::content)
    article->content_modified_ms = at;
  if (bump == Bump::both || bump == Bump::entry) article->entry_modified_ms = at;
  article->refresh();
  index_pixel(*article);
  touch(*where_.at(article->guid), at);
  touch_sharing_feeds(article->guid, at);
  return article;
}

Expected<const Article*, StoreError> FeedStore::unpublish(std::string_view guid) {
  const Feed* from = feed_of(guid);
  if (!from) return unexpected(StoreError{404, "no article " + std::string(guid)});
  if (from->deleted_feed) return unexpected(StoreError{409, "already in the Deleted Feed " + from->id});
  Feed* to = mutable_feed(from->partner);
  const auto at = now();
  auto article = take(guid);
  article->content_modified_ms = at;
  article->refresh();
  return place(std::move(article), *to, at);
}

Expected<const Article*, StoreError> FeedStore::republish(std::string_view guid) {
  const Feed* from = feed_of(guid);
  if (!from) return unexpected(StoreError{404, "no article " + std::string(guid)});
  Feed* to = mutable_feed(from->deleted_feed ? from->partner : from->id);
  const auto at = now();
  auto article = take(guid);
  article->content_modified_ms = at;
  article->refresh();
  return place(std::move(article), *to, at);
}

std::optional<StoreError> FeedStore::share(std::string_view guid, std::string_view feed_id) {
  const Article* article = find(guid);
  if (!article) return StoreError{404, "no article " + std::string(guid)};
  Feed* to = mutable_feed(feed_id);
  if (!to) return StoreError{404, "no feed " + std::string(feed_id)};
  if (to->deleted_feed) return StoreError{400, std::string(feed_id) + " is a Deleted Feed"};
  const Feed* home = feed_of(guid);
  if (home->deleted_feed) return StoreError{409, "article " + std::string(guid) + " is not live"};
  if (home == to) return StoreError{409, "feed " + std::string(feed_id) + " is the article's home"};
  if (!to->shared.emplace(std::string(guid), article).second)
    return StoreError{409, "article " + std::string(guid) + " is listed in " + std::string(feed_id) + " already"};
  shared_in_[std::string(guid)].push_back(to);
  touch(*to, now());
  return std::nullopt;
}

void FeedStore::touch_sharing_feeds(std::string_view guid, std::int64_t at) {
  auto it = shared_in_.find(std::string(guid));
  if (it == shared_in_.end()) return;
  for (Feed* feed : it->second) touch(*feed, at);
}

std::optional<StoreError> FeedStore::remove(std::string_view guid) {
  if (!take(guid)) return StoreError{404, "no article " + std::string(guid)};
  return std::nullopt;
}

void FeedStore::set_canonical_link(std::string_view guid, std::string link) {
  Article* article = mutable_find(guid);
  if (!article) return;
  article->content["customer_canonical_link"] = link;
  article->refresh();
}

std::span<const Article* const> FeedStore::page(const Feed& feed, SortBy sort, std::size_t offset,
                                                std::size_t size) const {
  rebuild(feed);
  const auto& index = sort == SortBy::position ? feed.by_position : feed.by_modified;
  if (offset >= index.size()) return {};
  return std::span<const Article* const>(index).subspan(offset, std::min(size, index.size() - offset));
}

std::vector<std::pair<std::string, std::string>> FeedStore::live_guids() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [guid, feed] : where_)
    if (!feed->deleted_feed) out.emplace_back(guid, feed->id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace feedsync::sim
