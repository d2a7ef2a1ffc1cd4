#include "cms/route_segment.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace feedsync::cms {
namespace {

constexpr std::string_view kRouteSegment = "routeSegment";

bool mentions(std::string_view text, std::string_view word) {
  return ascii_lower(text).find(ascii_lower(word)) != std::string::npos;
}

}  // namespace

bool names_field(const Problem& problem, std::string_view field) {
  return std::any_of(problem.errors.begin(), problem.errors.end(), [&](const FieldError& e) {
    const std::string_view name = e.field;
    const auto dot = name.rfind('.');
    return iequals_ascii(name, field) || (dot != std::string_view::npos && iequals_ascii(name.substr(dot + 1), field));
  });
}

bool refuses_route_segment(const net::Response& response) {
  const bool validation = response.status == 400 || response.status == 422;
  if (!validation && response.status != 409) return false;
  const auto problem = parse_problem(response.body);
  if (!problem) return false;
  if (names_field(*problem, kRouteSegment)) return true;
  return response.status == 409 && mentions(problem->detail, kRouteSegment);
}

std::string deduplicated_route_segment(std::string_view segment, std::string_view key) {
  return std::string(segment) + "-" + std::string(key.substr(0, 6));
}

}  // namespace feedsync::cms
