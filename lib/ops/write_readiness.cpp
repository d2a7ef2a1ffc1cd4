#include "ops/write_readiness.hpp"

namespace feedsync::ops {

void WriteOutcomes::failure(Target target, std::string_view error, time_point now) {
  Health& h = target == Target::cms ? cms_ : canonical_;
  if (h.failures++ == 0) h.failing_since = now;
  h.last_error = std::string(error);
}

void WriteOutcomes::success(Target target) {
  Health& h = target == Target::cms ? cms_ : canonical_;
  h = Health{};
  h.succeeded = true;
}

ReadinessCheck WriteOutcomes::check(std::string name, std::string_view what, const Health& h, time_point now,
                                    std::chrono::milliseconds grace) {
  if (h.failures == 0) return {std::move(name), true, h.succeeded ? "writes go through" : "no writes yet"};
  const auto failing_for = now - h.failing_since.value_or(now);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(failing_for).count();
  const std::string detail = std::to_string(h.failures) + " " + std::string(what) +
                             (h.failures == 1 ? " call" : " calls") + " failed in " + std::to_string(seconds) +
                             "s, none succeeded since (retried with backoff): " + h.last_error;
  if (failing_for < grace) return {std::move(name), true, "failing: " + detail};
  return {std::move(name), false, detail};
}

std::vector<ReadinessCheck> WriteOutcomes::checks(time_point now, std::chrono::milliseconds grace) const {
  return {check("cms_writes", "CMS", cms_, now, grace),
          check("canonical_writes", "canonical-link", canonical_, now, grace)};
}

}  // namespace feedsync::ops
