// HttpServer over TLS, with a self-signed certificate made for the test.

#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "server_test_support.hpp"
#include "support/temp_dir.hpp"

namespace feedsync::net::testing {

extern template class BasicClient<asio::ssl::stream<tcp::socket>>;  // server_test_support.cpp

namespace {

namespace ssl = asio::ssl;
using TlsClient = BasicClient<ssl::stream<tcp::socket>>;

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("openssl: ") + what);
}

// Writes a fresh P-256 key and a one-day self-signed certificate for "localhost".
ServerTlsOptions make_self_signed(const feedsync::testing::TempDir& dir) {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, CertDeleter> cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1, "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>("localhost");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1, "subject");
  check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "pubkey");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");

  ServerTlsOptions out{(dir / "cert.pem").string(), (dir / "key.pem").string()};
  std::unique_ptr<FILE, FileCloser> cert_file(std::fopen(out.cert_file.c_str(), "w"));
  check(cert_file && PEM_write_X509(cert_file.get(), cert.get()) == 1, "write certificate");
  std::unique_ptr<FILE, FileCloser> key_file(std::fopen(out.key_file.c_str(), "w"));
  check(key_file && PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  return out;
}

asio::awaitable<ServerResponse> hello(ServerRequest r) {
  co_return ServerResponse::text(200, "hello over " + std::string(r.path) + "\n");
}

class ServerTlsTest : public ::testing::Test {
 protected:
  static ServerOptions options(const feedsync::testing::TempDir& dir) {
    ServerOptions o;
    o.tls = make_self_signed(dir);
    return o;
  }
  static Router router() {
    Router r;
    r.get("/hello", hello);
    return r;
  }

  // The test checks the server side; verifying its throwaway certificate would add nothing.
  std::unique_ptr<TlsClient> connect_tls() {
    auto client = std::make_unique<TlsClient>(5s, client_context);
    if (auto ec = client->connect(server.port())) throw std::runtime_error("connect: " + ec.message());
    auto ec = client->run_op([&](auto done) {
      client->stream().async_handshake(ssl::stream_base::client, [done](auto e) { done(e, 0); });
    });
    if (ec) throw std::runtime_error("handshake: " + ec.message());
    return client;
  }

  feedsync::testing::TempDir dir;
  TestServer server{options(dir), router()};
  ssl::context client_context{ssl::context::tls_client};
};

TEST_F(ServerTlsTest, ServesRequestsOverOneTlsConnection) {
  client_context.set_verify_mode(ssl::verify_none);
  auto client = connect_tls();
  ASSERT_FALSE(client->write(get_request("/hello")));
  auto first = client->read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello over /hello\n");

  ASSERT_FALSE(client->write(get_request("/nope", "Connection: close\r\n")));
  auto second = client->read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 404);
  // The server ends the TLS session with close_notify, which the client reads as a clean EOF.
  EXPECT_EQ(client->read_until_closed(), asio::error::eof);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST_F(ServerTlsTest, PlainHttpOnTheTlsPortIsDroppedAndTlsGoesOn) {
  auto plain = connect_client(server.port());
  ASSERT_FALSE(plain->write(get_request("/hello")));
  auto ec = plain->read_until_closed();
  EXPECT_NE(ec, asio::error::timed_out) << ec.message();

  client_context.set_verify_mode(ssl::verify_none);
  auto client = connect_tls();
  ASSERT_FALSE(client->write(get_request("/hello")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(ServerTlsStartTest, UnreadableCertificateFailsStart) {
  feedsync::testing::TempDir dir;
  asio::io_context io;
  ServerOptions o;
  o.tls = ServerTlsOptions{(dir / "missing.pem").string(), (dir / "missing.key").string()};
  HttpServer server(io, o, Router{});
  EXPECT_THROW(server.start(), std::runtime_error);
}

}  // namespace
}  // namespace feedsync::net::testing
