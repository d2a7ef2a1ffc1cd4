#pragma once
// Shared pieces of the lib/cms tests: a scripted CMS behind a FakeHttpClient that answers token
// requests by itself (token-1, token-2, ...) and CMS requests from a script, a fake clock, and
// helpers to run coroutines and read JSON bodies.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <deque>
#include <string>
#include <vector>

#include "cms/rest_sink.hpp"
#include "cms/token_source.hpp"
#include "support/fake_clock.hpp"
#include "unit/net/fake_http_client.hpp"
#include "unit/net/retry_test_support.hpp"

namespace feedsync::testing {

inline constexpr const char* kTokenUrl = "https://cms.example.test/_cms/version2/oauth/token";
inline constexpr const char* kFlatBase = "https://cms.example.test/_cms/version2";
inline constexpr const char* kV1Base = "https://api.cms.example.test/v1";
inline constexpr const char* kKey = "6946107a8ad6414f8f1786364dab1ec2";
inline constexpr const char* kContainer = "98eb33cfa7df48d1b987442c522984c8";
inline constexpr const char* kSecret = "s3cret-Value+with/odd=chars";

inline boost::json::object parse_object(const std::string& text) {
  return boost::json::parse(text).as_object();
}

inline net::Response json_reply(int status, const boost::json::value& body,
                                std::string content_type = "application/json") {
  net::Response response{status, {}, boost::json::serialize(body)};
  response.headers.set("Content-Type", std::move(content_type));
  return response;
}

inline net::Response problem_reply(int status, boost::json::object problem) {
  problem["status"] = status;
  return json_reply(status, problem, "application/problem+json");
}

inline cms::TokenOptions test_token_options() {
  cms::TokenOptions options;
  options.token_url = kTokenUrl;
  options.client_id = "feedsync-client";
  options.client_secret = config::Secret(kSecret, "test");
  return options;
}

// The CMS side of a FakeHttpClient: token requests get fresh tokens (unless `token_replies` has
// scripted answers), everything else comes from `replies` in order (then 500).
class ScriptedCms {
 public:
  explicit ScriptedCms(FakeHttpClient& http) {
    http.fallback = [this](const net::Request& request) -> net::Result {
      if (request.url == kTokenUrl) {
        ++token_requests;
        if (!token_replies.empty()) {
          net::Result next = std::move(token_replies.front());
          token_replies.pop_front();
          return next;
        }
        return json_reply(200, {{"access_token", "token-" + std::to_string(token_requests)},
                                {"token_type", "Bearer"},
                                {"expires_in", 300}});
      }
      calls.push_back(request);
      if (replies.empty()) return net::Response{500, {}, "script exhausted"};
      net::Result next = std::move(replies.front());
      replies.pop_front();
      return next;
    };
  }

  void reply(net::Response response) { replies.emplace_back(std::move(response)); }
  void reply(int status) { replies.emplace_back(net::Response{status, {}, {}}); }
  void reply_json(int status, const boost::json::value& body) { replies.emplace_back(json_reply(status, body)); }
  void fail(net::ErrorKind kind) { replies.emplace_back(unexpected(net::Error{kind, "scripted"})); }

  std::deque<net::Result> replies;
  std::deque<net::Result> token_replies;
  std::vector<net::Request> calls;  // CMS requests only
  int token_requests = 0;
};

// A flat-model version record as the service returns it.
inline boost::json::object flat_record(std::string version, std::string status, std::string route = "hello-world") {
  return {{"key", kKey},           {"contentType", "ArticlePage"},
          {"locale", "en"},        {"container", kContainer},
          {"version", version},    {"displayName", "Hello world"},
          {"status", status},      {"routeSegment", route},
          {"properties", {{"Heading", "Hello world"}, {"Body", "<p>Hi</p>"}}}};
}

// The article's document (core/outbox_payload.hpp) for kKey.
inline ArticleDocument sample_document(std::string publish = "immediate") {
  ArticleDocument doc;
  doc.key = kKey;
  doc.content_type = "ArticlePage";
  doc.container = kContainer;
  doc.locale = "en";
  doc.display_name = "Hello world";
  doc.route_segment = "hello-world";
  doc.properties = {{"Heading", "Hello world"}, {"Body", "<p>Hi</p>"}};
  doc.publish = std::move(publish);
  doc.rich_text = {"Body"};
  return doc;
}

inline cms::ArticleRef sample_article() { return {"blog", "guid-1", kKey}; }

inline cms::UpsertRequest upsert_request(bool known, std::string publish = "immediate") {
  return {sample_article(), sample_document(std::move(publish)), known};
}

}  // namespace feedsync::testing
