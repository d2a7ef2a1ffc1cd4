#pragma once
// Small text helpers shared by every part: ASCII case folding for protocol tokens (header names,
// media types, schemes, host names, HTTP-date words, config choices) and the edit distance behind
// "did you mean" hints. ASCII only on purpose: protocol tokens are ASCII, and the C library's
// tolower() depends on the process locale. Pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace feedsync {

// 'A'..'Z' -> 'a'..'z'; every other byte (UTF-8 included) unchanged.
constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
std::string ascii_lower(std::string_view text);

// Equal apart from ASCII letter case.
bool iequals_ascii(std::string_view a, std::string_view b);
// `text` begins with `prefix`, apart from ASCII letter case.
bool istarts_with_ascii(std::string_view text, std::string_view prefix);

// Levenshtein distance (insertions, deletions, substitutions; bytes), for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace feedsync
