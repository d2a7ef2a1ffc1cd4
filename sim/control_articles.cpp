// /_sim/ feeds and articles: what an editor does in CMP, plus switches that make a feed
// misbehave (404, empty, malformed JSON).
#include <boost/json/array.hpp>

#include "core/time.hpp"
#include "sim/article.hpp"
#include "sim/control_api.hpp"
#include "sim/control_util.hpp"
#include "sim/simulator.hpp"

namespace feedsync::sim {

namespace json = boost::json;
using net::Method;
using net::ServerRequest;
using net::ServerResponse;
using control::error;
using control::reply;
using control::sync_handler;

namespace {

json::object feed_json(const Feed& feed) {
  return json::object{
      {"id", feed.id},
      {"title", feed.title},
      {"deleted_feed", feed.deleted_feed},
      {feed.deleted_feed ? "live_feed_id" : "deleted_feed_id", feed.partner},
      {"mode", to_string(feed.mode)},
      {"articles", feed.articles.size()},
      {"modified_at", format_rfc3339_ms(feed.modified_ms)},
  };
}

ServerResponse store_error(const StoreError& e) { return error(e.status, e.message); }

std::string param(const ServerRequest& r, std::string_view name) {
  return std::string(r.params.get(name).value_or(""));
}

ServerResponse list_feeds(Simulator& sim) {
  json::array feeds;
  for (const Feed* feed : sim.store().feeds()) feeds.push_back(feed_json(*feed));
  return reply(200, json::object{{"feeds", std::move(feeds)}});
}

ServerResponse create_feed(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* id = body->if_contains("id");
  if (!id || !id->is_string()) return error(400, "id is required");
  std::string live_id(id->get_string());
  std::string deleted_id = derived_deleted_feed_id(live_id);
  if (const auto* d = body->if_contains("deleted_feed_id"); d && d->is_string()) deleted_id = d->get_string();
  std::string title = "feedsync-sim feed " + live_id;
  if (const auto* t = body->if_contains("title"); t && t->is_string()) title = t->get_string();
  auto feed = sim.store().add_feed(live_id, deleted_id, std::move(title));
  if (!feed) return store_error(feed.error());
  return reply(201, feed_json(**feed));
}

ServerResponse set_mode(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* mode = body->if_contains("mode");
  auto parsed = mode && mode->is_string() ? parse_feed_mode(mode->get_string()) : std::nullopt;
  if (!parsed) return error(400, "mode must be normal, not_found, empty or malformed");
  const auto id = param(r, "id");
  if (auto e = sim.store().set_mode(id, *parsed)) return store_error(*e);
  return reply(200, feed_json(*sim.store().feed(id)));
}

ServerResponse list_articles(Simulator& sim, const ServerRequest& r) {
  const Feed* feed = sim.store().feed(param(r, "id"));
  if (!feed) return error(404, "no feed " + param(r, "id"));
  const auto sort = r.query.get("sort_by").value_or("position") == "modified_at" ? SortBy::modified_at : SortBy::position;
  json::array out;
  for (const Article* a : sim.store().page(*feed, sort, 0, feed->articles.size())) {
    json::value title = nullptr;
    if (const auto* t = a->content.if_contains("title")) title = *t;
    out.push_back(json::object{
        {"guid", a->guid},
        {"position", a->position},
        {"title", title},
        {"modified_at", format_rfc3339_ms(a->content_modified_ms)},
        {"entry", json::object{{"created_at", format_rfc3339_ms(a->entry_created_ms)},
                               {"modified_at", format_rfc3339_ms(a->entry_modified_ms)}}},
    });
  }
  return reply(200, json::object{{"feed", feed_json(*feed)}, {"articles", std::move(out)}});
}

ServerResponse add_article(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto article = sim.store().add(param(r, "id"), std::move(*body));
  if (!article) return store_error(article.error());
  return reply(201, article_json(sim.store(), **article));
}

ServerResponse generate(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  GenerateRequest request;
  const auto count = control::int_field(*body, "count");
  if (!count || *count < 1 || *count > 100'000) return error(400, "count must be 1..100000");
  request.count = static_cast<std::size_t>(*count);
  if (body->contains("seed")) {
    auto seed = control::int_field(*body, "seed");
    if (!seed) return error(400, "seed must be an integer");
    request.seed = static_cast<std::uint64_t>(*seed);
  }
  if (body->contains("start")) {
    auto start = control::int_field(*body, "start");
    if (!start || *start < 0) return error(400, "start must be >= 0");
    request.start = static_cast<std::uint64_t>(*start);
  }
  if (body->contains("languages")) {
    auto languages = control::int_field(*body, "languages");
    if (!languages || *languages < 1 || static_cast<std::size_t>(*languages) > kMaxTranslationLanguages)
      return error(400, "languages must be 1.." + std::to_string(kMaxTranslationLanguages));
    request.languages = static_cast<std::size_t>(*languages);
  }
  if (const auto* b = body->if_contains("backdate")) {
    if (!b->is_bool()) return error(400, "backdate must be true or false");
    request.backdate = b->get_bool();
  }
  auto made = sim.store().generate(param(r, "id"), request);
  if (!made) return store_error(made.error());
  json::array guids;
  for (const Article* a : *made) guids.push_back(json::string(a->guid));
  return reply(201, json::object{{"count", made->size()}, {"guids", std::move(guids)}});
}

ServerResponse get_article(Simulator& sim, const ServerRequest& r) {
  const Article* a = sim.store().find(param(r, "guid"));
  if (!a) return error(404, "no article " + param(r, "guid"));
  return reply(200, article_json(sim.store(), *a));
}

ServerResponse update_article(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  auto bump = parse_bump(r.query.get("bump").value_or(""));
  if (!bump) return error(400, "bump must be both, content, entry or none");
  auto a = sim.store().update(param(r, "guid"), std::move(*body), *bump);
  if (!a) return store_error(a.error());
  return reply(200, article_json(sim.store(), **a));
}

ServerResponse move_article(Simulator& sim, const ServerRequest& r, bool to_live) {
  const auto guid = param(r, "guid");
  auto a = to_live ? sim.store().republish(guid) : sim.store().unpublish(guid);
  if (!a) return store_error(a.error());
  return reply(200, article_json(sim.store(), **a));
}

// POST /_sim/articles/{guid}:share {"feed": ID}: CMP publishing the article to another feed too.
ServerResponse share_article(Simulator& sim, const ServerRequest& r) {
  auto body = control::object_body(r);
  if (!body) return body.error();
  const auto* feed = body->if_contains("feed");
  if (feed == nullptr || !feed->is_string()) return error(400, "give the feed to list the article in: {\"feed\": ID}");
  const auto guid = param(r, "guid");
  if (auto e = sim.store().share(guid, feed->get_string())) return store_error(*e);
  return reply(200, article_json(sim.store(), *sim.store().find(guid)));
}

ServerResponse delete_article(Simulator& sim, const ServerRequest& r) {
  if (auto e = sim.store().remove(param(r, "guid"))) return store_error(*e);
  return control::no_content();
}

}  // namespace

json::object article_json(const FeedStore& store, const Article& article) {
  const Feed* feed = store.feed_of(article.guid);
  return json::object{
      {"guid", article.guid},
      {"feed_id", feed ? json::value(feed->id) : json::value(nullptr)},
      {"state", feed && feed->deleted_feed ? "deleted" : "live"},
      {"position", article.position},
      {"entry", json::object{{"created_at", format_rfc3339_ms(article.entry_created_ms)},
                             {"modified_at", format_rfc3339_ms(article.entry_modified_ms)}}},
      {"content", article.content},
  };
}

void add_control_article_routes(Simulator& sim, const RouteSink& sink) {
  auto add = [&](Method m, std::string pattern, auto f) {
    sink(m, std::move(pattern), std::string(kControlApi), sync_handler(std::move(f)));
  };
  Simulator* s = &sim;
  add(Method::get, "/_sim/feeds", [s](ServerRequest) { return list_feeds(*s); });
  add(Method::post, "/_sim/feeds", [s](ServerRequest r) { return create_feed(*s, r); });
  add(Method::put, "/_sim/feeds/{id}/mode", [s](ServerRequest r) { return set_mode(*s, r); });
  add(Method::get, "/_sim/feeds/{id}/articles", [s](ServerRequest r) { return list_articles(*s, r); });
  add(Method::post, "/_sim/feeds/{id}/articles", [s](ServerRequest r) { return add_article(*s, r); });
  add(Method::post, "/_sim/feeds/{id}/generate", [s](ServerRequest r) { return generate(*s, r); });
  add(Method::get, "/_sim/articles/{guid}", [s](ServerRequest r) { return get_article(*s, r); });
  add(Method::patch, "/_sim/articles/{guid}", [s](ServerRequest r) { return update_article(*s, r); });
  add(Method::delete_, "/_sim/articles/{guid}", [s](ServerRequest r) { return delete_article(*s, r); });
  add(Method::post, "/_sim/articles/{guid}:unpublish", [s](ServerRequest r) { return move_article(*s, r, false); });
  add(Method::post, "/_sim/articles/{guid}:republish", [s](ServerRequest r) { return move_article(*s, r, true); });
  add(Method::post, "/_sim/articles/{guid}:share", [s](ServerRequest r) { return share_article(*s, r); });
}

}  // namespace feedsync::sim
