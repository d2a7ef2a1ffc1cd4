#include "core/mapping_text.hpp"

#include <array>

namespace feedsync::mapping {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// U+00C0..U+017F in lower-case ASCII (generated from Unicode NFKD, plus the letters that do not
// decompose: Æ Ð Ø Þ ß Đ Ħ ı Ł Œ Ŧ ...). Empty entries (× and ÷) separate words.
constexpr std::array<std::string_view, 0x180 - 0xC0> kLatin = {
    "a",  "a",  "a", "a", "a", "a", "ae", "c", "e", "e", "e",  "e", "i", "i", "i", "i",
    "d",  "n",  "o", "o", "o", "o", "o",  "",  "o", "u", "u",  "u", "u", "y", "th", "ss",
    "a",  "a",  "a", "a", "a", "a", "ae", "c", "e", "e", "e",  "e", "i", "i", "i", "i",
    "d",  "n",  "o", "o", "o", "o", "o",  "",  "o", "u", "u",  "u", "u", "y", "th", "y",
    "a",  "a",  "a", "a", "a", "a", "c",  "c", "c", "c", "c",  "c", "c", "c", "d", "d",
    "d",  "d",  "e", "e", "e", "e", "e",  "e", "e", "e", "e",  "e", "g", "g", "g", "g",
    "g",  "g",  "g", "g", "h", "h", "h",  "h", "i", "i", "i",  "i", "i", "i", "i", "i",
    "i",  "i",  "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l",  "l",  "l", "n", "n", "n", "n",  "n", "n", "n", "n",  "n", "o", "o", "o", "o",
    "o",  "o",  "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s",  "s",  "t", "t", "t", "t", "t",  "t", "u", "u", "u",  "u", "u", "u", "u", "u",
    "u",  "u",  "u", "u", "w", "w", "y",  "y", "y", "z", "z",  "z", "z", "z", "z", "s",
};

bool is_ascii_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v';
}

}  // namespace

char32_t next_code_point(std::string_view text, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kReplacement;
  }
  if (pos + length > text.size()) {
    ++pos;
    return kReplacement;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      ++pos;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    ++pos;
    return kReplacement;
  }
  pos += length;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
  const auto put = [&](char32_t bits) { out.push_back(static_cast<char>(bits)); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
}

std::string slugify(std::string_view text) {
  std::string out;
  bool separate = false;
  const auto emit = [&](std::string_view letters) {
    if (separate && !out.empty()) out.push_back('-');
    separate = false;
    out.append(letters);
  };
  for (std::size_t pos = 0; pos < text.size();) {
    const char32_t cp = next_code_point(text, pos);
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
      const char c = static_cast<char>(cp);
      emit(std::string_view(&c, 1));
    } else if (cp >= 'A' && cp <= 'Z') {
      const char c = static_cast<char>(cp - 'A' + 'a');
      emit(std::string_view(&c, 1));
    } else if (cp >= 0xC0 && cp < 0x180 && !kLatin[cp - 0xC0].empty()) {
      emit(kLatin[cp - 0xC0]);
    } else if ((cp >= 0x300 && cp <= 0x36F) || cp == '\'' || cp == 0x2019) {
      // Part of the word it follows.
    } else {
      separate = true;
    }
  }
  return out;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < text.size(); ++count) next_code_point(text, pos);
  return count;
}

std::string truncate_code_points(std::string_view text, std::size_t max_code_points,
                                 std::string_view suffix) {
  if (count_code_points(text) <= max_code_points) return std::string(text);
  const std::size_t suffix_points = count_code_points(suffix);
  const bool with_suffix = !suffix.empty() && suffix_points <= max_code_points;
  const std::size_t keep = with_suffix ? max_code_points - suffix_points : max_code_points;
  std::size_t end = 0;
  for (std::size_t n = 0; n < keep; ++n) next_code_point(text, end);
  std::string out(text.substr(0, end));
  if (with_suffix) {
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t' || out.back() == '\n')) {
      out.pop_back();
    }
    out.append(suffix);
  }
  return out;
}

std::string_view trim_text(std::string_view text) {
  const auto space_at_front = [&](std::size_t& width) {
    std::size_t pos = 0;
    const char32_t cp = next_code_point(text, pos);
    width = pos;
    return is_ascii_space(cp) || cp == 0xA0;
  };
  std::size_t width = 0;
  while (!text.empty() && space_at_front(width)) text.remove_prefix(width);
  while (!text.empty()) {
    if (is_ascii_space(static_cast<unsigned char>(text.back()))) {
      text.remove_suffix(1);
    } else if (text.size() >= 2 && text.substr(text.size() - 2) == "\xC2\xA0") {
      text.remove_suffix(2);
    } else {
      break;
    }
  }
  return text;
}

}  // namespace feedsync::mapping
