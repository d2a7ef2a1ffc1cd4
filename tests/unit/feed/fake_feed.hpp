#pragma once
// An in-memory Feed API v2 behind the FakeHttpClient: serves field-limited and full pages by
// format/sort_by/fields/pagesize/offset like the real API, newest modified_at first.

#include <map>
#include <algorithm>
#include <string>
#include <vector>

#include <boost/url/parse.hpp>

#include "core/time.hpp"
#include "unit/net/fake_http_client.hpp"

namespace feedsync::testing {

struct FakeArticle {
  std::string guid;
  std::int64_t modified_at;
  std::string title;
};

class FakeFeed {
 public:
  std::string feed_id = "feed1";
  std::vector<FakeArticle> articles;
  std::int64_t envelope_modified_at = 1'753'358'504'000;
  // Called before a page is served (to change the feed under a scan).
  std::function<void(std::int64_t offset)> before_page;
  // Answers the document leaves open (issue 17): a silent cap on entries per page (0: none), and
  // a service that ignores `offset` (every page is the first).
  std::int64_t page_cap = 0;
  bool ignore_offset = false;
  bool index_drops_entry_modified_at = false;  // field-limited pages without the entry-level time
  // Further members of an article's full content, as raw JSON (`"group_id":"g1","lang_code":"de"`),
  // by guid.
  std::map<std::string, std::string> extra_content;

  void add(int count, std::int64_t newest) {
    for (int i = 0; i < count; ++i)
      articles.push_back({"g" + std::to_string(articles.size()), newest - i * 1000LL, "Title"});
  }

  void attach(FakeHttpClient& http) {
    http.fallback = [this](const net::Request& request) { return serve(request); };
  }

  net::Result serve(const net::Request& request) {
    auto url = boost::urls::parse_absolute_uri(request.url).value();
    if (std::string(url.path()) != "/v2/feed/" + feed_id)
      return net::Response{404, {}, R"({"error":{"code":"404","message":"Collection with guid x not found"}})"};
    auto param = [&](const char* name, std::string fallback) {
      auto it = url.params().find(name);
      return it == url.params().end() ? fallback : std::string((*it).value);
    };
    auto pagesize = std::stoll(param("pagesize", "200"));
    if (page_cap > 0) pagesize = std::min<std::int64_t>(pagesize, page_cap);
    const auto offset = ignore_offset ? 0 : std::stoll(param("offset", "0"));
    const bool index_only = param("fields", "") == "guid,modified_at";
    if (before_page) before_page(offset);
    auto sorted = articles;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.modified_at > b.modified_at; });
    std::string body = R"({"title":"Fake","modified_at":")" + format_rfc3339_ms(envelope_modified_at) +
                       R"(","entries":[)";
    for (auto i = offset; i < std::min<std::int64_t>(offset + pagesize, sorted.size()); ++i) {
      const auto& a = sorted[static_cast<std::size_t>(i)];
      const std::string ts = format_rfc3339_ms(a.modified_at);
      if (i != offset) body += ',';
      body += R"({"content":{"guid":")" + a.guid + R"(","modified_at":")" + ts + '"';
      if (!index_only) body += R"(,"title":")" + a.title + '"';
      if (auto extra = extra_content.find(a.guid); !index_only && extra != extra_content.end())
        body += "," + extra->second;
      body += index_only && index_drops_entry_modified_at ? std::string("}}") : R"(},"modified_at":")" + ts + R"("})";
    }
    body += "]}";
    return net::Response{200, {{"Content-Type", "application/json"}}, body};
  }
};

}  // namespace feedsync::testing
