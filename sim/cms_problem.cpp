#include "sim/cms_problem.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <string_view>
#include <utility>

namespace feedsync::sim {
namespace json = boost::json;

namespace {

struct StatusText {
  int status;
  std::string_view title;
  std::string_view code;
};

constexpr StatusText kStatuses[] = {
    {400, "Bad Request", "ValidationFailed"},  {401, "Unauthorized", "Unauthorized"},
    {403, "Forbidden", "Forbidden"},           {404, "Not Found", "NotFound"},
    {405, "Method Not Allowed", "MethodNotAllowed"},
    {409, "Conflict", "Conflict"},             {412, "Precondition Failed", "PreconditionFailed"},
    {415, "Unsupported Media Type", "UnsupportedMediaType"},
};

const StatusText& text_for(int status) {
  static constexpr StatusText other{500, "Internal Server Error", "InternalError"};
  for (const auto& s : kStatuses)
    if (s.status == status) return s;
  return other;
}

}  // namespace

CmsProblem cms_problem(int status, std::string detail) {
  return {status, std::string(text_for(status).code), std::move(detail), {}};
}

CmsProblem cms_invalid(std::vector<CmsFieldError> errors) {
  CmsProblem problem = cms_problem(400, "One or more fields are invalid.");
  if (errors.size() == 1) problem.detail = errors.front().message;
  problem.errors = std::move(errors);
  return problem;
}

CmsProblem cms_invalid(std::string field, std::string message) {
  return cms_invalid(std::vector<CmsFieldError>{{std::move(field), std::move(message)}});
}

net::ServerResponse problem_response(const CmsProblem& problem, CmsDialect dialect) {
  json::object body;
  body["type"] = "about:blank";
  body["title"] = text_for(problem.status).title;
  body["status"] = problem.status;
  body["detail"] = problem.detail;
  body["code"] = problem.code;
  if (!problem.errors.empty()) {
    if (dialect == CmsDialect::flat) {
      json::object errors;
      for (const auto& e : problem.errors) {
        auto& messages = errors[e.field];
        if (!messages.is_array()) messages = json::array();
        messages.as_array().emplace_back(e.message);
      }
      body["errors"] = std::move(errors);
    } else {
      json::array errors;
      for (const auto& e : problem.errors) errors.push_back(json::object{{"field", e.field}, {"detail", e.message}});
      body["errors"] = std::move(errors);
    }
  }
  auto response = net::ServerResponse::text(problem.status, json::serialize(body), "application/problem+json");
  if (problem.status == 401) response.headers.set("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace feedsync::sim
