#include "cms/token_request.hpp"

#include <cctype>

#include <openssl/evp.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cmath>

#include "cms/problem_details.hpp"
#include "core/strings.hpp"
#include "log/log.hpp"

namespace feedsync::cms {
namespace json = boost::json;
namespace urls = boost::urls;

namespace {

// application/x-www-form-urlencoded: everything but unreserved is escaped, so '+' in a secret
// becomes %2B and is not read back as a space.
std::string form_encode(std::string_view text) {
  urls::encoding_opts opts;
  opts.space_as_plus = true;
  return urls::encode(text, urls::unreserved_chars, opts);
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string safe(std::string_view server_text, const TokenOptions& options) {
  // Redact before clipping: a cut could leave half a secret that no longer matches.
  return clip(log::redact(server_text, {options.client_secret.reveal()}), 300);
}

std::optional<std::chrono::seconds> read_lifetime(const json::value* value) {
  if (!value) return std::nullopt;
  double seconds = 0;
  if (value->is_int64()) {
    seconds = static_cast<double>(value->as_int64());
  } else if (value->is_uint64()) {
    seconds = static_cast<double>(value->as_uint64());
  } else if (value->is_double()) {
    seconds = value->as_double();
  } else if (value->is_string()) {  // some gateways send "300"
    try {
      seconds = std::stod(std::string(value->as_string()));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(seconds) || seconds < 1 || seconds > 365.0 * 24 * 3600) return std::nullopt;
  return std::chrono::seconds(static_cast<std::int64_t>(seconds));
}

// Content-Type application/json or any +json type.
bool says_json(const net::Response& response) {
  const auto type = response.headers.get("Content-Type");
  if (!type) return false;
  std::string text(*type);
  text = text.substr(0, text.find(';'));
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text == "application/json" || text.ends_with("+json");
}

CmsError auth_error(std::string message, int status) {
  return make_error(CmsErrorKind::auth, std::move(message), status);
}

}  // namespace

TokenOptions token_options(const config::CmsConfig& cms) {
  TokenOptions options;
  options.token_url = cms.token_url;
  options.client_id = cms.client_id;
  options.client_secret = cms.client_secret;
  options.act_as = cms.act_as;
  options.timeout = cms.timeout;
  options.style = cms.token_request == config::TokenRequest::form ? TokenRequestStyle::form_basic
                                                                   : TokenRequestStyle::json_body;
  options.refresh_skew = cms.token_refresh_skew;
  return options;
}

std::string token_endpoint_name(const std::string& token_url) {
  auto parsed = urls::parse_absolute_uri(token_url);
  if (!parsed) return "the configured token_url";
  return std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_host_and_port()) +
         std::string(parsed->encoded_path());
}

net::Request build_token_request(const TokenOptions& options) {
  net::Request request;
  request.method = net::Method::post;
  request.url = options.token_url;
  request.timeout = options.timeout;
  request.max_body = 64 * 1024;
  // Asking twice only issues a second token: safe to resend after a timeout.
  request.idempotent = true;
  request.headers.set("Accept", "application/json");
  if (options.style == TokenRequestStyle::json_body) {
    json::object body{{"grant_type", "client_credentials"},
                      {"client_id", options.client_id},
                      {"client_secret", options.client_secret.reveal()}};
    if (options.act_as) body["act_as"] = *options.act_as;
    request.headers.set("Content-Type", "application/json");
    request.body = json::serialize(body);
  } else {
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    request.headers.set("Authorization",
                        "Basic " + base64(form_encode(options.client_id) + ":" +
                                          form_encode(options.client_secret.reveal())));
    request.body = "grant_type=client_credentials";
    if (options.act_as) request.body += "&act_as=" + form_encode(*options.act_as);
  }
  return request;
}

Expected<IssuedToken, CmsError> read_token_reply(const net::Result& result, const TokenOptions& options) {
  const std::string where = "CMS token request to " + token_endpoint_name(options.token_url);
  if (!result) {
    CmsError error = error_from_failure(result.error(), where);
    // No answer at all (network, TLS: an untrusted or expired certificate, a wrong host) is the
    // endpoint's trouble, not rejected credentials: reported as what it is and retried with
    // backoff like a 5xx (issue 15). Only an unusable URL is configuration.
    if (error.kind == CmsErrorKind::permanent) {
      error.kind = result.error().kind == net::ErrorKind::invalid_url ? CmsErrorKind::auth : CmsErrorKind::retryable;
    }
    error.message = log::redact(error.message, {options.client_secret.reveal()});
    return unexpected(std::move(error));
  }
  const net::Response& response = *result;
  const net::Disposition disposition = net::classify_status(response.status);
  if (disposition == net::Disposition::retryable) {
    CmsError error = make_error(CmsErrorKind::retryable, where + ": HTTP " + std::to_string(response.status), response.status);
    if (auto wait = response.headers.get("Retry-After")) error.retry_after = std::string(*wait);
    return unexpected(std::move(error));
  }
  if (disposition != net::Disposition::success || response.status >= 300) {
    std::string message = where + " was rejected: HTTP " + std::to_string(response.status);
    std::string code;
    if (auto problem = parse_problem(response.body)) {
      code = safe(problem->code, options);
      if (!code.empty()) message += " " + code;
      const std::string& text = problem->detail.empty() ? problem->title : problem->detail;
      if (!text.empty()) message += " (" + safe(text, options) + ")";
    }
    if (code == "invalid_client" || code == "unauthorized_client" || response.status == 401) {
      message += "; check cms.client_id and the client secret";
    } else if (code == "invalid_grant") {
      message += "; check that the API client may use the client_credentials grant" +
                 std::string(options.act_as ? " and act as the configured act_as user" : "");
    } else if (response.status == 404 || response.status == 405) {
      message += "; check cms.token_url";
    }
    CmsError error = auth_error(std::move(message), response.status);
    error.code = std::move(code);
    return unexpected(std::move(error));
  }
  boost::system::error_code ec;
  json::value body = json::parse(response.body, ec);
  if (ec && says_json(response)) {
    // A JSON answer cut short or garbled on the way (issue 21): the endpoint's trouble, retried
    // with backoff like a 5xx. A page that is not JSON at all stays "check cms.token_url".
    return unexpected(make_error(CmsErrorKind::retryable,
                                 where + ": HTTP " + std::to_string(response.status) +
                                     " with a JSON body that does not parse (" + ec.message() + ")",
                                 response.status));
  }
  const json::object* object = !ec ? body.if_object() : nullptr;
  const json::value* token = object ? object->if_contains("access_token") : nullptr;
  if (!token || !token->is_string() || token->as_string().empty()) {
    return unexpected(auth_error(where + ": HTTP " + std::to_string(response.status) +
                                     " without an access_token; check cms.token_url",
                                 response.status));
  }
  if (const auto* type = object->if_contains("token_type"); type && type->is_string()) {
    if (!iequals_ascii(type->as_string(), "bearer"))
      return unexpected(auth_error(where + ": token_type '" + safe(type->as_string(), options) +
                                       "' is not Bearer",
                                   response.status));
  }
  IssuedToken issued;
  issued.access_token = std::string(token->as_string());
  issued.lifetime = read_lifetime(object->if_contains("expires_in")).value_or(options.default_lifetime);
  return issued;
}

}  // namespace feedsync::cms
