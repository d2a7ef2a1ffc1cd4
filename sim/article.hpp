#pragma once
// One simulated CMP article: its content object exactly as Feed API v2 serves it, plus the
// placement data the feed needs (which feed position, entry-level timestamps). Also the
// deterministic generator behind `--generate N --seed S` and the defaults that complete a
// partial article posted to the control API.

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace feedsync::sim {

struct Article {
  std::string guid;
  // Every content field, serialized as-is. content["modified_at"] always renders modified_ms.
  boost::json::object content;
  std::int64_t content_modified_ms = 0;
  // Entry level: when the article was placed in its current feed and when that placement last
  // changed (moves and edits). The real service's two timestamps differ; clients must read both.
  std::int64_t entry_created_ms = 0;
  std::int64_t entry_modified_ms = 0;
  // Global publish sequence: greater = published later = nearer the top of sort_by=position.
  std::uint64_t position = 0;
  std::string pixel_key;
  // The serialized content, rebuilt after every change: a full page is then a concatenation.
  std::string content_json;

  // Re-derives pixel_key and content_json from `content`. Call after every change.
  void refresh();
};

// The feed's timestamp resolution: whole seconds, like the real service, so two edits within one
// second share a modified_at there too (tests advance the simulated clock instead of sleeping).
inline std::int64_t to_feed_precision(std::int64_t unix_ms) {
  return unix_ms - ((unix_ms % 1000) + 1000) % 1000;
}

struct UrlBases {
  std::string pixel = "https://pixel.optimizely.com/px.gif";
  std::string images = "https://img.optimizely.com";
};

std::string base64_encode(std::string_view bytes);
// base64 of "article=<guid>", as the feed's pixel_key and the nc_pixel image carry it.
std::string pixel_key_for(std::string_view guid);
// The 1x1 tracking image the real feed appends to every description.
std::string pixel_img_html(const UrlBases& bases, std::string_view pixel_key);

// Guids as CMP writes them: 32 lower-case hex digits. Posted articles may use any 1..64 letters
// and digits (the documented sample itself is not hex).
bool valid_guid(std::string_view guid);

// Article number `index` of the stream for `seed`: the same (seed, index) always gives the same
// guid and text. Timestamps: created = published = modified = `at_ms`.
boost::json::object generate_content(std::uint64_t seed, std::uint64_t index, std::int64_t at_ms,
                                     const UrlBases& bases);

// Translations (issue 23): the lang_codes of a generated group, in order; at most this many
// languages.
inline constexpr const char* kTranslationLangCodes[] = {"en", "de", "fr", "es", "it", "nl", "pt", "sv"};
inline constexpr std::size_t kMaxTranslationLanguages = std::size(kTranslationLangCodes);
// Article `index` of a stream cut into groups of `languages`: generate_content's article, made
// translation index % languages of group index / languages: the group's group_id (the same for
// every member, derived from the seed and the group) and title (the group's first article's), its
// own lang_code. languages 1 leaves it as generate_content made it.
boost::json::object generate_translation(std::uint64_t seed, std::uint64_t index, std::size_t languages,
                                         std::int64_t at_ms, const UrlBases& bases);

// Fills every field the posted (possibly partial) content lacks: a generated article for its
// guid (a fresh random-looking one when absent), timestamps `now_ms`. Explicit values win,
// including nulls. Errors (400 material): guid not valid, a timestamp that is not RFC 3339.
Expected<boost::json::object, std::string> complete_content(boost::json::object posted,
                                                            std::uint64_t fresh_guid_number,
                                                            std::int64_t now_ms,
                                                            const UrlBases& bases);

}  // namespace feedsync::sim
