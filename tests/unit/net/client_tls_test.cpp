// TLS: verification against a throwaway CA, hostname checks, insecure mode, pooling over TLS.
#include <gtest/gtest.h>

#include "net/beast_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"
#include "unit/net/test_server.hpp"
#include "unit/net/test_server_run.hpp"

namespace feedsync::net {
namespace {

using testing::TestServer;

class ClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new testing::TestCertificateAuthority(); }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }
  static TestServer::Tls identity(std::vector<std::string> dns, std::vector<std::string> ips) {
    auto cert = ca_->issue(dns, ips);
    return {cert.cert_pem, cert.key_pem};
  }
  std::string ca_file() const { return dir_.write("ca.pem", ca_->ca_pem()).string(); }

  static testing::TestCertificateAuthority* ca_;
  testing::TempDir dir_;
  boost::asio::io_context ioc_;
};
testing::TestCertificateAuthority* ClientTls::ca_ = nullptr;

TEST_F(ClientTls, ValidCertificateIsAcceptedByNameAndByAddress) {
  TestServer server(testing::keep_alive_handler("secure"), identity({"localhost"}, {"127.0.0.1"}));
  ClientOptions options;
  options.ca_file = ca_file();
  BeastHttpClient client(ioc_.get_executor(), options);
  auto results = testing::run_sequentially(
      ioc_, client,
      {testing::get(server.url("/a", "localhost")), testing::get(server.url("/b", "localhost")),
       testing::get(server.url("/c", "127.0.0.1"))});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    ASSERT_TRUE(r && *r) << r->error().message;
    EXPECT_EQ((*r)->body, "secure");
  }
  // localhost twice on one pooled connection; 127.0.0.1 is another origin.
  EXPECT_EQ(server.accepts(), 2u);
  EXPECT_EQ(server.tls_failures(), 0u);
}

TEST_F(ClientTls, WrongHostnameIsRejected) {
  TestServer server(testing::keep_alive_handler(), identity({"other.example"}, {}));
  ClientOptions options;
  options.ca_file = ca_file();
  BeastHttpClient client(ioc_.get_executor(), options);
  auto result = testing::run_one(ioc_, client, testing::get(server.url("/", "localhost")));
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::tls);
  EXPECT_NE(result->error().message.find("hostname mismatch"), std::string::npos)
      << result->error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientTls, WrongAddressIsRejected) {
  TestServer server(testing::keep_alive_handler(), identity({"localhost"}, {"10.9.8.7"}));
  ClientOptions options;
  options.ca_file = ca_file();
  BeastHttpClient client(ioc_.get_executor(), options);
  auto result = testing::run_one(ioc_, client, testing::get(server.url("/", "127.0.0.1")));
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::tls) << result->error().message;
}

TEST_F(ClientTls, UntrustedCaIsRejected) {
  TestServer server(testing::keep_alive_handler(), identity({"localhost"}, {"127.0.0.1"}));
  BeastHttpClient client(ioc_.get_executor(), ClientOptions{});  // system CA store only
  auto result = testing::run_one(ioc_, client, testing::get(server.url("/", "localhost")));
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::tls);
  EXPECT_NE(result->error().message.find("certificate verification failed"), std::string::npos)
      << result->error().message;
  EXPECT_NE(result->error().message.find("localhost"), std::string::npos);
}

TEST_F(ClientTls, AnotherCaIsNotTrusted) {
  testing::TestCertificateAuthority other("another test CA");
  TestServer server(testing::keep_alive_handler(), identity({"localhost"}, {}));
  ClientOptions options;
  options.ca_file = dir_.write("other.pem", other.ca_pem()).string();
  BeastHttpClient client(ioc_.get_executor(), options);
  auto result = testing::run_one(ioc_, client, testing::get(server.url("/", "localhost")));
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::tls) << result->error().message;
}

TEST_F(ClientTls, InsecureSkipVerifyAcceptsAnything) {
  TestServer server(testing::keep_alive_handler("unchecked"), identity({"other.example"}, {}));
  ClientOptions options;
  options.insecure_skip_verify = true;
  BeastHttpClient client(ioc_.get_executor(), options);
  auto result = testing::run_one(ioc_, client, testing::get(server.url("/", "localhost")));
  ASSERT_TRUE(result && *result) << result->error().message;
  EXPECT_EQ((*result)->body, "unchecked");
}

TEST_F(ClientTls, StaleTlsConnectionIsRetried) {
  TestServer server(
      [](testing::ServerConnection& c) {
        if (c.index() == 0) {
          if (!c.read_request()) return;
          c.write(testing::http_response(200, "first"));
          c.read_request();
          c.close();  // no close_notify: a plain TCP close under TLS
          return;
        }
        while (c.read_request()) c.write(testing::http_response(200, "fresh"));
      },
      identity({"localhost"}, {}));
  ClientOptions options;
  options.ca_file = ca_file();
  BeastHttpClient client(ioc_.get_executor(), options);
  auto results = testing::run_sequentially(
      ioc_, client,
      {testing::get(server.url("/a", "localhost")), testing::get(server.url("/b", "localhost"))});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[1] && *results[1]) << results[1]->error().message;
  EXPECT_EQ((*results[1])->body, "fresh");
  EXPECT_EQ(server.accepts(), 2u);
}

TEST_F(ClientTls, UnreadableCaFileIsAConfigurationError) {
  ClientOptions options;
  options.ca_file = (dir_ / "missing.pem").string();
  EXPECT_THROW(BeastHttpClient(ioc_.get_executor(), options), std::runtime_error);
}

}  // namespace
}  // namespace feedsync::net
