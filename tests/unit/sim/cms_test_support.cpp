// The bodies of cms_test_support.hpp, compiled once into feedsync_sim_test_support.
#include "unit/sim/cms_test_support.hpp"

#include <stdexcept>

namespace feedsync::sim::testing {

json::object expect_bad_request_problem(const Reply& reply) {
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), "application/problem+json");
  auto problem = reply.object();
  EXPECT_EQ(problem.at("type"), "about:blank");
  EXPECT_EQ(problem.at("title"), "Bad Request");
  EXPECT_EQ(problem.at("status"), 400);
  EXPECT_TRUE(problem.at("detail").is_string());
  return problem;
}

CmsTest::CmsTest(CmsSimOptions options) {
  cms_ = std::make_unique<CmsSim>(clock_, std::move(options));
  net::Router router;
  cms_->add_routes([&router](net::Method method, std::string pattern, std::string, net::Handler handler) {
    router.add(method, pattern, std::move(handler));
  });
  server_ = std::make_unique<TestServer>(net::ServerOptions{}, std::move(router));
}

CmsTest::~CmsTest() {
  server_.reset();  // stops the loop before the sim it calls into goes
}

void CmsTest::advance(std::chrono::seconds d) {
  token_.clear();
  server_->loop().call([&] { clock_.advance(d); });
}

Reply CmsTest::send(net::Method method, const std::string& target, const std::string& body,
                    std::vector<net::Header> headers) {
  std::string request = std::string(net::to_string(method)) + " " + target + " HTTP/1.1\r\nHost: test\r\n";
  for (const auto& h : headers) request += h.name + ": " + h.value + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  auto client = net::testing::connect_client(server_->port());
  if (auto ec = client->write(request)) throw std::runtime_error("write failed: " + ec.message());
  auto response = client->read_response();
  if (!response) throw std::runtime_error("no response to " + target);
  return Reply{response->status, std::move(response->headers), std::move(response->body)};
}

Reply CmsTest::call(net::Method method, const std::string& target, const std::string& body,
                    std::vector<net::Header> headers) {
  if (token_.empty()) token_ = fetch_token();
  headers.push_back({"Authorization", "Bearer " + token_});
  return send(method, target, body, std::move(headers));
}

Reply CmsTest::get(const std::string& target, std::vector<net::Header> headers) {
  return call(net::Method::get, target, {}, std::move(headers));
}

Reply CmsTest::post(const std::string& target, const json::value& body, std::vector<net::Header> headers) {
  headers.push_back({"Content-Type", "application/json"});
  return call(net::Method::post, target, json::serialize(body), std::move(headers));
}

Reply CmsTest::merge_patch(const std::string& target, const json::value& body, std::vector<net::Header> headers) {
  headers.push_back({"Content-Type", "application/merge-patch+json"});
  return call(net::Method::patch, target, json::serialize(body), std::move(headers));
}

Reply CmsTest::del(const std::string& target, std::vector<net::Header> headers) {
  return call(net::Method::delete_, target, {}, std::move(headers));
}

std::string CmsTest::fetch_token(const std::string& id, const std::string& secret) {
  json::object body{{"grant_type", "client_credentials"}, {"client_id", id}, {"client_secret", secret}};
  auto reply = send(net::Method::post, std::string(kFlat) + "/oauth/token", json::serialize(body),
                    {{"Content-Type", "application/json"}});
  if (reply.status != 200) throw std::runtime_error("token request failed: " + reply.body);
  return std::string(reply.object().at("access_token").as_string());
}

json::object CmsTest::article(const std::string& key, const std::string& name) {
  json::object body{{"contentType", "ArticlePage"}, {"locale", "en"},       {"container", kRoot},
                    {"displayName", name},         {"properties", json::object{{"Heading", name}}}};
  if (!key.empty()) body["key"] = key;
  return body;
}

}  // namespace feedsync::sim::testing
