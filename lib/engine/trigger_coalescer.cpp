#include "engine/trigger_coalescer.hpp"

namespace feedsync::engine {

bool TriggerCoalescer::request(std::string_view feed, SteadyTime now) {
  if (!closes_at_) closes_at_ = now + window_;
  return pending_.emplace(feed).second;
}

std::optional<SteadyTime> TriggerCoalescer::due() const { return closes_at_; }

std::vector<std::string> TriggerCoalescer::take_due(SteadyTime now) {
  if (!closes_at_ || now < *closes_at_) return {};
  std::vector<std::string> feeds(pending_.begin(), pending_.end());
  pending_.clear();
  closes_at_.reset();
  return feeds;
}

}  // namespace feedsync::engine
