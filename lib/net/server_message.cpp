#include "net/server_message.hpp"

namespace feedsync::net {

std::optional<std::string_view> ParamList::get(std::string_view name) const {
  for (const auto& item : items_)
    if (item.name == name) return std::string_view(item.value);
  return std::nullopt;
}

std::vector<std::string_view> ParamList::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& item : items_)
    if (item.name == name) out.emplace_back(item.value);
  return out;
}

ServerResponse ServerResponse::text(int status, std::string body, std::string content_type) {
  ServerResponse response;
  response.status = status;
  response.headers.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

ServerResponse ServerResponse::json(int status, std::string body) {
  return text(status, std::move(body), "application/json");
}

}  // namespace feedsync::net
