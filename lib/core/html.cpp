#include "core/html.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/mapping_text.hpp"
#include "core/strings.hpp"

namespace feedsync::html {
namespace {

using mapping::append_utf8;
using mapping::next_code_point;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals_at(std::string_view text, std::size_t pos, std::string_view word) {
  return pos <= text.size() && istarts_with_ascii(text.substr(pos), word);
}

// The reference starting at text[pos] == '&': the code point and the length consumed.
std::optional<std::pair<char32_t, std::size_t>> reference_at(std::string_view text,
                                                             std::size_t pos) {
  const std::size_t semi = text.find(';', pos + 1);
  // 32 covers the longest HTML 4 name and any numeric form with leading zeros worth accepting.
  if (semi == std::string_view::npos || semi - pos > 32) return std::nullopt;
  const std::string_view body = text.substr(pos + 1, semi - pos - 1);
  const std::size_t length = semi - pos + 1;
  if (body.size() >= 2 && body[0] == '#') {
    const bool hex = body[1] == 'x' || body[1] == 'X';
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return std::nullopt;
    std::uint32_t value = 0;
    for (const char c : digits) {
      int digit = 0;
      if (is_digit(c)) {
        digit = c - '0';
      } else if (hex && ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f') {
        digit = ascii_lower(c) - 'a' + 10;
      } else {
        return std::nullopt;
      }
      value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit),
                                      0x110000);  // saturate: anything larger is invalid anyway
    }
    const bool valid = value != 0 && value < 0x110000 && (value < 0xD800 || value > 0xDFFF);
    return std::pair{valid ? static_cast<char32_t>(value) : char32_t{0xFFFD}, length};
  }
  if (const auto cp = named_entity(body)) return std::pair{*cp, length};
  return std::nullopt;
}

struct Tag {
  std::size_t end = 0;  // one past '>'
  std::string name;     // lower case; empty for comments and declarations
  bool closing = false;
  std::string_view attributes;
};

// The tag starting at html[pos] == '<', or nullopt when that '<' is just text.
std::optional<Tag> scan_tag(std::string_view html, std::size_t pos) {
  Tag tag;
  if (html.substr(pos, 4) == "<!--") {
    const std::size_t close = html.find("-->", pos + 4);
    tag.end = close == std::string_view::npos ? html.size() : close + 3;
    return tag;
  }
  std::size_t i = pos + 1;
  if (i < html.size() && (html[i] == '!' || html[i] == '?')) {
    const std::size_t close = html.find('>', i);
    if (close == std::string_view::npos) return std::nullopt;
    tag.end = close + 1;
    return tag;
  }
  if (i < html.size() && html[i] == '/') {
    tag.closing = true;
    ++i;
  }
  if (i >= html.size() || !is_alpha(html[i])) return std::nullopt;
  while (i < html.size() && (is_alpha(html[i]) || is_digit(html[i]) || html[i] == '-')) {
    tag.name.push_back(ascii_lower(html[i++]));
  }
  const std::size_t attributes_start = i;
  char quote = 0;
  for (; i < html.size(); ++i) {
    const char c = html[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      tag.attributes = html.substr(attributes_start, i - attributes_start);
      tag.end = i + 1;
      return tag;
    }
  }
  return std::nullopt;  // never closed: a browser would not render it as a tag either
}

// The value of attribute `name` (lower case) in a tag's attribute text, entities decoded.
std::optional<std::string> attribute(std::string_view attributes, std::string_view name) {
  std::size_t i = 0;
  const auto skip_spaces = [&] {
    while (i < attributes.size() && (is_space(attributes[i]) || attributes[i] == '/')) ++i;
  };
  while (true) {
    skip_spaces();
    if (i >= attributes.size()) return std::nullopt;
    const std::size_t name_start = i;
    while (i < attributes.size() && !is_space(attributes[i]) && attributes[i] != '=' &&
           attributes[i] != '/') {
      ++i;
    }
    const bool wanted = i - name_start == name.size() && iequals_at(attributes, name_start, name);
    while (i < attributes.size() && is_space(attributes[i])) ++i;
    std::string_view value;
    if (i < attributes.size() && attributes[i] == '=') {
      ++i;
      while (i < attributes.size() && is_space(attributes[i])) ++i;
      if (i < attributes.size() && (attributes[i] == '"' || attributes[i] == '\'')) {
        const char quote = attributes[i++];
        const std::size_t close = std::min(attributes.find(quote, i), attributes.size());
        value = attributes.substr(i, close - i);
        i = close + 1;
      } else {
        const std::size_t start = i;
        while (i < attributes.size() && !is_space(attributes[i])) ++i;
        value = attributes.substr(start, i - start);
      }
    }
    if (wanted) return decode_entities(value);
  }
}

