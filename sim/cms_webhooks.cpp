#include "sim/cms_webhooks.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

#include "core/time.hpp"
#include "sim/cms_http.hpp"
#include "sim/cms_sim.hpp"
#include "sim/control_util.hpp"

namespace feedsync::sim {
namespace json = boost::json;
using net::Method;
using net::ServerRequest;
using net::ServerResponse;

namespace {

constexpr std::array<const char*, 4> kEventTypes = {"content.published", "content.unpublished", "content.created",
                                                    "content.deleted"};

std::string hex_id(std::uint64_t n) {
  static constexpr const char* kHex = "0123456789abcdef";
  std::mt19937_64 random(n * 7919 + 17);
  std::string id;
  for (int i = 0; i < 32; ++i) id += kHex[random() % 16];
  return id;
}

json::object subscription_json(const CmsWebhooks::Subscription& s) {
  json::array types;
  for (const auto& t : s.event_types) types.emplace_back(t);
  return json::object{{"id", s.id},         {"name", s.name},        {"endpointUrl", s.endpoint_url},
                      {"eventTypes", types}, {"status", s.status},    {"active", s.status == "active"},
                      {"hasAuthenticationToken", !s.token.empty()}};
}

ServerResponse problem(int status, std::string detail, std::string field = {}) {
  CmsProblem p = cms_problem(status, std::move(detail));
  if (!field.empty()) p.errors.push_back({std::move(field), p.detail});
  return problem_response(p, CmsDialect::v1);
}

// The subscription a POST body describes, or the 400 naming the field.
Expected<CmsWebhooks::Subscription, ServerResponse> read_subscription(const ServerRequest& r) {
  auto body = read_json_object(r, "application/json");
  if (!body) return unexpected(problem_response(body.error(), CmsDialect::v1));
  CmsWebhooks::Subscription s;
  const auto* url = body->if_contains("endpointUrl");
  if (!url || !url->is_string()) return unexpected(problem(400, "endpointUrl is required", "endpointUrl"));
  s.endpoint_url = std::string(url->get_string());
  const auto parsed = boost::urls::parse_absolute_uri(s.endpoint_url);
  if (!parsed || (parsed->scheme() != "https" && parsed->scheme() != "http"))
    return unexpected(problem(400, "endpointUrl must be an absolute http(s) URL", "endpointUrl"));
  const auto* types = body->if_contains("eventTypes");
  if (!types || !types->is_array() || types->get_array().empty())
    return unexpected(problem(400, "eventTypes must list at least one event type", "eventTypes"));
  for (const auto& t : types->get_array()) {
    const bool known = t.is_string() && std::any_of(kEventTypes.begin(), kEventTypes.end(),
                                                     [&](const char* k) { return t.get_string() == k; });
    if (!known) return unexpected(problem(400, "unknown event type " + json::serialize(t), "eventTypes"));
    s.event_types.emplace_back(t.get_string());
  }
  if (const auto* name = body->if_contains("name"); name && name->is_string()) s.name = std::string(name->get_string());
  if (const auto* token = body->if_contains("authenticationToken"); token && token->is_string())
    s.token = std::string(token->get_string());
  return s;
}

// Whether the endpoint's answer to a verification carries the challenge.
bool echoed(const WebhookDelivery& answer, const std::string& challenge) {
  if (answer.status != 200) return false;
  if (answer.response_body == challenge) return true;
  boost::system::error_code ec;
  const auto value = json::parse(answer.response_body, ec);
  if (ec || !value.is_object()) return false;
  for (const char* field : {"challenge", "validationResponse"})
    if (const auto* v = value.get_object().if_contains(field); v && v->is_string() && v->get_string() == challenge)
      return true;
  return false;
}

}  // namespace

const char* to_string(CmsWebhookVerification mode) {
  switch (mode) {
    case CmsWebhookVerification::challenge: return "challenge";
    case CmsWebhookVerification::event_grid: return "event-grid";
    case CmsWebhookVerification::none: return "none";
  }
  return "?";
}

CmsWebhooks::CmsWebhooks(CmsSim& cms, WebhookSender& sender, std::string v1_base, CmsWebhookVerification verification)
    : cms_(cms), sender_(sender), v1_base_(std::move(v1_base)), verification_(verification) {}

json::array CmsWebhooks::subscriptions_json() const {
  json::array out;
  for (const auto& s : subscriptions_) out.push_back(subscription_json(s));
  return out;
}

struct CmsWebhookRoutes {
  // Sends the verification of the configured kind; true when the endpoint passed it.
  static boost::asio::awaitable<bool> verify(std::shared_ptr<CmsWebhooks> self, CmsWebhooks::Subscription s) {
    if (self->verification_ == CmsWebhookVerification::none) co_return true;
    const std::string challenge = hex_id(self->next_event_++ + 1'000'000);
    std::string body;
    if (self->verification_ == CmsWebhookVerification::event_grid) {
      body = json::serialize(json::array{json::object{
          {"id", hex_id(self->next_event_++)},
          {"eventType", "Microsoft.EventGrid.SubscriptionValidationEvent"},
          {"data", json::object{{"validationCode", challenge}}}}});
    } else {
      body = json::serialize(json::object{{"type", "webhook.verification"}, {"challenge", challenge}});
    }
    net::Headers headers;
    if (!s.token.empty()) headers.set("Authorization", "Bearer " + s.token);
    auto sending = self->sender_.send("cms", "webhook.verification", s.endpoint_url, std::move(headers), body);
    const auto answer = co_await std::move(sending);
    co_return echoed(answer, challenge);
  }

