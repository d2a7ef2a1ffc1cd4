#pragma once
// How a CMS or canonical-link call failed, classified once (DESIGN.md §4): the relay decides
// retry / dead-letter / stop from `kind` alone and shows `message` to people. Messages name the
// article (feed, guid, key), the operation, the fields the CMS complained about and its own
// words; never a token, a secret or a request body.

#include <string>
#include <string_view>
#include <vector>

#include "net/retry_policy.hpp"

namespace feedsync::cms {

// The article a call is made for; only used to say so in messages and logs.
struct ArticleRef {
  std::string feed;
  std::string guid;
  std::string key;  // CMS content key (32 lowercase hex)
};
// "feed=blog guid=a1 key=9f0c..."
std::string describe(const ArticleRef& article);

enum class CmsErrorKind {
  retryable,  // try again later with backoff (the HTTP decorator already retried in the short term)
  auth,       // no usable token (rejected credentials, or a fresh token got 401): stop writing,
              // do not dead-letter the article; TokenSource::status() says why
  permanent,  // this operation cannot succeed as it is: dead-letter with the message
  cancelled,  // shutdown: neither a success nor a failure
};
std::string_view to_string(CmsErrorKind kind);
// net::Disposition other than success -> kind (success maps to permanent: a caller bug).
CmsErrorKind kind_of(net::Disposition disposition);

struct FieldError {
  std::string field;    // "properties.Heading", "displayName"
  std::string message;  // the CMS's words
};

struct CmsError {
  CmsErrorKind kind = CmsErrorKind::permanent;
  int status = 0;          // HTTP status of the failing response; 0 when there was none
  // No HTTP response at all (DNS, connect, TLS, timeout...): a problem of the origin, not of the
  // article, so the relay fails the cycle instead of dead-lettering on a permanent one.
  bool transport = false;
  std::string code;        // problem-details `code` / OAuth `error`, when given
  // The failing response's Retry-After as sent (seconds or an HTTP-date), empty without one;
  // the relay waits at least that long (capped by engine.max_retry_backoff) before retrying.
  std::string retry_after;
  std::string message;
  std::vector<FieldError> field_errors;
};

CmsError make_error(CmsErrorKind kind, std::string message, int status = 0);

}  // namespace feedsync::cms
