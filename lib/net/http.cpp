#include "net/http.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace feedsync::net {

std::string_view to_string(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
  }
  return "GET";
}

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_url: return "invalid_url";
    case ErrorKind::resolve: return "resolve";
    case ErrorKind::connect: return "connect";
    case ErrorKind::tls: return "tls";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::body_too_large: return "body_too_large";
    case ErrorKind::truncated: return "truncated";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::proxy: return "proxy";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::circuit_open: return "circuit_open";
    case ErrorKind::cancelled: return "cancelled";
  }
  return "protocol";
}

void Headers::set(std::string_view name, std::string value) {
  std::erase_if(items_, [&](const Header& h) { return iequals_ascii(h.name, name); });
  items_.push_back({std::string(name), std::move(value)});
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& h : items_)
    if (iequals_ascii(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

bool Request::is_idempotent() const {
  if (idempotent) return *idempotent;
  return method == Method::get || method == Method::head || method == Method::put ||
         method == Method::delete_;
}

}  // namespace feedsync::net
