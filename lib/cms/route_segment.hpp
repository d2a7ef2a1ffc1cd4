#pragma once
// Route segments another item holds (issue 16): how the CMS says so, and the segment written
// instead. Pure.

#include <string>
#include <string_view>

#include "cms/problem_details.hpp"
#include "net/http.hpp"

namespace feedsync::cms {

// Whether `problem` has a field error naming `field`, case-insensitively, at the top level or
// as the last part of a nested name (v1 names a create's version fields
// "initialVersion.routeSegment").
bool names_field(const Problem& problem, std::string_view field);

// Whether the CMS refused a write because another item holds its route segment: a validation
// answer (400, 422) with a field error naming routeSegment, or a 409 Conflict that names
// routeSegment in a field error or its detail. (A service may answer a taken segment either way;
// a 409 on create that does not name it means the content key exists.)
bool refuses_route_segment(const net::Response& response);

// The segment written instead of a taken one: `segment` with a suffix from the content key, so
// that every retry, every process and every later version of the item picks the same one.
std::string deduplicated_route_segment(std::string_view segment, std::string_view key);

}  // namespace feedsync::cms
