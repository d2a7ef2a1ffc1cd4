#include "engine/translations.hpp"

#include <algorithm>

namespace feedsync::engine {

std::string locale_map_line(const config::FeedConfig& feed) {
  // The map's first entry (by line): the map itself starts just above it.
  const config::SourcePos* first = nullptr;
  for (const auto& [code, pos] : feed.positions.locale_map)
    if (pos.line > 0 && (first == nullptr || pos.line < first->line)) first = &pos;
  if (first == nullptr) return "";
  return first->file + ":" + std::to_string(first->line);
}

std::string with_locale_map_line(const config::FeedConfig& feed, const std::vector<MappingError>& errors) {
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e.message;
  if (feed.translations != config::Translations::group) return message;
  const bool about_locale =
      std::any_of(errors.begin(), errors.end(), [](const MappingError& e) { return e.field == "locale_map"; });
  const std::string where = locale_map_line(feed);
  if (about_locale && !where.empty())
    message += " (feeds[" + feed.name + "].locale_map at " + where + ": map the lang_code to an enabled locale)";
  return message;
}

std::string locale_clash_message(const config::FeedConfig& feed, const std::string& guid, const std::string& locale,
                                 const std::string& group_id, const std::string& holder) {
  std::string message = "feed " + feed.name + ", article " + guid + ": its lang_code maps to locale " + locale +
                        ", which article " + holder + " of the same group (group_id " + group_id +
                        ") already holds; one CMS item has one version per locale";
  const std::string where = locale_map_line(feed);
  if (!where.empty()) message += " (feeds[" + feed.name + "].locale_map at " + where + ")";
  return message;
}

}  // namespace feedsync::engine
