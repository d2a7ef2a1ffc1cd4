#pragma once
// Problem details (RFC 9457, `application/problem+json`) as the CMS answers errors, turned into
// CmsError. Both dialects' shapes of `errors` are read: the flat model's field -> messages map
// and v1's [{field, detail}] list (api-notes.md "Errors"). OAuth token errors
// ({"error": "invalid_client", "error_description": ...}) and the {"error": {"code", "message"}}
// shape seen on other Optimizely endpoints parse into the same structure. Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cms/cms_error.hpp"
#include "net/http.hpp"

namespace feedsync::cms {

struct Problem {
  std::string type;
  std::string title;
  int status = 0;
  std::string detail;
  std::string code;  // `code` (string or number) or OAuth `error`
  std::vector<FieldError> errors;
};

// nullopt when the body is not a JSON object or carries none of the known members.
std::optional<Problem> parse_problem(std::string_view body);

// A failed response as a CmsError. Kind from net::classify_status (the one classification);
// callers special-case statuses *before* calling this (409 on create, 404 on delete).
// Message: "<context>: HTTP 422 Unprocessable Entity: <detail> (code X); properties.Heading:
// The Heading field is required." Long server texts are cut; a body that is not problem
// details is not quoted (it may be an HTML error page), except a short text/plain line.
CmsError error_from_response(const net::Response& response, std::string_view context);

// No response at all: kind from net::classify_error, `transport` set.
CmsError error_from_failure(const net::Error& error, std::string_view context);

// `text` cut to `limit` bytes at a UTF-8 boundary, with "…" when cut.
std::string clip(std::string_view text, std::size_t limit);

}  // namespace feedsync::cms
