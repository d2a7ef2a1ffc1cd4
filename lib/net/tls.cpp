#include "net/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace feedsync::net::tls {

std::unique_ptr<boost::asio::ssl::context> make_client_context(const std::string& ca_file,
                                                               bool insecure_skip_verify) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("cannot load the system CA certificates: " + ec.message());
  } else {
    ctx->load_verify_file(ca_file, ec);
    if (ec) throw std::runtime_error("cannot load CA file " + ca_file + ": " + ec.message());
  }
  return ctx;
}

std::optional<std::string> prepare_connection(SSL* ssl, std::string_view host, bool verify) {
  const std::string name(host);
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  const bool is_ip = !ec;
  if (!is_ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1)
    return "cannot set SNI host name " + name;
  if (!verify) return std::nullopt;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  // Partial wildcards ("w*.example.com") are a source of surprises; browsers reject them too.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  if (ok != 1) return "cannot set the host name to verify: " + name;
  return std::nullopt;
}

std::string describe_handshake_failure(SSL* ssl, const boost::system::error_code& ec) {
  const long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK)
    return std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
  return ec.message();
}

}  // namespace feedsync::net::tls
