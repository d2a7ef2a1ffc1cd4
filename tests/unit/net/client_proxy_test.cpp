// HTTP proxy: CONNECT tunnels for https, absolute-form requests for http, no_proxy, refusals.
#include <gtest/gtest.h>

#include <cstdlib>

#include "net/beast_client.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certs.hpp"
#include "unit/net/test_server.hpp"
#include "unit/net/test_server_run.hpp"

namespace feedsync::net {
namespace {

using testing::ConnectProxy;
using testing::TestServer;

struct TlsOrigin {
  TlsOrigin()
      : cert(ca.issue({"localhost"}, {"127.0.0.1"})),
        server(testing::keep_alive_handler("from origin"),
               TestServer::Tls{cert.cert_pem, cert.key_pem}) {}
  testing::TestCertificateAuthority ca;
  testing::TestCertificate cert;
  TestServer server;
};

TEST(ClientProxy, HttpsGoesThroughAConnectTunnel) {
  TlsOrigin origin;
  ConnectProxy proxy;
  testing::TempDir dir;
  boost::asio::io_context ioc;
  ClientOptions options;
  options.ca_file = dir.write("ca.pem", origin.ca.ca_pem()).string();
  options.proxy.url = proxy.url();
  BeastHttpClient client(ioc.get_executor(), options);
  auto results = testing::run_sequentially(ioc, client,
                                           {testing::get(origin.server.url("/x", "localhost")),
                                            testing::get(origin.server.url("/y", "localhost"))});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_TRUE(r && *r) << r->error().message;
    EXPECT_EQ((*r)->body, "from origin");
  }
  const auto seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1u);  // one tunnel, kept alive for both requests
  EXPECT_EQ(seen[0].method, "CONNECT");
  EXPECT_EQ(seen[0].target, "localhost:" + std::to_string(origin.server.port()));
  EXPECT_EQ(seen[0].header("Host"), seen[0].target);
  EXPECT_EQ(origin.server.requests().size(), 2u);
}

TEST(ClientProxy, ProxyCredentialsAreSentOnConnect) {
  TlsOrigin origin;
  ConnectProxy proxy;
  boost::asio::io_context ioc;
  ClientOptions options;
  options.insecure_skip_verify = true;
  options.proxy.url = "http://user:p%40ss@127.0.0.1:" + std::to_string(proxy.port());
  BeastHttpClient client(ioc.get_executor(), options);
  auto result = testing::run_one(ioc, client, testing::get(origin.server.url("/", "localhost")));
  ASSERT_TRUE(result && *result) << result->error().message;
  // base64("user:p@ss")
  EXPECT_EQ(proxy.requests().at(0).header("Proxy-Authorization"), "Basic dXNlcjpwQHNz");
}

TEST(ClientProxy, NoProxyBypassesTheProxy) {
  TlsOrigin origin;
  ConnectProxy proxy;
  testing::TempDir dir;
  boost::asio::io_context ioc;
  ClientOptions options;
  options.ca_file = dir.write("ca.pem", origin.ca.ca_pem()).string();
  options.proxy.url = proxy.url();
  options.proxy.no_proxy = "example.com, LOCALHOST";
  BeastHttpClient client(ioc.get_executor(), options);
  auto result = testing::run_one(ioc, client, testing::get(origin.server.url("/", "localhost")));
  ASSERT_TRUE(result && *result) << result->error().message;
  EXPECT_EQ(proxy.accepts(), 0u);
}

TEST(ClientProxy, RefusalIsAProxyError) {
  for (int status : {407, 403}) {
    TlsOrigin origin;
    ConnectProxy proxy(status);
    boost::asio::io_context ioc;
    ClientOptions options;
    options.insecure_skip_verify = true;
    options.proxy.url = proxy.url();
    BeastHttpClient client(ioc.get_executor(), options);
    auto result = testing::run_one(ioc, client, testing::get(origin.server.url("/", "localhost")));
    ASSERT_TRUE(result && !*result);
    EXPECT_EQ(result->error().kind, ErrorKind::proxy);
    const auto& message = result->error().message;
    EXPECT_NE(message.find(std::to_string(status)), std::string::npos) << message;
    EXPECT_NE(message.find("proxy 127.0.0.1:" + std::to_string(proxy.port())), std::string::npos)
        << message;
    EXPECT_TRUE(origin.server.requests().empty());
  }
}

