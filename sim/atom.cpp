#include "sim/atom.hpp"

#include "core/html.hpp"
#include "core/time.hpp"

namespace feedsync::sim {

namespace json = boost::json;

namespace {

std::string_view string_field(const json::object& content, std::string_view name) {
  if (const auto* v = content.if_contains(name); v && v->is_string()) return v->get_string();
  return {};
}

void element(std::string& out, std::string_view indent, std::string_view name, std::string_view text) {
  out += indent;
  out += '<';
  out += name;
  out += '>';
  html::append_escaped(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

}  // namespace

std::string render_atom_page(const Feed& feed, std::span<const Article* const> entries,
                             const std::string& self_url) {
  std::string out;
  out.reserve(512 + entries.size() * 4096);
  out += "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  element(out, "  ", "title", feed.title);
  element(out, "  ", "id", "urn:optimizely:feed:" + feed.id);
  element(out, "  ", "updated", format_rfc3339_ms(feed.modified_ms));
  out += "  <link rel=\"self\" href=\"";
  html::append_escaped(out, self_url);
  out += "\"/>\n  <author><name>Optimizely CMP</name></author>\n";
  for (const Article* article : entries) {
    const auto& c = article->content;
    out += "  <entry>\n";
    element(out, "    ", "id", "urn:guid:" + article->guid);
    element(out, "    ", "title", string_field(c, "title"));
    element(out, "    ", "updated", format_rfc3339_ms(article->entry_modified_ms));
    if (auto published = string_field(c, "published_at"); !published.empty())
      element(out, "    ", "published", published);
    if (const auto* authors = c.if_contains("authors"); authors && authors->is_array()) {
      for (const auto& author : authors->get_array()) {
        if (!author.is_object()) continue;
        out += "    <author><name>";
        html::append_escaped(out, string_field(author.get_object(), "name"));
        out += "</name></author>\n";
      }
    }
    if (auto summary = string_field(c, "meta_description"); !summary.empty())
      element(out, "    ", "summary", summary);
    if (auto link = string_field(c, "link"); !link.empty()) {
      out += "    <link rel=\"alternate\" href=\"";
      html::append_escaped(out, link);
      out += "\"/>\n";
    }
    out += "    <content type=\"html\">";
    html::append_escaped(out, string_field(c, "description"));
    out += "</content>\n  </entry>\n";
  }
  out += "</feed>\n";
  return out;
}

}  // namespace feedsync::sim
