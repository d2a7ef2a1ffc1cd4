#pragma once
// JSON Merge Patch (RFC 7396), the body format of every CMS PATCH. Pure.

#include <boost/json/value.hpp>

namespace feedsync::sim {

// Applies `patch` to `target` in place: an object patch merges member by member, a null member
// removes that member, anything else (arrays included) replaces the target whole.
void apply_merge_patch(boost::json::value& target, const boost::json::value& patch);

}  // namespace feedsync::sim
