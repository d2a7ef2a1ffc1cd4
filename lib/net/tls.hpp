#pragma once
// TLS client set-up for the Beast client. Internal to lib/net (includes Asio's SSL headers).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace feedsync::net::tls {

// A client context: TLS 1.2 or newer, peer verification against the system CA store, or only
// against `ca_file` when one is given (like curl --cacert). `insecure_skip_verify` turns
// verification off. Throws std::runtime_error when `ca_file` cannot be loaded: that is a
// start-up configuration error.
std::unique_ptr<boost::asio::ssl::context> make_client_context(const std::string& ca_file,
                                                               bool insecure_skip_verify);

// Prepares one connection for a handshake with `host` (no brackets): SNI for names (never for IP
// literals, RFC 6066) and, unless `verify` is false, the name or IP the certificate must match.
// SNI alone verifies nothing. Returns an error message when OpenSSL refuses the settings.
std::optional<std::string> prepare_connection(SSL* ssl, std::string_view host, bool verify);

// Why a handshake failed, in words: the certificate verification result when there is one
// ("hostname mismatch", "unable to get local issuer certificate"), else the error code's text.
std::string describe_handshake_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace feedsync::net::tls
