// The CMS simulator's OAuth token endpoint and the bearer check on content routes.

#include "unit/sim/cms_test_support.hpp"

namespace feedsync::sim::testing {
namespace {

using net::Method;

class CmsTokenTest : public CmsTest {
 protected:
  Reply token_request(const std::string& path, const std::string& body, std::vector<net::Header> headers) {
    return send(Method::post, path, body, std::move(headers));
  }
  Reply form(const std::string& body, std::vector<net::Header> headers = {}) {
    headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    return token_request(std::string(kFlat) + "/oauth/token", body, std::move(headers));
  }
  Reply json_body(const json::object& body, const std::string& path = std::string(kFlat) + "/oauth/token") {
    return token_request(path, json::serialize(body), {{"Content-Type", "application/json"}});
  }
  static json::object credentials(const std::string& id = "sim-client", const std::string& secret = "sim-secret") {
    return {{"grant_type", "client_credentials"}, {"client_id", id}, {"client_secret", secret}};
  }
  Reply list_root(const std::string& token) {
    return send(Method::get, content(kRoot) + "/items", {}, {{"Authorization", "Bearer " + token}});
  }
};

TEST_F(CmsTokenTest, JsonBodyIssuesBearerTokenOnEveryTokenPath) {
  for (std::string path : {std::string(kFlat) + "/oauth/token", std::string(kV1) + "/oauth/token", std::string("/oauth/token")}) {
    auto reply = json_body(credentials(), path);
    ASSERT_EQ(reply.status, 200) << path << " " << reply.body;
    auto body = reply.object();
    EXPECT_EQ(body.at("token_type"), "Bearer");
    EXPECT_EQ(body.at("expires_in"), 300);
    EXPECT_FALSE(body.at("access_token").as_string().empty());
    EXPECT_EQ(reply.header("Cache-Control"), "no-store");
    EXPECT_EQ(list_root(std::string(body.at("access_token").as_string())).status, 200);
  }
}

TEST_F(CmsTokenTest, FormWithBasicOrFormFields) {
  // "sim-client:sim-secret" in base64.
  auto basic = form("grant_type=client_credentials", {{"Authorization", "Basic c2ltLWNsaWVudDpzaW0tc2VjcmV0"}});
  ASSERT_EQ(basic.status, 200) << basic.body;
  EXPECT_EQ(basic.object().at("token_type"), "Bearer");

  auto fields = form("grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret");
  ASSERT_EQ(fields.status, 200) << fields.body;

  // Both methods at once is ambiguous (RFC 6749 §2.3).
  auto both = form("grant_type=client_credentials&client_secret=sim-secret",
                   {{"Authorization", "Basic c2ltLWNsaWVudDpzaW0tc2VjcmV0"}});
  EXPECT_EQ(both.status, 400);
  EXPECT_EQ(both.object().at("error"), "invalid_request");
}

TEST_F(CmsTokenTest, BadCredentialsAreInvalidClient) {
  auto wrong_secret = json_body(credentials("sim-client", "nope"));
  EXPECT_EQ(wrong_secret.status, 400);
  EXPECT_EQ(wrong_secret.object().at("error"), "invalid_client");

  // "sim-client:wrong"
  auto basic = form("grant_type=client_credentials", {{"Authorization", "Basic c2ltLWNsaWVudDp3cm9uZw=="}});
  EXPECT_EQ(basic.status, 400);
  EXPECT_EQ(basic.object().at("error"), "invalid_client");

  auto missing = json_body({{"grant_type", "client_credentials"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.object().at("error"), "invalid_client");
}

TEST_F(CmsTokenTest, GrantTypeAndBodyFormatAreChecked) {
  auto body = credentials();
  body.erase("grant_type");
  auto no_grant = json_body(body);
  EXPECT_EQ(no_grant.status, 400);
  EXPECT_EQ(no_grant.object().at("error"), "invalid_request");

  body["grant_type"] = "password";
  auto wrong_grant = json_body(body);
  EXPECT_EQ(wrong_grant.status, 400);
  EXPECT_EQ(wrong_grant.object().at("error"), "unsupported_grant_type");

  auto text = token_request(std::string(kFlat) + "/oauth/token", "grant_type=client_credentials",
                            {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(text.object().at("error"), "invalid_request");
}

TEST_F(CmsTokenTest, ContentRoutesNeedABearerToken) {
  auto none = send(Method::get, content(kRoot) + "/items");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(none.object().at("status"), 401);

  auto bogus = list_root("not-a-token");
  EXPECT_EQ(bogus.status, 401);
  EXPECT_EQ(bogus.header("WWW-Authenticate"), "Bearer error=\"invalid_token\"");

  // v1 routes answer in their own problem shape, but the same way.
  auto v1 = send(Method::get, std::string(kV1) + "/content/" + kRoot + "/items");
  EXPECT_EQ(v1.status, 401);
}

TEST_F(CmsTokenTest, TokensExpireOnTheSimulatedClock) {
  std::string token = fetch_token();
  advance(299s);
  EXPECT_EQ(list_root(token).status, 200);
  advance(1s);
  auto expired = list_root(token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.object().at("detail"), "The access token has expired.");
  EXPECT_EQ(list_root(fetch_token()).status, 200);
}

TEST_F(CmsTokenTest, ControlSettersChangeLifetimeExpiryAndCredentials) {
  on_loop([](CmsSim& cms) {
    cms.set_token_lifetime(60s);
    return 0;
  });
  auto reply = json_body(credentials());
  EXPECT_EQ(reply.object().at("expires_in"), 60);
  std::string token(reply.object().at("access_token").as_string());
  EXPECT_EQ(list_root(token).status, 200);

  on_loop([](CmsSim& cms) {
    cms.expire_all_tokens();
    return 0;
  });
  EXPECT_EQ(list_root(token).status, 401);

  on_loop([](CmsSim& cms) {
    cms.set_credentials({{"other", "s3cret"}});
    return 0;
  });
  EXPECT_EQ(json_body(credentials()).status, 400);
  EXPECT_EQ(json_body(credentials("other", "s3cret")).status, 200);
}

TEST_F(CmsTokenTest, ActAsBecomesTheAuthorOfWrites) {
  auto body = credentials();
  body["act_as"] = "editor@example.com";
  token_ = std::string(json_body(body).object().at("access_token").as_string());
  auto created = post(content(), article(""));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.object().at("createdBy"), "editor@example.com");
}

}  // namespace
}  // namespace feedsync::sim::testing
