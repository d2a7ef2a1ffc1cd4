#pragma once
// An EngineControl that records what the ops backend asked of the engine and reports the token
// state the test sets.

#include <string>
#include <vector>

#include "ops/engine_control.hpp"

namespace feedsync::ops::testing {

class FakeEngineControl final : public EngineControl {
 public:
  void trigger(const std::string& feed) override { triggered.push_back(feed); }
  void wake_relay() override { ++relay_wakes; }
  CmsTokenStatus token_status() const override { return token; }

  std::vector<std::string> triggered;
  int relay_wakes = 0;
  CmsTokenStatus token{.auth_failed = false, .state = "valid", .reason = ""};
};

}  // namespace feedsync::ops::testing
