#include "sim/cms_tokens.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

#include "core/strings.hpp"
#include "sim/cms_http.hpp"

namespace feedsync::sim {
namespace json = boost::json;
namespace urls = boost::urls;

namespace {

struct TokenRequest {
  std::optional<std::string> grant_type;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
  std::optional<std::string> act_as;
};

net::ServerResponse oauth_error(std::string error, std::string description) {
  json::object body{{"error", std::move(error)}, {"error_description", std::move(description)}};
  auto response = net::ServerResponse::json(400, json::serialize(body));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

std::optional<std::string> base64_decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as decoded zero bytes.
  std::size_t padding = in.ends_with("==") ? 2 : in.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// RFC 6749 §2.3.1: Basic credentials are form-encoded before base64.
std::string form_decode(std::string_view text) {
  auto pct = urls::make_pct_string_view(text);
  if (!pct) return std::string(text);
  urls::encoding_opts opt;
  opt.space_as_plus = true;
  return pct->decode(opt);
}

bool starts_with_scheme(std::string_view header, std::string_view scheme) {
  return header.size() > scheme.size() && header[scheme.size()] == ' ' && istarts_with_ascii(header, scheme);
}

// The body's fields, or the OAuth error to answer.
Expected<TokenRequest, net::ServerResponse> read_body(const net::ServerRequest& request) {
  TokenRequest out;
  if (media_type_is(request, "application/json")) {
    boost::system::error_code ec;
    json::value body = json::parse(request.body, ec);
    if (ec || !body.is_object()) return unexpected(oauth_error("invalid_request", "The body is not a JSON object."));
    for (auto [name, field] : {std::pair{"grant_type", &out.grant_type}, std::pair{"client_id", &out.client_id},
                               std::pair{"client_secret", &out.client_secret}, std::pair{"act_as", &out.act_as}}) {
      const json::value* v = body.as_object().if_contains(name);
      if (!v || v->is_null()) continue;
      if (!v->is_string())
        return unexpected(oauth_error("invalid_request", std::string(name) + " must be a string."));
      *field = std::string(v->as_string());
    }
  } else if (media_type_is(request, "application/x-www-form-urlencoded")) {
    auto query = urls::parse_query(request.body);
    if (!query) return unexpected(oauth_error("invalid_request", "The form body is malformed."));
    urls::encoding_opts opt;
    opt.space_as_plus = true;
    for (auto param : *query) {
      std::string key = param.key.decode(opt);
      std::string value = param.value.decode(opt);
      if (key == "grant_type") out.grant_type = value;
      if (key == "client_id") out.client_id = value;
      if (key == "client_secret") out.client_secret = value;
      if (key == "act_as") out.act_as = value;
    }
  } else {
    return unexpected(oauth_error(
        "invalid_request", "The body must be application/json or application/x-www-form-urlencoded."));
  }
  return out;
}

}  // namespace

CmsTokens::CmsTokens(const Clock& clock, std::vector<CmsCredentials> credentials, std::chrono::seconds lifetime)
    : clock_(clock), credentials_(std::move(credentials)), lifetime_(lifetime) {}

net::ServerResponse CmsTokens::issue(const net::ServerRequest& request) {
  auto body = read_body(request);
  if (!body) return std::move(body).error();
  TokenRequest& r = *body;

  if (auto header = request.headers.get("Authorization"); header && starts_with_scheme(*header, "Basic")) {
    auto decoded = base64_decode(header->substr(6));
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return oauth_error("invalid_client", "The Basic credentials are malformed.");
    std::string id = form_decode(std::string_view(*decoded).substr(0, colon));
    if (r.client_secret || (r.client_id && *r.client_id != id))
      return oauth_error("invalid_request", "Use one client authentication method: Basic or body fields.");
    r.client_id = id;
    r.client_secret = form_decode(std::string_view(*decoded).substr(colon + 1));
  }

  if (!r.grant_type) return oauth_error("invalid_request", "The grant_type parameter is required.");
  if (*r.grant_type != "client_credentials")
    return oauth_error("unsupported_grant_type", "Only the client_credentials grant is supported.");
  if (!r.client_id || !r.client_secret)
    return oauth_error("invalid_client", "Client authentication is required (client_id and client_secret).");
  bool known = false;
  for (const auto& c : credentials_) known = known || (c.client_id == *r.client_id && c.client_secret == *r.client_secret);
  if (!known) return oauth_error("invalid_client", "The client credentials are invalid.");

  auto now = clock_.system_now();
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.expires <= now; });
  char buffer[49];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx%016llx", static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()), static_cast<unsigned long long>(random_()));
  std::string actor = r.act_as && !r.act_as->empty() ? *r.act_as : *r.client_id;
  tokens_[buffer] = Token{std::move(actor), now + lifetime_};

  json::object reply{{"access_token", buffer}, {"token_type", "Bearer"}, {"expires_in", lifetime_.count()}};
  auto response = net::ServerResponse::json(200, json::serialize(reply));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

Expected<std::string, CmsProblem> CmsTokens::authenticate(const net::ServerRequest& request) const {
  auto header = request.headers.get("Authorization");
  if (!header || !starts_with_scheme(*header, "Bearer"))
    return unexpected(cms_problem(401, "A bearer token is required (Authorization: Bearer <token>)."));
  std::string_view token = header->substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto it = tokens_.find(std::string(token));
  if (it == tokens_.end()) return unexpected(cms_problem(401, "The access token is not valid."));
  if (it->second.expires <= clock_.system_now()) return unexpected(cms_problem(401, "The access token has expired."));
  return it->second.actor;
}

void CmsTokens::expire_all() {
  auto now = clock_.system_now();
  for (auto& [value, token] : tokens_) token.expires = std::min(token.expires, now);
}

}  // namespace feedsync::sim
