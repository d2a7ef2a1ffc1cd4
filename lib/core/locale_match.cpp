#include "core/locale_match.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace feedsync {

std::string normalized_lang_code(std::string_view code) {
  std::string out = ascii_lower(code);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

Expected<std::string, LocaleMiss> resolve_locale(const std::map<std::string, std::string>& locale_map,
                                                 std::string_view lang_code) {
  const std::string wanted = normalized_lang_code(lang_code);
  const std::size_t subtag = wanted.find('-');
  const std::string language = wanted.substr(0, subtag);
  const std::string* fallback = nullptr;  // rule 2: the language's own entry
  std::vector<const std::pair<const std::string, std::string>*> regional;  // rule 3 candidates
  for (const auto& entry : locale_map) {
    const std::string key = normalized_lang_code(entry.first);
    if (key == wanted) return entry.second;  // rule 1
    if (subtag != std::string::npos && key == language) fallback = &entry.second;
    if (subtag == std::string::npos && key.size() > wanted.size() + 1 && key.starts_with(wanted + "-")) {
      regional.push_back(&entry);
    }
  }
  if (fallback) return *fallback;
  if (regional.size() == 1) return regional.front()->second;
  LocaleMiss miss;
  if (regional.size() > 1) {
    miss.kind = LocaleMiss::Kind::ambiguous;
    for (const auto* entry : regional) miss.keys.push_back(entry->first);
  } else {
    for (const auto& entry : locale_map) miss.keys.push_back(entry.first);
  }
  return unexpected(std::move(miss));
}

}  // namespace feedsync
