#pragma once
// The article's public URL, from canonical.url_template, for the canonical-link post-back.
// Placeholders: {locale} {route_segment} {key} {guid} {meta_url}. Pure.

#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace feedsync::cms {

struct CanonicalVars {
  std::string locale;
  std::string route_segment;  // as the CMS returned it after publishing (WriteOutcome)
  std::string key;
  std::string guid;
  std::string meta_url;  // the feed's meta_url: a path or a whole URL
};

// {locale}, {route_segment}, {key} and {guid} are inserted as path-segment text (percent-encoded
// by Boost.URL, so "a/b" cannot add a level and "é" becomes %C3%A9); {meta_url} is inserted as
// a URL fragment of its own: kept as it is when it is a valid URI reference, otherwise the
// characters a URI cannot hold (spaces, non-ASCII) are percent-encoded. The result must be an
// absolute http(s) URL with a host. Errors say which placeholder or which URL is wrong; an
// unknown placeholder, an unclosed "{" or a placeholder whose value is empty is an error, and so
// is a value of "." or ".." outside {meta_url} (a dot segment: encoding cannot neutralise it).
Expected<std::string, std::string> render_canonical_url(std::string_view url_template, const CanonicalVars& vars);

// The same checks on the template alone (placeholders known and closed), for `check`.
Expected<bool, std::string> check_canonical_template(std::string_view url_template);

}  // namespace feedsync::cms
