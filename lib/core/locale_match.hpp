#pragma once
// Which CMS locale an article goes to, from its lang_code and the feed's `locale_map` (issue 17).
// CMP writes lang_code as "en" in the Feed API sample and as "eng" or "en_US" elsewhere, and an
// integrator may key the map either way, so codes are compared ignoring case, with `_` and `-`
// the same; then:
//   1. an exact entry always wins;
//   2. a code with a region ("en_US", "en-us") falls back to the entry of its language ("en");
//   3. a bare language ("en") falls back to the one entry of that language with a region
//      ("en-US" or "en_US"); two or more such entries are ambiguous, never a guess.
// Pure: no I/O; the caller turns a miss into an error naming the feed and the article.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace feedsync {

// "EN_us" -> "en-us": the form codes are compared in.
std::string normalized_lang_code(std::string_view code);

struct LocaleMiss {
  enum class Kind {
    not_mapped,  // no entry matches, exactly or by fallback
    ambiguous,   // a bare language and several entries of it with a region, none without
  };
  Kind kind = Kind::not_mapped;
  // The configured keys (as written) the message should name: every key when not_mapped, the
  // competing keys when ambiguous.
  std::vector<std::string> keys;
};

// `locale_map`: lang_code as configured -> CMS locale. Returns the CMS locale.
Expected<std::string, LocaleMiss> resolve_locale(const std::map<std::string, std::string>& locale_map,
                                                 std::string_view lang_code);

}  // namespace feedsync
