#include "sim/cms_merge_patch.hpp"

#include <boost/json/object.hpp>

namespace feedsync::sim {

void apply_merge_patch(boost::json::value& target, const boost::json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = boost::json::object();
  auto& object = target.as_object();
  for (const auto& [name, value] : patch.as_object()) {
    if (value.is_null()) {
      object.erase(name);
    } else {
      apply_merge_patch(object[name], value);  // a missing member starts as null: replaced
    }
  }
}

}  // namespace feedsync::sim
