#include "net/proxy.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <vector>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/strings.hpp"

namespace feedsync::net {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ends_with_label(std::string_view host, std::string_view domain) {
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

ProxySettings ProxySettings::from_environment() {
  ProxySettings settings;
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy"}) {
    settings.url = env(name);
    if (!settings.url.empty()) break;
  }
  settings.no_proxy = env("no_proxy");
  if (settings.no_proxy.empty()) settings.no_proxy = env("NO_PROXY");
  return settings;
}

bool ProxySettings::applies_to(std::string_view host) const {
  if (url.empty()) return false;
  const std::string h = ascii_lower(host);
  std::string_view rest = no_proxy;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string entry = ascii_lower(trim(rest.substr(0, comma)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return false;
    if (entry.front() == '.') entry.erase(0, 1);
    if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']')
      entry = entry.substr(1, entry.size() - 2);
    if (h == entry || ends_with_label(h, entry)) return false;
  }
  return true;
}

std::optional<ProxyEndpoint> parse_proxy_url(std::string_view text) {
  // "proxy:3128" without a scheme is common in the wild (curl accepts it): read it as http.
  std::string with_scheme(text);
  if (with_scheme.find("://") == std::string::npos) with_scheme = "http://" + with_scheme;
  auto parsed = boost::urls::parse_absolute_uri(with_scheme);
  if (!parsed) return std::nullopt;
  const boost::urls::url_view& u = *parsed;
  // TLS to the proxy itself (https://proxy) is not supported: say so rather than send cleartext.
  if (u.scheme_id() != boost::urls::scheme::http || !u.has_authority()) return std::nullopt;

  ProxyEndpoint out;
  if (u.host_type() == boost::urls::host_type::ipv6)
    out.host = u.host_ipv6_address().to_string();
  else if (u.host_type() == boost::urls::host_type::name ||
           u.host_type() == boost::urls::host_type::ipv4)
    out.host = ascii_lower(u.encoded_host());
  if (out.host.empty() || out.host.find('%') != std::string::npos) return std::nullopt;

  out.port = u.has_port() ? std::string(u.port()) : "80";
  if (!valid_port(out.port)) return std::nullopt;

  if (u.has_userinfo()) out.authorization = "Basic " + base64(u.user() + ":" + u.password());
  return out;
}

}  // namespace feedsync::net