bool has_class(std::string_view attributes, std::string_view wanted) {
  const auto classes = attribute(attributes, "class");
  if (!classes) return false;
  std::size_t i = 0;
  while (i < classes->size()) {
    while (i < classes->size() && is_space((*classes)[i])) ++i;
    const std::size_t start = i;
    while (i < classes->size() && !is_space((*classes)[i])) ++i;
    if (std::string_view(*classes).substr(start, i - start) == wanted) return true;
  }
  return false;
}

bool is_block(std::string_view name) {
  static constexpr std::array<std::string_view, 35> kBlocks = {
      "address", "article", "aside", "blockquote", "br",     "caption", "dd",    "div",  "dl",
      "dt",      "figcaption", "figure", "footer", "h1",     "h2",      "h3",    "h4",   "h5",
      "h6",      "header",  "hr",    "li",         "main",   "nav",     "ol",    "p",    "pre",
      "section", "table",   "td",    "th",         "tr",     "ul",      "tbody", "thead"};
  return std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end();
}

bool drops_content(std::string_view name) {
  return name == "script" || name == "style" || name == "template";
}

}  // namespace

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t amp = text.find('&', pos);
    out.append(text.substr(pos, amp == std::string_view::npos ? amp : amp - pos));
    if (amp == std::string_view::npos) break;
    if (const auto ref = reference_at(text, amp)) {
      append_utf8(out, ref->first);
      pos = amp + ref->second;
    } else {
      out.push_back('&');
      pos = amp + 1;
    }
  }
  return out;
}

std::string to_text(std::string_view html) {
  std::string raw;  // text with tags replaced, entities decoded, whitespace not yet collapsed
  std::size_t pos = 0;
  while (pos < html.size()) {
    const std::size_t lt = html.find('<', pos);
    const std::size_t stop = lt == std::string_view::npos ? html.size() : lt;
    raw += decode_entities(html.substr(pos, stop - pos));
    if (lt == std::string_view::npos) break;
    const auto tag = scan_tag(html, lt);
    if (!tag) {
      raw.push_back('<');
      pos = lt + 1;
      continue;
    }
    pos = tag->end;
    if (is_block(tag->name)) raw.push_back(' ');
    if (!tag->closing && drops_content(tag->name)) {
      // Skip to the matching close tag; without one the rest of the input is its content.
      std::size_t close = pos;
      while ((close = html.find("</", close)) != std::string_view::npos &&
             !iequals_at(html, close + 2, tag->name)) {
        close += 2;
      }
      const auto end_tag = close == std::string_view::npos ? std::nullopt : scan_tag(html, close);
      pos = end_tag ? end_tag->end : html.size();
    }
  }

  std::string out;
  out.reserve(raw.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(raw, i);
    if (cp == 0xA0 || (cp < 0x80 && is_space(static_cast<char>(cp))) || cp == '\v') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(raw, start, i - start);
  }
  return out;
}

std::string strip_tracking_pixel(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t copied = 0;
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    const auto tag = scan_tag(html, pos);
    if (!tag) {
      ++pos;
      continue;
    }
    if (!tag->closing && tag->name == "img" && has_class(tag->attributes, "nc_pixel")) {
      std::size_t cut = pos;
      while (cut > copied && is_space(html[cut - 1])) --cut;
      out.append(html.substr(copied, cut - copied));
      copied = tag->end;
    }
    pos = tag->end;
  }
  out.append(html.substr(copied));
  return out;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

std::string escape(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

}  // namespace feedsync::html
