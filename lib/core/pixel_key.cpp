#include "core/pixel_key.hpp"

#include <boost/url/parse.hpp>

namespace feedsync {

std::optional<std::string> normalize_pixel_key(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.starts_with("http://") || value.starts_with("https://")) {
    auto url = boost::urls::parse_absolute_uri(value);
    if (!url) return std::nullopt;
    auto params = url->params();  // decoded view: "%3D%3D" comes back as "=="
    auto it = params.find("key");
    if (it == params.end() || (*it).value.empty()) return std::nullopt;
    return std::string((*it).value);
  }
  return std::string(value);
}

}  // namespace feedsync
