#include "config/values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <boost/url/authority_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/strings.hpp"

namespace feedsync::config::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string join_choices(std::span<const std::string_view> choices) {
  std::string out;
  std::size_t i = 0;
  for (auto choice : choices) {
    if (i > 0) out += (i + 1 == choices.size()) ? " or " : ", ";
    out += choice;
    ++i;
  }
  return out;
}

// Well-formed "<digits><unit>..." in the right order: then parse_duration can only have failed
// on size, which deserves its own message.
bool looks_like_duration(std::string_view text) {
  constexpr std::array<std::string_view, 5> kUnits{"d", "h", "m", "s", "ms"};
  std::size_t next_unit = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t digits = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == digits) return false;
    const std::size_t letters = i;
    while (i < text.size() && !is_digit(text[i])) ++i;
    const auto unit = std::find(kUnits.begin() + static_cast<std::ptrdiff_t>(next_unit),
                                kUnits.end(), text.substr(letters, i - letters));
    if (unit == kUnits.end()) return false;
    next_unit = static_cast<std::size_t>(unit - kUnits.begin()) + 1;
  }
  return !text.empty();
}

constexpr std::array<std::string_view, 5> kTemplatePlaceholders{"locale", "route_segment", "key",
                                                                "guid", "meta_url"};

}  // namespace

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Parsed<Duration> parse_duration_value(std::string_view text) {
  if (auto d = parse_duration(text)) return Parsed<Duration>::ok(*d);
  if (looks_like_duration(text)) {
    return Parsed<Duration>::fail("duration " + quote(text) + " is too long (the maximum is " +
                                  format_duration(kMaxDuration) + ")");
  }
  std::string message = "expected a duration like 30s, got " + quote(text);
  if (!text.empty() && std::all_of(text.begin(), text.end(), is_digit)) {
    message += " (add a unit: ms, s, m, h or d)";
  }
  return Parsed<Duration>::fail(message);
}

Parsed<Rate> parse_rate_value(std::string_view text) {
  if (auto r = parse_rate(text)) return Parsed<Rate>::ok(*r);
  return Parsed<Rate>::fail("expected a rate like 10/s, 600/m or unlimited, got " + quote(text));
}

Parsed<long long> parse_integer_value(std::string_view text, long long min, long long max) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc{} && end == text.data() + text.size() && value >= min && value <= max) {
    return Parsed<long long>::ok(value);
  }
  const std::string range = max == std::numeric_limits<long long>::max()
                                ? "of at least " + std::to_string(min)
                                : "from " + std::to_string(min) + " to " + std::to_string(max);
  return Parsed<long long>::fail("expected a whole number " + range + ", got " + quote(text));
}

Parsed<double> parse_number_value(std::string_view text, double min, double max) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc{} && end == text.data() + text.size() && std::isfinite(value) &&
      value >= min && value <= max) {
    return Parsed<double>::ok(value);
  }
  auto number = [](double v) {
    std::array<char, 32> buffer{};
    return std::string(buffer.data(),
                       std::to_chars(buffer.data(), buffer.data() + buffer.size(), v).ptr);
  };
  return Parsed<double>::fail("expected a number from " + number(min) + " to " + number(max) +
                              ", got " + quote(text));
}

Parsed<bool> parse_bool_value(std::string_view text) {
  // YAML 1.2's spellings only: "yes"/"on" are YAML 1.1 surprises (the Norway problem).
  if (text == "true" || text == "True" || text == "TRUE") return Parsed<bool>::ok(true);
  if (text == "false" || text == "False" || text == "FALSE") return Parsed<bool>::ok(false);
  return Parsed<bool>::fail("expected true or false, got " + quote(text));
}

Parsed<std::size_t> parse_choice_value(std::string_view text,
                                       std::span<const std::string_view> choices) {
  std::size_t index = 0;
  for (auto choice : choices) {
    if (choice == text) return Parsed<std::size_t>::ok(index);
    ++index;
  }
  return Parsed<std::size_t>::fail("expected " + join_choices(choices) + ", got " + quote(text));
}

Parsed<std::string> parse_http_url_value(std::string_view text) {
  const auto url = boost::urls::parse_absolute_uri(text);
  if (!url) {
    return Parsed<std::string>::fail("expected an absolute URL like https://example.com, got " +
                                     quote(text));
  }
  // Checked before anything echoes the URL: a password must not reach an error message.
  if (url->has_userinfo()) {
    return Parsed<std::string>::fail(
        "URLs must not contain a user name or password; credentials have their own keys");
  }
  if (url->scheme_id() != boost::urls::scheme::http &&
      url->scheme_id() != boost::urls::scheme::https) {
    return Parsed<std::string>::fail("expected an http:// or https:// URL, got " + quote(text));
  }
  if (url->encoded_host().empty()) {
    return Parsed<std::string>::fail("URL has no host: " + quote(text));
  }
  return Parsed<std::string>::ok(std::string(text));
}

