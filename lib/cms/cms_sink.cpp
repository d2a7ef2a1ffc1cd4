#include "cms/cms_sink.hpp"

#include <array>
#include <utility>

namespace feedsync::cms {
namespace {

constexpr std::array<std::pair<WriteStatus, std::string_view>, 12> kNames{{
    {WriteStatus::draft, "draft"},
    {WriteStatus::ready, "ready"},
    {WriteStatus::published, "published"},
    {WriteStatus::scheduled, "scheduled"},
    {WriteStatus::previous, "previous"},
    {WriteStatus::rejected, "rejected"},
    {WriteStatus::in_review, "inReview"},
    {WriteStatus::unknown, "unknown"},
    {WriteStatus::deleted, "deleted"},
    {WriteStatus::absent, "absent"},
    {WriteStatus::restored, "restored"},
    {WriteStatus::not_deleted, "not_deleted"},
}};

}  // namespace

std::string_view to_string(WriteStatus status) {
  for (const auto& [value, name] : kNames)
    if (value == status) return name;
  return "unknown";
}

WriteStatus version_status(std::string_view cms_status) {
  for (const auto& [value, name] : kNames) {
    if (value == WriteStatus::unknown) break;  // the rest are not version statuses
    if (name == cms_status) return value;
  }
  return WriteStatus::unknown;
}

}  // namespace feedsync::cms
