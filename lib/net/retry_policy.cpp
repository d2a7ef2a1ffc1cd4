#include "net/retry_policy.hpp"

namespace feedsync::net {

std::string_view to_string(Disposition disposition) {
  switch (disposition) {
    case Disposition::success:
      return "success";
    case Disposition::retryable:
      return "retryable";
    case Disposition::auth:
      return "auth";
    case Disposition::permanent:
      return "permanent";
    case Disposition::cancelled:
      return "cancelled";
  }
  return "permanent";
}

Disposition classify_status(int status) {
  if (status >= 200 && status < 400) return Disposition::success;
  if (status == 401) return Disposition::auth;
  if (status == 408 || status == 429) return Disposition::retryable;
  if (status >= 500 && status < 600) return Disposition::retryable;
  // Other 4xx, and 1xx or out-of-range codes that a client should never hand out as final.
  return Disposition::permanent;
}

Disposition classify_error(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::resolve:
    case ErrorKind::connect:
    case ErrorKind::timeout:
    case ErrorKind::truncated:
    case ErrorKind::proxy:
    case ErrorKind::rate_limited:
    case ErrorKind::circuit_open:
      return Disposition::retryable;
    case ErrorKind::tls:
    case ErrorKind::invalid_url:
    case ErrorKind::body_too_large:
    case ErrorKind::protocol:
      return Disposition::permanent;
    case ErrorKind::cancelled:
      return Disposition::cancelled;
  }
  return Disposition::permanent;
}

Disposition classify(const Result& result) {
  return result ? classify_status(result->status) : classify_error(result.error().kind);
}

bool may_have_reached_server(const Result& result) {
  if (result) {
    // 408 and 429 say so by definition; 503 means the server could not handle it. Any other
    // status may come after partial processing (a 504 from a gateway certainly can).
    const int status = result->status;
    return !(status == 408 || status == 429 || status == 503);
  }
  switch (result.error().kind) {
    case ErrorKind::invalid_url:
    case ErrorKind::resolve:
    case ErrorKind::connect:
    case ErrorKind::tls:
    case ErrorKind::proxy:
    case ErrorKind::rate_limited:
    case ErrorKind::circuit_open:
      return false;
    case ErrorKind::timeout:
    case ErrorKind::truncated:
    case ErrorKind::body_too_large:
    case ErrorKind::protocol:
    case ErrorKind::cancelled:
      return true;
  }
  return true;
}

std::string describe(const Result& result) {
  if (result) return "HTTP " + std::to_string(result->status);
  std::string text(to_string(result.error().kind));
  if (!result.error().message.empty()) text += ": " + result.error().message;
  return text;
}

bool RetryPolicy::should_retry(int attempt, const Result& result, bool idempotent) const {
  if (attempt >= max_attempts) return false;
  if (classify(result) != Disposition::retryable) return false;
  // An open circuit stays open longer than a short retry's backoff: the caller's own schedule
  // (the relay's per-op backoff, the next poll) is the one that should apply.
  if (!result && result.error().kind == ErrorKind::circuit_open) return false;
  return idempotent || !may_have_reached_server(result);
}

}  // namespace feedsync::net