  static boost::asio::awaitable<ServerResponse> create(std::shared_ptr<CmsWebhooks> self, ServerRequest r) {
    if (auto refused = self->cms_.refuse_unauthenticated(r)) co_return *refused;
    auto subscription = read_subscription(r);
    if (!subscription) co_return subscription.error();
    subscription->id = hex_id(self->next_id_++);
    auto verifying = verify(self, *subscription);
    subscription->status = co_await std::move(verifying) ? "active" : "verificationFailed";
    self->subscriptions_.push_back(*subscription);
    co_return json_response(201, subscription_json(*subscription));
  }

  static ServerResponse definitions() {
    json::array items;
    for (const char* type : kEventTypes) items.push_back(json::object{{"key", type}, {"name", type}});
    return json_response(200, json::object{{"items", items}});
  }

  static ServerResponse remove(CmsWebhooks& self, const ServerRequest& r) {
    const std::string id(r.params.get("id").value_or(""));
    const auto before = self.subscriptions_.size();
    std::erase_if(self.subscriptions_, [&](const auto& s) { return s.id == id; });
    if (self.subscriptions_.size() == before) return problem(404, "no webhook " + id);
    return empty_response(204);
  }
};

void CmsWebhooks::add_routes(const RouteSink& sink) {
  auto self = shared_from_this();
  auto sync = [self](auto f) {
    return [self, f](ServerRequest r) -> boost::asio::awaitable<ServerResponse> {
      if (auto refused = self->cms_.refuse_unauthenticated(r)) return control::ready(std::move(*refused));
      return control::ready(f(*self, r));
    };
  };
  const std::string base = v1_base_ + "/experimental";
  sink(Method::get, base + "/webhookdefinitions", "cms",
       sync([](CmsWebhooks&, const ServerRequest&) { return CmsWebhookRoutes::definitions(); }));
  sink(Method::get, base + "/webhooks", "cms", sync([](CmsWebhooks& w, const ServerRequest&) {
         return json_response(200, json::object{{"items", w.subscriptions_json()}});
       }));
  sink(Method::post, base + "/webhooks", "cms",
       [self](ServerRequest r) { return CmsWebhookRoutes::create(self, std::move(r)); });
  sink(Method::delete_, base + "/webhooks/{id}", "cms", sync(&CmsWebhookRoutes::remove));
}

void CmsWebhooks::published(const std::string& key, const std::string& locale, const std::string& version) {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& s : subscriptions_) {
    if (s.status != "active") continue;
    if (std::find(s.event_types.begin(), s.event_types.end(), "content.published") == s.event_types.end()) continue;
    const auto body = json::serialize(json::object{
        {"id", hex_id(next_event_++)},
        {"type", "content.published"},
        {"timestamp", format_rfc3339_ms(now)},
        {"data", json::object{{"key", key}, {"locale", locale}, {"version", version}}}});
    net::Headers headers;
    if (!s.token.empty()) headers.set("Authorization", "Bearer " + s.token);
    sender_.post("cms", "content.published", s.endpoint_url, std::move(headers), body);
  }
}

}  // namespace feedsync::sim
