#include "cms/webhook_subscription.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "cms/problem_details.hpp"
#include "core/strings.hpp"

namespace feedsync::cms {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

const json::array* definitions_array(const json::value& value) {
  if (const auto* array = value.if_array()) return array;
  if (const auto* object = value.if_object()) {
    for (const char* field : {"items", "value", "data"})
      if (const auto* inner = object->if_contains(field); inner && inner->is_array()) return &inner->as_array();
  }
  return nullptr;
}

std::string definition_name(const json::value& item) {
  if (item.is_string()) return std::string(item.as_string());
  if (const auto* object = item.if_object()) {
    for (const char* field : {"key", "name", "eventType", "type", "id"})
      if (const auto* v = object->if_contains(field); v && v->is_string()) return std::string(v->as_string());
  }
  return "";
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Expected<std::vector<std::string>, std::string> publish_event_types(std::string_view definitions_json) {
  boost::system::error_code ec;
  const auto value = json::parse(definitions_json, ec);
  if (ec) return unexpected("the webhook definitions are not JSON (" + ec.message() + ")");
  const auto* items = definitions_array(value);
  if (items == nullptr) return unexpected(std::string("the webhook definitions are not a list"));
  std::vector<std::string> types;
  for (const auto& item : *items) {
    const std::string name = definition_name(item);
    const std::string lower = ascii_lower(name);
    if (lower.find("publish") != std::string::npos && lower.find("unpublish") == std::string::npos)
      types.push_back(name);
  }
  return types;
}

std::string webhook_subscription_body(const WebhookSubscription& s) {
  json::array events;
  for (const auto& type : s.event_types) events.emplace_back(type);
  json::object body{{"name", s.name},
                    {"description", s.description},
                    {"active", true},
                    {"endpointUrl", s.endpoint_url},
                    {"eventTypes", events}};
  if (!s.token.empty()) body["authenticationToken"] = s.token;
  return json::serialize(body);
}

std::string webhook_subscription_curl(std::string_view base_url, const WebhookSubscription& s) {
  constexpr std::string_view kPlaceholder = "\"@WEBHOOK_TOKEN@\"";
  WebhookSubscription shown = s;
  shown.token = "@WEBHOOK_TOKEN@";
  std::string body = webhook_subscription_body(shown);
  // Inside the single-quoted body the token comes from the shell: close the quotes around it.
  if (auto at = body.find(kPlaceholder); at != std::string::npos)
    body.replace(at, kPlaceholder.size(), "\"'\"$CMS_WEBHOOK_TOKEN\"'\"");
  return "curl -sS -X POST " + shell_quote(cms_url(base_url, {"experimental", "webhooks"})) +
         " \\\n  -H \"Authorization: Bearer $CMS_TOKEN\" -H 'Content-Type: application/json' \\\n  -d '" + body + "'";
}

asio::awaitable<Expected<std::vector<std::string>, CmsError>> WebhookRegistrar::publish_event_types() {
  net::Request request;
  request.url = cms_url(base_url_, {"experimental", "webhookdefinitions"});
  const std::string ctx = "CMS GET " + request.url;
  auto reply = co_await transport_.send(std::move(request), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (!is_2xx(reply->status)) co_return unexpected(error_from_response(*reply, ctx));
  auto types = cms::publish_event_types(reply->body);
  if (!types) co_return unexpected(make_error(CmsErrorKind::permanent, ctx + ": " + types.error(), reply->status));
  co_return std::move(*types);
}

asio::awaitable<Expected<std::string, CmsError>> WebhookRegistrar::create(WebhookSubscription subscription) {
  net::Request request;
  request.method = net::Method::post;
  request.url = cms_url(base_url_, {"experimental", "webhooks"});
  request.headers.set("Content-Type", "application/json");
  request.body = webhook_subscription_body(subscription);
  const std::string ctx = "CMS POST " + request.url;
  auto reply = co_await transport_.send(std::move(request), ctx);
  if (!reply) co_return unexpected(std::move(reply.error()));
  if (!is_2xx(reply->status)) co_return unexpected(error_from_response(*reply, ctx));
  co_return std::move(reply->body);
}

}  // namespace feedsync::cms
