#pragma once
// The CMS's OAuth 2.0 client-credentials endpoint and the bearer-token check every content
// route makes (api-notes.md "Auth"). Tokens expire on the simulated clock (system_now()).
//
// POST {token_url} accepts `grant_type=client_credentials` with `client_id` and `client_secret`
// as a JSON body, or as a form (application/x-www-form-urlencoded) with the credentials in the
// fields or in HTTP Basic (not both); `act_as` (optional) becomes the actor of later writes.
// Errors are OAuth-shaped (`{"error", "error_description"}`, 400), not problem details:
// invalid_request, unsupported_grant_type, invalid_client.

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/expected.hpp"
#include "net/server_message.hpp"
#include "sim/cms_problem.hpp"
#include "sim/cms_sim.hpp"

namespace feedsync::sim {

class CmsTokens {
 public:
  CmsTokens(const Clock& clock, std::vector<CmsCredentials> credentials, std::chrono::seconds lifetime);

  net::ServerResponse issue(const net::ServerRequest& request);
  // Who the request's bearer token acts as; 401 (no, unknown or expired token) otherwise.
  Expected<std::string, CmsProblem> authenticate(const net::ServerRequest& request) const;

  void set_lifetime(std::chrono::seconds lifetime) { lifetime_ = lifetime; }
  void expire_all();
  void set_credentials(std::vector<CmsCredentials> credentials) { credentials_ = std::move(credentials); }

 private:
  struct Token {
    std::string actor;
    std::chrono::system_clock::time_point expires;
  };

  const Clock& clock_;
  std::vector<CmsCredentials> credentials_;
  std::chrono::seconds lifetime_;
  std::unordered_map<std::string, Token> tokens_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace feedsync::sim