Parsed<ListenAddress> parse_listen_value(std::string_view text) {
  const auto authority = boost::urls::parse_authority(text);
  const bool shaped = authority && !authority->has_userinfo() && authority->has_port() &&
                      !authority->port().empty() && !authority->encoded_host().empty() &&
                      authority->host_type() != boost::urls::host_type::ipvfuture;
  if (!shaped) {
    return Parsed<ListenAddress>::fail("expected host:port or [ipv6]:port, got " + quote(text));
  }
  const auto port_text = authority->port();
  long long port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  // Port 0 asks the OS for any free port (the daemon logs the one it got): tests start a daemon
  // per case and must not race each other for fixed ports.
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return Parsed<ListenAddress>::fail("expected a port from 0 to 65535, got " + quote(text));
  }
  ListenAddress out;
  out.host = std::string(authority->host_address());
  out.port = static_cast<unsigned short>(port);
  return Parsed<ListenAddress>::ok(std::move(out));
}

Parsed<std::string> parse_feed_name_value(std::string_view text) {
  const bool ok = !text.empty() && (is_lower(text[0]) || is_digit(text[0])) &&
                  std::all_of(text.begin(), text.end(), [](char c) {
                    return is_lower(c) || is_digit(c) || c == '_' || c == '-';
                  });
  if (ok) return Parsed<std::string>::ok(std::string(text));
  return Parsed<std::string>::fail(
      "expected a name of a-z, 0-9, _ and - starting with a letter or digit, got " + quote(text));
}

Parsed<std::string> parse_feed_id_value(std::string_view text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), is_alnum)) {
    return Parsed<std::string>::ok(std::string(text));
  }
  return Parsed<std::string>::fail("expected a feed id of letters and digits, got " + quote(text));
}

Parsed<Uuid> parse_uuid_value(std::string_view text) {
  const auto uuid = parse_uuid(text);
  if (!uuid) {
    return Parsed<Uuid>::fail("expected a UUID like 1bf10b18-b24f-464f-a631-ee345354ff46, got " + quote(text));
  }
  if (*uuid == Uuid{}) return Parsed<Uuid>::fail("the nil UUID is not a usable namespace; pick a random UUID");
  return Parsed<Uuid>::ok(*uuid);
}

Parsed<std::string> parse_container_value(std::string_view text) {
  std::string hex;
  bool ok = false;
  if (text.size() == 32) {
    ok = std::all_of(text.begin(), text.end(), is_hex);
    hex = text;
  } else if (text.size() == 36) {
    ok = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_here ? text[i] != '-' : !is_hex(text[i])) ok = false;
      if (!dash_here) hex.push_back(text[i]);
    }
  }
  if (!ok) {
    return Parsed<std::string>::fail("expected a container GUID of 32 hex digits, got " +
                                     quote(text));
  }
  return Parsed<std::string>::ok(ascii_lower(hex));
}

Parsed<std::string> parse_url_template_value(std::string_view text) {
  std::string filled;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      return Parsed<std::string>::fail("unbalanced \"}\" in URL template " + quote(text));
    }
    if (text[i] != '{') {
      filled.push_back(text[i]);
      continue;
    }
    const auto close = text.find('}', i);
    if (close == std::string_view::npos) {
      return Parsed<std::string>::fail("unbalanced \"{\" in URL template " + quote(text));
    }
    const auto name = text.substr(i + 1, close - i - 1);
    if (std::find(kTemplatePlaceholders.begin(), kTemplatePlaceholders.end(), name) ==
        kTemplatePlaceholders.end()) {
      return Parsed<std::string>::fail("unknown placeholder {" + std::string(name) +
                                       "}; use {locale}, {route_segment}, {key}, {guid} or "
                                       "{meta_url}");
    }
    filled += "x";  // any value a placeholder could take that keeps the URL shape
    i = close;
  }
  const auto url = parse_http_url_value(filled);
  if (!url.value) {
    return Parsed<std::string>::fail(
        "expected an http(s) URL template like https://www.example.com/{locale}/{route_segment}, "
        "got " +
        quote(text));
  }
  return Parsed<std::string>::ok(std::string(text));
}

Parsed<std::string> parse_header_name_value(std::string_view text) {
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  const bool ok = !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alnum(c) || kTokenPunctuation.find(c) != std::string_view::npos;
  });
  if (ok) return Parsed<std::string>::ok(std::string(text));
  return Parsed<std::string>::fail("expected an HTTP header name, got " + quote(text));
}

Parsed<std::string> parse_header_value(std::string_view text) {
  if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return Parsed<std::string>::fail("header values must not contain line breaks or NUL");
  }
  return Parsed<std::string>::ok(std::string(text));
}

}  // namespace feedsync::config::detail
