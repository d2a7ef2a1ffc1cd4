#pragma once
// Problem details (RFC 9457, `application/problem+json`) as the CMS answers errors. The two
// dialects differ only in how field errors are listed: the flat model maps each field to its
// messages, v1 lists `{field, detail}` objects (api-notes.md "Errors").

#include <string>
#include <vector>

#include "net/server_message.hpp"

namespace feedsync::sim {

enum class CmsDialect { flat, v1 };

struct CmsFieldError {
  std::string field;
  std::string message;
};

struct CmsProblem {
  int status = 400;
  std::string code;  // machine-readable: "ValidationFailed", "NotFound", "Conflict", ...
  std::string detail;
  std::vector<CmsFieldError> errors;
};

// A problem for `status` with the code and title that status implies.
CmsProblem cms_problem(int status, std::string detail);
// 400 with one or more field errors.
CmsProblem cms_invalid(std::vector<CmsFieldError> errors);
CmsProblem cms_invalid(std::string field, std::string message);

net::ServerResponse problem_response(const CmsProblem& problem, CmsDialect dialect);

}  // namespace feedsync::sim
