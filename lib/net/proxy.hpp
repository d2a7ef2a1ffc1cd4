#pragma once
// Which requests go through an HTTP proxy, and which proxy. Plain values, no Beast: this header
// is part of the client's public options.

#include <optional>
#include <string>
#include <string_view>

namespace feedsync::net {

struct ProxySettings {
  // "http://[user:password@]proxy.example:3128". Empty: connect directly. https requests are
  // tunnelled with CONNECT; plain http requests are sent to the proxy in absolute form.
  std::string url;
  // Hosts that bypass the proxy, comma separated: "localhost,.internal.example,10.0.0.1" or "*".
  // "example.com" and ".example.com" both match example.com and every subdomain (curl's rules).
  // No CIDR ranges or ports.
  std::string no_proxy;

  // https_proxy, HTTPS_PROXY, then http_proxy (one proxy for both schemes: almost all of our
  // traffic is https), and no_proxy / NO_PROXY. HTTP_PROXY in capitals is ignored on purpose:
  // CGI sets it from a request header ("httpoxy"). Configuration overrides this.
  static ProxySettings from_environment();

  bool enabled() const { return !url.empty(); }
  // Whether a request to `host` (no port, IPv6 without brackets) should use the proxy.
  bool applies_to(std::string_view host) const;
};

// A proxy URL taken apart. Exposed for tests and for the client's constructor, which rejects an
// invalid proxy URL as a configuration error.
struct ProxyEndpoint {
  std::string host;           // no brackets
  std::string port;           // "3128"; 80 when the URL has none
  std::string authorization;  // "Basic <base64>" when the URL carries credentials, else empty
};
std::optional<ProxyEndpoint> parse_proxy_url(std::string_view url);

// A decimal TCP port, 1 to 65535. (Boost.URL's port_number() wraps 99999 into 16 bits.)
bool valid_port(std::string_view port);

}  // namespace feedsync::net
