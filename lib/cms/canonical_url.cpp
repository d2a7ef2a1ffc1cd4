#include "cms/canonical_url.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/gen_delim_chars.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/sub_delim_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace feedsync::cms {
namespace urls = boost::urls;

namespace {

constexpr std::array<std::string_view, 5> kPlaceholders = {"locale", "route_segment", "key", "guid", "meta_url"};

const std::string* value_of(std::string_view name, const CanonicalVars& vars) {
  if (name == "locale") return &vars.locale;
  if (name == "route_segment") return &vars.route_segment;
  if (name == "key") return &vars.key;
  if (name == "guid") return &vars.guid;
  if (name == "meta_url") return &vars.meta_url;
  return nullptr;
}

std::string known_list() {
  std::string out;
  for (auto name : kPlaceholders) out += (out.empty() ? "{" : ", {") + std::string(name) + "}";
  return out;
}

std::string meta_url_text(const std::string& meta_url) {
  if (urls::parse_uri_reference(meta_url)) return meta_url;
  static constexpr auto uri_chars = urls::unreserved_chars + urls::gen_delim_chars + urls::sub_delim_chars;
  return urls::encode(meta_url, uri_chars);
}

// Walks the template; `emit` gets literal text and placeholder names in order.
template <class Literal, class Placeholder>
Expected<bool, std::string> walk(std::string_view tpl, Literal literal, Placeholder placeholder) {
  std::size_t pos = 0;
  while (pos < tpl.size()) {
    const std::size_t open = tpl.find('{', pos);
    if (open == std::string_view::npos) {
      literal(tpl.substr(pos));
      break;
    }
    literal(tpl.substr(pos, open - pos));
    const std::size_t close = tpl.find('}', open);
    if (close == std::string_view::npos)
      return unexpected("canonical.url_template: \"{\" at offset " + std::to_string(open) + " is not closed");
    const std::string_view name = tpl.substr(open + 1, close - open - 1);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end())
      return unexpected("canonical.url_template: unknown placeholder {" + std::string(name) + "} (known: " +
                        known_list() + ")");
    if (auto problem = placeholder(name)) return unexpected(std::move(*problem));
    pos = close + 1;
  }
  return true;
}

}  // namespace

Expected<bool, std::string> check_canonical_template(std::string_view url_template) {
  return walk(url_template, [](std::string_view) {}, [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
}

Expected<std::string, std::string> render_canonical_url(std::string_view url_template, const CanonicalVars& vars) {
  std::string out;
  auto walked = walk(
      url_template, [&](std::string_view text) { out += text; },
      [&](std::string_view name) -> std::optional<std::string> {
        const std::string& value = *value_of(name, vars);
        if (value.empty()) return "canonical URL: {" + std::string(name) + "} is empty for this article";
        // "." and ".." are unreserved: encoding leaves them as they are, and as a path segment
        // they would move the link up the site ("/articles/{guid}" with guid ".." is the root).
        if (name != "meta_url" && (value == "." || value == ".."))
          return "canonical URL: {" + std::string(name) + "} is \"" + value +
                 "\", which would be a dot segment of the path; no link is posted for this article";
        out += name == "meta_url" ? meta_url_text(value) : urls::encode(value, urls::pchars);
        return std::nullopt;
      });
  if (!walked) return unexpected(std::move(walked.error()));
  auto parsed = urls::parse_absolute_uri(out);
  if (!parsed || (parsed->scheme_id() != urls::scheme::http && parsed->scheme_id() != urls::scheme::https) ||
      parsed->encoded_host().empty())
    return unexpected("canonical URL '" + out + "' (from canonical.url_template) is not an absolute http(s) URL");
  return out;
}

}  // namespace feedsync::cms
