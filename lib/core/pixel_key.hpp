#pragma once
// CMP's tracking pixel key, as the canonical-link post-back wants it (api-notes.md): feeds give
// either the bare key ("YXJ0aWNsZT0...") or, in some API versions, the whole pixel URL
// ("https://pixel.optimizely.com/px.gif?key=YXJ0..."). Pure.

#include <optional>
#include <string>
#include <string_view>

namespace feedsync {

// The bare key: the `key` query parameter of a pixel URL (percent-decoded by Boost.URL), or the
// text itself when it is not a URL. Blank input or a URL without a key: nullopt.
std::optional<std::string> normalize_pixel_key(std::string_view value);

}  // namespace feedsync
