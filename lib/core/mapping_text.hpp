#pragma once
// Text helpers of the field mapping that know about UTF-8 but need no Unicode database: the
// slug and truncate transforms, and the code point encoder the HTML helpers share. Pure.
//
// Strings from Boost.JSON are valid UTF-8 (its parser rejects anything else), but these helpers
// also accept arbitrary bytes: an invalid sequence counts as one U+FFFD code point.

#include <cstddef>
#include <string>
#include <string_view>

namespace feedsync::mapping {

// Decodes the code point starting at `pos` and advances `pos` past it (by 1 on invalid input,
// which yields U+FFFD).
char32_t next_code_point(std::string_view text, std::size_t& pos);
// Appends `cp` as UTF-8; surrogates and values past U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// A URL path segment from free text:
// - ASCII letters and digits are kept, lower-cased;
// - letters of Latin-1 Supplement and Latin Extended-A (U+00C0..U+017F) are transliterated
//   ("é" -> "e", "ß" -> "ss", "Æ" -> "ae", "Ł" -> "l"); combining accents (U+0300..U+036F) are
//   dropped, so decomposed "e\u0301" gives "e" as well;
// - apostrophes (' and U+2019) are dropped so "Martin's" gives "martins";
// - everything else (spaces, punctuation, other scripts such as CJK, Greek or Cyrillic, emoji)
//   separates words: each run becomes one "-", never leading or trailing.
// May return an empty string (nothing transliterable); callers treat that as "no slug".
std::string slugify(std::string_view text);

// At most `max_code_points` code points of `text`, never cutting a UTF-8 sequence. When the text
// is cut and `suffix` is not empty, the suffix ("…") is counted within the limit and trailing
// spaces before it are dropped. Counts code points, not grapheme clusters: an emoji built from
// several code points (ZWJ sequences, flags) can be cut between them.
std::string truncate_code_points(std::string_view text, std::size_t max_code_points,
                                 std::string_view suffix = {});

std::size_t count_code_points(std::string_view text);

// Without leading and trailing ASCII whitespace and U+00A0 (no-break space).
std::string_view trim_text(std::string_view text);

}  // namespace feedsync::mapping
