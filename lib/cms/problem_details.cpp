#include "cms/problem_details.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/strings.hpp"

namespace feedsync::cms {
namespace json = boost::json;

namespace {

constexpr std::size_t kTextLimit = 500;
constexpr std::size_t kMaxFieldErrors = 10;

// A scalar as text: strings as they are, numbers written out ("code": 404 happens).
std::string scalar_text(const json::value* value) {
  if (!value) return {};
  if (value->is_string()) return std::string(value->as_string());
  if (value->is_int64()) return std::to_string(value->as_int64());
  if (value->is_uint64()) return std::to_string(value->as_uint64());
  return {};
}

std::string member_text(const json::object& object, std::string_view name) {
  return scalar_text(object.if_contains(name));
}

std::string first_text(const json::object& object, std::initializer_list<std::string_view> names) {
  for (auto name : names)
    if (auto text = member_text(object, name); !text.empty()) return text;
  return {};
}

// Flat: {"properties.Heading": ["required", ...], "displayName": "too long"}.
void read_error_map(const json::object& map, std::vector<FieldError>& out) {
  for (const auto& [field, messages] : map) {
    if (messages.is_array()) {
      for (const auto& message : messages.as_array())
        if (message.is_string()) out.push_back({std::string(field), std::string(message.as_string())});
    } else if (messages.is_string()) {
      out.push_back({std::string(field), std::string(messages.as_string())});
    } else if (messages.is_object()) {
      out.push_back({std::string(field), first_text(messages.as_object(), {"detail", "message", "title"})});
    }
  }
}

// v1: [{"field": "properties.Heading", "detail": "required"}], tolerating "message"/"name".
void read_error_list(const json::array& list, std::vector<FieldError>& out) {
  for (const auto& item : list) {
    if (item.is_string()) {
      out.push_back({"", std::string(item.as_string())});
      continue;
    }
    if (!item.is_object()) continue;
    const auto& entry = item.as_object();
    out.push_back({first_text(entry, {"field", "name", "property", "pointer"}),
                   first_text(entry, {"detail", "message", "title", "reason"})});
  }
}

std::string cut_line(std::string_view text) {
  auto end = text.find_first_of("\r\n");
  return clip(text.substr(0, end), 200);
}

bool is_text_plain(const net::Response& response) {
  auto type = response.headers.get("Content-Type");
  return type && istarts_with_ascii(*type, "text/plain");
}

}  // namespace

std::string clip(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return std::string(text);
  std::size_t end = limit;
  // Back off continuation bytes so a multi-byte character is never split.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

std::optional<Problem> parse_problem(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& object = parsed.as_object();
  Problem problem;
  problem.type = member_text(object, "type");
  problem.title = member_text(object, "title");
  problem.detail = first_text(object, {"detail", "error_description", "message"});
  problem.code = member_text(object, "code");
  if (const auto* status = object.if_contains("status"); status && status->is_int64())
    problem.status = static_cast<int>(status->as_int64());
  if (const auto* error = object.if_contains("error")) {
    if (error->is_string() && problem.code.empty()) {
      problem.code = std::string(error->as_string());
    } else if (error->is_object()) {
      const auto& inner = error->as_object();
      if (problem.code.empty()) problem.code = member_text(inner, "code");
      if (problem.detail.empty()) problem.detail = first_text(inner, {"message", "detail"});
    }
  }
  if (const auto* errors = object.if_contains("errors")) {
    if (errors->is_object()) read_error_map(errors->as_object(), problem.errors);
    if (errors->is_array()) read_error_list(errors->as_array(), problem.errors);
  }
  if (problem.type.empty() && problem.title.empty() && problem.detail.empty() && problem.code.empty() &&
      problem.errors.empty())
    return std::nullopt;
  return problem;
}

CmsError error_from_response(const net::Response& response, std::string_view context) {
  CmsError error;
  error.kind = kind_of(net::classify_status(response.status));
  error.status = response.status;
  if (auto wait = response.headers.get("Retry-After")) error.retry_after = std::string(*wait);
  std::string message = std::string(context) + ": HTTP " + std::to_string(response.status);
  if (auto problem = parse_problem(response.body)) {
    if (!problem->title.empty()) message += " " + clip(problem->title, kTextLimit);
    if (!problem->detail.empty() && problem->detail != problem->title)
      message += ": " + clip(problem->detail, kTextLimit);
    if (!problem->code.empty()) message += " (code " + clip(problem->code, 100) + ")";
    std::size_t listed = 0;
    for (const auto& field : problem->errors) {
      if (listed++ == kMaxFieldErrors) {
        message += "; and " + std::to_string(problem->errors.size() - kMaxFieldErrors) + " more";
        break;
      }
      message += "; " + (field.field.empty() ? std::string() : clip(field.field, 100) + ": ") +
                 clip(field.message, kTextLimit);
    }
    error.code = std::move(problem->code);
    error.field_errors = std::move(problem->errors);
  } else if (is_text_plain(response) && !response.body.empty()) {
    message += ": " + cut_line(response.body);
  }
  error.message = std::move(message);
  return error;
}

CmsError error_from_failure(const net::Error& failure, std::string_view context) {
  CmsError error;
  error.kind = kind_of(net::classify_error(failure.kind));
  error.transport = true;
  error.message = std::string(context) + ": " + std::string(net::to_string(failure.kind)) + ": " + failure.message;
  return error;
}

}  // namespace feedsync::cms
