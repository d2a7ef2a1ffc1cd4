#include "ops/readiness.hpp"

#include <algorithm>
#include <iterator>

#include "ops/feed_readiness.hpp"
#include "ops/store_readiness.hpp"

namespace feedsync::ops {

ReadinessCheck cms_token_readiness(const CmsTokenStatus& token) {
  return {"cms_token", !token.auth_failed, token.auth_failed ? token.reason : token.state};
}

std::vector<ReadinessCheck> evaluate_readiness(const ReadinessInputs& in) {
  std::vector<ReadinessCheck> checks;
  checks.push_back({"config", true, "loaded from " + in.config.file.string()});
  checks.push_back(store_readiness(in.store_health, in.steady_now));
  checks.push_back(cms_token_readiness(in.token));
  for (const auto& feed : in.config.feeds) {
    const auto row = std::find_if(in.feed_rows.begin(), in.feed_rows.end(),
                                  [&](const store::FeedRow& r) { return r.name == feed.name; });
    auto feed_checks = feed_readiness(feed, row == in.feed_rows.end() ? nullptr : &*row, in.now_ms, in.uptime);
    std::move(feed_checks.begin(), feed_checks.end(), std::back_inserter(checks));
  }
  return checks;
}

}  // namespace feedsync::ops
