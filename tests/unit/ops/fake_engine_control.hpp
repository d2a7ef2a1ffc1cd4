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
  bool request_poll(const std::string& feed) override {
    if (feed == unknown_feed) return false;
    poll_requests.push_back(feed);
    return true;
  }
  void request_poll_all() override { poll_requests.push_back("*"); }
  void check_published(const std::optional<std::string>& cms_key) override {
    published_checks.push_back(cms_key.value_or("*"));
  }
  void wake_relay() override { ++relay_wakes; }
  CmsTokenStatus token_status() const override { return token; }

  std::vector<std::string> triggered;
  std::vector<std::string> poll_requests;  // "*" for request_poll_all()
  std::vector<std::string> published_checks;  // CMS keys; "*" for every waiting article
  std::string unknown_feed = "no-such-feed";  // request_poll answers false for it
  int relay_wakes = 0;
  CmsTokenStatus token{.auth_failed = false, .state = "valid", .reason = ""};
};

}  // namespace feedsync::ops::testing