TEST(ClientProxy, UnreachableProxyIsAProxyError) {
  boost::asio::io_context ioc;
  ClientOptions options;
  {
    ConnectProxy gone;  // a port that was listening a moment ago
    options.proxy.url = gone.url();
  }
  BeastHttpClient client(ioc.get_executor(), options);
  auto result = testing::run_one(ioc, client, testing::get("https://localhost:1/"));
  ASSERT_TRUE(result && !*result);
  EXPECT_EQ(result->error().kind, ErrorKind::proxy) << result->error().message;
}

TEST(ClientProxy, PlainHttpIsSentInAbsoluteForm) {
  ConnectProxy proxy;
  boost::asio::io_context ioc;
  ClientOptions options;
  options.proxy.url = proxy.url();
  BeastHttpClient client(ioc.get_executor(), options);
  auto result = testing::run_one(ioc, client, testing::get("http://origin.test:8080/a/b?c=d"));
  ASSERT_TRUE(result && *result) << result->error().message;
  EXPECT_EQ((*result)->body, "via proxy");
  const auto seen = proxy.requests().at(0);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "http://origin.test:8080/a/b?c=d");
  EXPECT_EQ(seen.header("Host"), "origin.test:8080");
}

TEST(ClientProxy, InvalidProxyUrlIsAConfigurationError) {
  boost::asio::io_context ioc;
  ClientOptions options;
  options.proxy.url = "https://proxy.example:3128";  // TLS to the proxy: not supported
  EXPECT_THROW(BeastHttpClient(ioc.get_executor(), options), std::invalid_argument);
  options.proxy.url = "http://:3128";
  EXPECT_THROW(BeastHttpClient(ioc.get_executor(), options), std::invalid_argument);
}

TEST(ProxySettings, NoProxyMatching) {
  ProxySettings s{"http://proxy:3128", " internal.example ,.corp.example,10.1.2.3,[::1]"};
  EXPECT_TRUE(s.applies_to("api.optimizely.com"));
  EXPECT_FALSE(s.applies_to("internal.example"));
  EXPECT_FALSE(s.applies_to("cms.internal.example"));
  EXPECT_TRUE(s.applies_to("notinternal.example"));
  EXPECT_FALSE(s.applies_to("corp.example"));
  EXPECT_FALSE(s.applies_to("a.b.CORP.example"));
  EXPECT_FALSE(s.applies_to("10.1.2.3"));
  EXPECT_TRUE(s.applies_to("10.1.2.30"));
  EXPECT_FALSE(s.applies_to("::1"));
  EXPECT_FALSE((ProxySettings{"http://proxy:3128", "*"}).applies_to("anything"));
  EXPECT_FALSE((ProxySettings{"", ""}).applies_to("anything"));  // no proxy configured
}

TEST(ProxySettings, FromEnvironment) {
  const char* names[] = {"https_proxy", "HTTPS_PROXY", "http_proxy",
                         "HTTP_PROXY",  "no_proxy",    "NO_PROXY"};
  for (const char* name : names) ::unsetenv(name);
  EXPECT_FALSE(ProxySettings::from_environment().enabled());

  ::setenv("HTTP_PROXY", "http://ignored:1", 1);  // httpoxy: never read
  EXPECT_FALSE(ProxySettings::from_environment().enabled());
  ::setenv("http_proxy", "http://plain:3128", 1);
  EXPECT_EQ(ProxySettings::from_environment().url, "http://plain:3128");
  ::setenv("HTTPS_PROXY", "http://upper:3128", 1);
  EXPECT_EQ(ProxySettings::from_environment().url, "http://upper:3128");
  ::setenv("https_proxy", "http://lower:3128", 1);
  ::setenv("NO_PROXY", "localhost", 1);
  const auto s = ProxySettings::from_environment();
  EXPECT_EQ(s.url, "http://lower:3128");
  EXPECT_EQ(s.no_proxy, "localhost");
  for (const char* name : names) ::unsetenv(name);
}

TEST(ProxySettings, ParseProxyUrl) {
  auto p = parse_proxy_url("http://proxy.example:3128");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "proxy.example");
  EXPECT_EQ(p->port, "3128");
  EXPECT_EQ(p->authorization, "");
  p = parse_proxy_url("proxy.example");  // bare host: http, port 80
  ASSERT_TRUE(p);
  EXPECT_EQ(p->port, "80");
  p = parse_proxy_url("http://[::1]:8080");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->host, "::1");
  EXPECT_FALSE(parse_proxy_url("socks5://proxy:1080"));
  EXPECT_FALSE(parse_proxy_url("http://proxy:0"));
}

}  // namespace
}  // namespace feedsync::net
