#pragma once
// Parsers for single configuration values, after ${VAR} expansion. Pure: they know neither
// positions nor key paths; the loader adds those. Internal to lib/config.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/content_key.hpp"
#include "core/duration.hpp"

namespace feedsync::config::detail {

// A value, or the reason there is none ("expected a duration like 30s, got \"often\"").
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  static Parsed ok(T v) { return {std::move(v), {}}; }
  static Parsed fail(std::string why) { return {std::nullopt, std::move(why)}; }
};

// `text` in double quotes, escaped, for "got ..." parts of messages.
std::string quote(std::string_view text);

Parsed<Duration> parse_duration_value(std::string_view text);
Parsed<Rate> parse_rate_value(std::string_view text);
Parsed<long long> parse_integer_value(std::string_view text, long long min, long long max);
Parsed<double> parse_number_value(std::string_view text, double min, double max);
Parsed<bool> parse_bool_value(std::string_view text);
// The index of `text` in `choices`.
Parsed<std::size_t> parse_choice_value(std::string_view text,
                                       std::span<const std::string_view> choices);

// An absolute http:// or https:// URL with a host and no user:password part.
Parsed<std::string> parse_http_url_value(std::string_view text);

struct ListenAddress {
  std::string host;  // IPv6 without brackets
  unsigned short port = 0;
};
// "host:port", "1.2.3.4:port" or "[v6]:port" with port 0..65535 (0: any free port).
Parsed<ListenAddress> parse_listen_value(std::string_view text);

// [a-z0-9][a-z0-9_-]*: feed names end up in metric labels, file names and URLs.
Parsed<std::string> parse_feed_name_value(std::string_view text);
// Letters and digits only, as CMP feed ids are.
Parsed<std::string> parse_feed_id_value(std::string_view text);
// 32 hex digits, or the dashed 8-4-4-4-12 GUID form, in any case; normalised to 32 lowercase
// hex digits, the form the CMS uses in content keys.
Parsed<std::string> parse_container_value(std::string_view text);
// A UUID (cms.key_namespace): dashed or 32 hex digits, any case, braces allowed; not the nil
// UUID, which is a placeholder rather than a namespace anyone chose.
Parsed<Uuid> parse_uuid_value(std::string_view text);
// An http(s) URL once its placeholders are filled in; placeholders are {locale}
// {route_segment} {key} {guid} {meta_url}.
Parsed<std::string> parse_url_template_value(std::string_view text);
// An HTTP header field name (an RFC 9110 token).
Parsed<std::string> parse_header_name_value(std::string_view text);
// A header field value: no CR, LF or NUL, which would let one header smuggle in another.
Parsed<std::string> parse_header_value(std::string_view text);

}  // namespace feedsync::config::detail
