#include "ops/cms_event.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cctype>

#include "core/strings.hpp"

namespace feedsync::ops {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxChallenge = 256;
constexpr std::array<std::string_view, 5> kChallengeFields = {"challenge", "validationCode", "validationToken",
                                                              "verificationToken", "verificationCode"};
constexpr std::array<std::string_view, 4> kTypeFields = {"type", "eventType", "event", "eventName"};

std::string printable(std::string_view text) {
  std::string out(text.substr(0, 64));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

const json::value* at_path(const json::object& object, std::initializer_list<std::string_view> path) {
  const json::object* current = &object;
  const json::value* found = nullptr;
  for (auto name : path) {
    if (current == nullptr) return nullptr;
    found = current->if_contains(name);
    if (found == nullptr) return nullptr;
    current = found->if_object();
  }
  return found;
}

// The event type: a string in one of kTypeFields, or Graph style {"subject","action"}.
std::string event_type(const json::object& object) {
  for (auto field : kTypeFields) {
    const auto* value = object.if_contains(field);
    if (value == nullptr) continue;
    if (value->is_string()) return std::string(value->as_string());
    if (const auto* parts = value->if_object()) {
      std::string joined;
      for (auto part : {"subject", "action"})
        if (const auto* p = parts->if_contains(part); p && p->is_string()) joined += std::string(p->as_string()) + ".";
      if (!joined.empty()) return joined.substr(0, joined.size() - 1);
    }
  }
  return "";
}

// The challenge and the field it came in, from the object or its `data`.
std::optional<std::pair<std::string, std::string>> challenge_of(const json::object& object) {
  for (const json::object* where : {&object, at_path(object, {"data"}) ? at_path(object, {"data"})->if_object() : nullptr}) {
    if (where == nullptr) continue;
    for (auto field : kChallengeFields) {
      const auto* value = where->if_contains(field);
      if (value && value->is_string()) return std::pair{std::string(field), std::string(value->as_string())};
    }
  }
  return std::nullopt;
}

std::optional<std::string> key_of(const json::object& object) {
  static const std::initializer_list<std::string_view> kPaths[] = {
      {"data", "key"}, {"data", "contentKey"}, {"data", "content", "key"}, {"data", "contentLink", "key"},
      {"data", "contentLink", "guidValue"}, {"key"}, {"contentKey"}};
  for (const auto& path : kPaths) {
    const auto* value = at_path(object, path);
    if (value && value->is_string())
      if (auto key = normalize_cms_key(value->as_string())) return key;
  }
  return std::nullopt;
}

CmsEvent verification(std::string field, std::string challenge, json::object answer) {
  CmsEvent event;
  event.kind = CmsEventKind::verification;
  if (auto safe = safe_challenge(challenge)) {
    event.challenge = std::move(*safe);
  } else {
    event.kind = CmsEventKind::malformed;
    event.problem = "the verification challenge is empty, too long or not printable";
    return event;
  }
  event.challenge_field = std::move(field);
  answer.emplace(event.challenge_field, event.challenge);
  event.answer = json::serialize(answer);
  return event;
}

// Azure Event Grid's subscription validation: [{"eventType": "...SubscriptionValidationEvent",
// "data": {"validationCode": "..."}}], answered with {"validationResponse": code}.
std::optional<CmsEvent> event_grid_validation(const json::value& value) {
  const auto* array = value.if_array();
  if (array == nullptr || array->empty() || !array->front().is_object()) return std::nullopt;
  const auto& first = array->front().as_object();
  const auto* type = first.if_contains("eventType");
  if (!type || !type->is_string() || type->as_string() != "Microsoft.EventGrid.SubscriptionValidationEvent")
    return std::nullopt;
  const auto* code = at_path(first, {"data", "validationCode"});
  if (!code || !code->is_string()) return std::nullopt;
  auto event = verification("validationCode", std::string(code->as_string()),
                            json::object{{"validationResponse", code->as_string()}});
  event.event = "Microsoft.EventGrid.SubscriptionValidationEvent";
  return event;
}

}  // namespace

std::optional<std::string> normalize_cms_key(std::string_view text) {
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') text = text.substr(1, text.size() - 2);
  std::array<char, 32> key{};
  std::size_t n = 0;
  for (char c : text) {
    if (c == '-') continue;
    if (n == key.size() || !std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    key[n++] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (n != key.size()) return std::nullopt;
  return std::string(key.data(), key.size());
}

std::optional<std::string> safe_challenge(std::string_view value) {
  if (value.empty() || value.size() > kMaxChallenge) return std::nullopt;
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return std::nullopt;
  return std::string(value);
}

CmsEvent read_cms_event(std::string_view body) {
  CmsEvent event;
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  const json::value value = json::parse(body, ec, {}, options);
  if (ec) {
    event.problem = "the body is not JSON (" + ec.message() + ")";
    return event;
  }
  if (auto grid = event_grid_validation(value)) return *grid;
  const auto* object = value.if_object();
  if (object == nullptr) {
    event.problem = "the body is not a JSON object";
    return event;
  }
  const std::string type = event_type(*object);
  const std::string lower = ascii_lower(type);
  const bool says_verification = lower.find("verif") != std::string::npos || lower.find("validat") != std::string::npos;
  if (auto challenge = challenge_of(*object); challenge && (says_verification || type.empty() || challenge->first == "challenge")) {
    auto answer = verification(challenge->first, challenge->second,
                               json::object{{"challenge", challenge->second}, {"validationResponse", challenge->second}});
    answer.event = printable(type);
    return answer;
  }
  event.event = printable(type);
  const bool publish = lower.find("publish") != std::string::npos && lower.find("unpublish") == std::string::npos;
  event.kind = publish ? CmsEventKind::publish : CmsEventKind::other;
  if (publish) event.cms_key = key_of(*object);
  return event;
}

}  // namespace feedsync::ops
