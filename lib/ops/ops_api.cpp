#include "ops/ops_api.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/crypto.h>

#include <functional>
#include <utility>
#include <vector>

#include "core/canonical_json.hpp"
#include "log/log.hpp"

namespace feedsync::ops {

namespace asio = boost::asio;
using net::ServerRequest;
using net::ServerResponse;

namespace {

// Every handler here computes its answer synchronously; the router wants a coroutine. This one
// takes its argument by value (GCC 12 rules, server_message.hpp) and is what the plain,
// non-coroutine lambdas below return.
asio::awaitable<ServerResponse> ready(ServerResponse response) { co_return response; }

template <class F>
net::Handler plain(F f) {
  return [f = std::move(f)](ServerRequest r) { return ready(f(std::move(r))); };
}

ServerResponse text(int status, std::string body) {
  ServerResponse response = ServerResponse::text(status, std::move(body));
  // Health and status answers describe this moment: a cached one is a wrong one.
  response.headers.set("Cache-Control", "no-store");
  return response;
}

ServerResponse json_message(int status, std::string_view message) {
  ServerResponse response =
      ServerResponse::json(status, boost::json::serialize(boost::json::object{{"message", message}}));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

// The router's own 404 body: a disabled admin API must look like no API at all.
ServerResponse not_found() { return text(404, "Not Found\n"); }

// Backend text goes into a line-oriented body: a control character must not start a new line.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

std::string feed(const ServerRequest& r) { return std::string(r.params.get("name").value_or("")); }

bool verbose(const ServerRequest& r) {
  auto v = r.query.get("verbose");
  return v && *v != "0" && *v != "false";
}

// The token after "Bearer " (scheme case-insensitive, RFC 7235), or nullopt.
std::optional<std::string_view> bearer_token(const net::Headers& headers) {
  auto value = headers.get("Authorization");
  if (!value) return std::nullopt;
  std::string_view v = *value;
  constexpr std::string_view scheme = "bearer";
  if (v.size() <= scheme.size() || v[scheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if ((v[i] | 0x20) != scheme[i]) return std::nullopt;
  v.remove_prefix(scheme.size());
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return v;
}

// feed / guid for POST /retry from the query and an optional JSON object body. Unknown names
// are refused: a typo such as `fed=blog` must not silently retry every feed's dead letters.
struct RetryScope {
  std::optional<std::string> feed, guid;
  std::string error;  // non-empty: answer 400 with it
};

void set_scope_field(RetryScope& scope, std::string_view name, std::string value) {
  auto& slot = name == "feed" ? scope.feed : scope.guid;
  if (value.empty()) scope.error = std::string(name) + " must not be empty";
  else if (slot && *slot != value) scope.error = std::string(name) + " given twice with different values";
  else slot = std::move(value);
}

RetryScope parse_retry_scope(const ServerRequest& r) {
  RetryScope scope;
  for (const auto& item : r.query) {
    if (item.name != "feed" && item.name != "guid") {
      scope.error = "unknown parameter \"" + one_line(item.name) + "\" (expected feed, guid)";
      return scope;
    }
    set_scope_field(scope, item.name, item.value);
    if (!scope.error.empty()) return scope;
  }
  if (r.body.find_first_not_of(" \t\r\n") == std::string::npos) return scope;
  boost::system::error_code ec;
  const auto body = boost::json::parse(r.body, ec);
  if (ec || !body.is_object()) {
    scope.error = "body must be a JSON object like {\"feed\": \"blog\", \"guid\": \"...\"}";
    return scope;
  }
  for (const auto& [key, value] : body.as_object()) {
    if (key != "feed" && key != "guid") {
      scope.error = "unknown field \"" + one_line(key) + "\" (expected feed, guid)";
      return scope;
    }
    if (value.is_null()) continue;
    if (!value.is_string()) {
      scope.error = std::string(key) + " must be a string";
      return scope;
    }
    set_scope_field(scope, key, std::string(value.as_string()));
    if (!scope.error.empty()) return scope;
  }
  return scope;
}

}  // namespace

bool token_matches(std::string_view presented, std::string_view expected_digest) {
  // Both sides are 64 hex characters whatever the token lengths, so CRYPTO_memcmp's fixed-time
  // loop sees equal lengths and the comparison leaks neither length nor a matching prefix.
  const std::string digest = sha256_hex(presented);
  return expected_digest.size() == digest.size() &&
         CRYPTO_memcmp(digest.data(), expected_digest.data(), digest.size()) == 0;
}

OpsApi::OpsApi(OpsBackend& backend, const std::optional<config::Secret>& admin_token)
    : backend_(backend) {
  set_admin_token(admin_token);
}

void OpsApi::set_admin_token(const std::optional<config::Secret>& admin_token) {
  if (admin_token && !admin_token->empty()) token_digest_ = sha256_hex(admin_token->reveal());
  else token_digest_.reset();
}

struct OpsApi::Impl {
  // What an admin action concerns, for its audit log line: the path's feed and guid unless the
  // action says otherwise (POST /retry takes them from the query or body).
  struct Scope {
    std::string feed, guid;
  };
  using Action = std::function<AdminResult(const ServerRequest&, Scope&)>;

  static ServerResponse readiness(const OpsApi& api, const ServerRequest& r, std::string_view probe) {
    const auto checks = api.backend_.readiness();
    bool ok = true;
    for (const auto& c : checks) ok = ok && c.ok;
    std::string body;
    if (verbose(r)) {
      for (const auto& c : checks) {
        body += (c.ok ? "[+]" : "[-]") + one_line(c.name) + (c.ok ? " ok" : " failed");
        if (!c.ok && !c.detail.empty()) body += ": " + one_line(c.detail);
        body += '\n';
      }
      body += std::string(probe) + (ok ? " check passed\n" : " check failed\n");
    } else if (ok) {
      body = "ok\n";
    } else {
      for (const auto& c : checks)
        if (!c.ok) body += one_line(c.name) + ": " + (c.detail.empty() ? "failed" : one_line(c.detail)) + '\n';
    }
    return text(ok ? 200 : 503, std::move(body));
  }

  // The auth gate every admin route goes through before the backend sees the request.
  static ServerResponse admin(OpsApi& api, const ServerRequest& r, std::string_view action,
                              const Action& run) {
    if (!api.token_digest_) return not_found();
    const auto presented = bearer_token(r.headers);
    if (!presented || !token_matches(*presented, *api.token_digest_)) {
      log::warn("admin request refused", {{"reason", presented ? "wrong token" : "no bearer token"},
                                          {"action", std::string(action)},
                                          {"peer", r.peer}});
      ServerResponse response = json_message(401, "a valid admin bearer token is required");
      response.headers.set("WWW-Authenticate", presented
                                                   ? "Bearer realm=\"feedsync\", error=\"invalid_token\""
                                                   : "Bearer realm=\"feedsync\"");
      return response;
    }
    Scope scope{feed(r), std::string(r.params.get("guid").value_or(""))};
    const AdminResult result = run(r, scope);
    log::info("admin request", {{"action", std::string(action)},
                                {"feed", std::move(scope.feed)},
                                {"guid", std::move(scope.guid)},
                                {"status", std::to_string(result.status)},
                                {"peer", r.peer}});
    return json_message(result.status, one_line(result.message));
  }

  static void add_admin(OpsApi& api, net::Router& router, std::string_view pattern,
                        std::string_view action, Action run) {
    router.post(pattern, plain([&api, action = std::string(action), run = std::move(run)](ServerRequest r) {
                  return admin(api, r, action, run);
                }));
  }
};

void OpsApi::add_routes(net::Router& router) {
  router.get("/livez", plain([this](ServerRequest) {
               if (auto problem = backend_.liveness_problem()) return text(503, *problem + "\n");
               return text(200, "ok\n");
             }));
  router.get("/readyz", plain([this](ServerRequest r) { return Impl::readiness(*this, r, "readyz"); }));
  router.get("/healthz", plain([this](ServerRequest r) { return Impl::readiness(*this, r, "healthz"); }));
  router.get("/metrics", plain([this](ServerRequest) {
               ServerResponse response = text(200, backend_.metrics_text());
               response.headers.set("Content-Type", std::string(kMetricsContentType));
               return response;
             }));
  router.get("/status", plain([this](ServerRequest) {
               ServerResponse response = ServerResponse::json(200, backend_.status_json());
               response.headers.set("Cache-Control", "no-store");
               return response;
             }));

  OpsBackend& b = backend_;
  Impl::add_admin(*this, router, "/feeds/{name}/sync", "sync",
                  [&b](const ServerRequest& r, Impl::Scope&) { return b.trigger_sync(feed(r)); });
  Impl::add_admin(*this, router, "/feeds/{name}/pause", "pause",
                  [&b](const ServerRequest& r, Impl::Scope&) { return b.pause(feed(r)); });
  Impl::add_admin(*this, router, "/feeds/{name}/resume", "resume",
                  [&b](const ServerRequest& r, Impl::Scope&) { return b.resume(feed(r)); });
  Impl::add_admin(*this, router, "/feeds/{name}/approve-deletes", "approve-deletes",
                  [&b](const ServerRequest& r, Impl::Scope&) { return b.approve_deletes(feed(r)); });
  Impl::add_admin(*this, router, "/feeds/{name}/resync", "resync",
                  [&b](const ServerRequest& r, Impl::Scope&) { return b.resync(feed(r), std::nullopt); });
  Impl::add_admin(*this, router, "/feeds/{name}/articles/{guid}/resync", "resync",
                  [&b](const ServerRequest& r, Impl::Scope&) {
                    return b.resync(feed(r), std::string(r.params.get("guid").value_or("")));
                  });
  Impl::add_admin(*this, router, "/retry", "retry", [&b](const ServerRequest& r, Impl::Scope& logged) {
    auto scope = parse_retry_scope(r);
    if (!scope.error.empty()) return AdminResult{400, scope.error};
    logged = {scope.feed.value_or(""), scope.guid.value_or("")};
    return b.retry(scope.feed, scope.guid);
  });
}

}  // namespace feedsync::ops
