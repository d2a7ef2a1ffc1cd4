#pragma once
// Small, forgiving HTML helpers for article bodies from the Feed API (semantic HTML written by
// CMP's editor). Not a full HTML5 parser: they scan tags and entities, which is what turning a
// body into a summary or removing the tracking pixel needs. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace feedsync::html {

// Decodes character references: the HTML 4 named entities (&amp; &lt; &nbsp; &eacute; &hellip;
// ... plus &apos;), decimal (&#39;) and hexadecimal (&#x27;, &#X27;) ones. A reference needs its
// closing ';'; an unknown name or a malformed reference stays as written. Code points that are
// not characters (0, surrogates, > U+10FFFF) become U+FFFD. &nbsp; becomes U+00A0.
std::string decode_entities(std::string_view text);

// The text of an HTML fragment on one line: tags and comments removed, the content of <script>,
// <style> and <template> dropped, block-level boundaries (<p>, <br>, <li>, <h1>...) turned into
// spaces so that words of adjacent paragraphs do not run together, entities decoded, and every
// run of whitespace (including U+00A0) collapsed to one space, trimmed. A '<' that does not
// start a tag ("a < b") is text.
std::string to_text(std::string_view html);

// Removes CMP's 1x1 tracking pixel: every <img> whose class list contains "nc_pixel", together
// with the whitespace just before it (the feed puts it after a newline at the end of the body).
// Everything else is left byte for byte.
std::string strip_tracking_pixel(std::string_view html);

// Escapes text for HTML (and XML) content and double-quoted attribute values: & < > " become
// &amp; &lt; &gt; &quot;; everything else, UTF-8 included, is copied as it is.
std::string escape(std::string_view text);
void append_escaped(std::string& out, std::string_view text);

// The code point of a named entity without '&' and ';' ("amp" -> '&'), if known.
std::optional<char32_t> named_entity(std::string_view name);

}  // namespace feedsync::html
