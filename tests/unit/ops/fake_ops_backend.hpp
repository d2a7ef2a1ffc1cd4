#pragma once
// An OpsBackend whose answers the test sets and whose admin calls it records. Touched from the
// test thread and the server's loop thread, so every member goes through one mutex.

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ops/ops_backend.hpp"

namespace feedsync::ops::testing {

class FakeOpsBackend : public OpsBackend {
 public:
  struct Call {
    std::string action;
    std::optional<std::string> feed;
    std::optional<std::string> guid;
    bool operator==(const Call&) const = default;
  };

  // --- set by the test ---
  void set_checks(std::vector<ReadinessCheck> checks) { with_lock([&] { checks_ = std::move(checks); }); }
  void set_liveness_problem(std::optional<std::string> problem) {
    with_lock([&] { liveness_problem_ = std::move(problem); });
  }
  void set_status_json(std::string json) { with_lock([&] { status_json_ = std::move(json); }); }
  void set_metrics(std::string text) { with_lock([&] { metrics_ = std::move(text); }); }
  void set_feeds(std::set<std::string> feeds) { with_lock([&] { feeds_ = std::move(feeds); }); }
  void set_guids(std::set<std::string> guids) { with_lock([&] { guids_ = std::move(guids); }); }

  // --- read by the test ---
  std::vector<Call> calls() const { return with_lock([&] { return calls_; }); }
  int backend_calls() const { return with_lock([&] { return backend_calls_; }); }

  // --- OpsBackend ---
  // Not counted as a backend call: it is the process's own health, not a dependency's.
  std::optional<std::string> liveness_problem() const override {
    return with_lock([&] { return liveness_problem_; });
  }
  std::vector<ReadinessCheck> readiness() const override {
    return with_lock([&] { ++backend_calls_; return checks_; });
  }
  std::string status_json() const override {
    return with_lock([&] { ++backend_calls_; return status_json_; });
  }
  std::string metrics_text() const override {
    return with_lock([&] { ++backend_calls_; return metrics_; });
  }
  AdminResult trigger_sync(const std::string& feed) override { return feed_action("sync", feed, {}); }
  AdminResult pause(const std::string& feed) override { return feed_action("pause", feed, {}); }
  AdminResult resume(const std::string& feed) override { return feed_action("resume", feed, {}); }
  AdminResult approve_deletes(const std::string& feed) override {
    return feed_action("approve-deletes", feed, {});
  }
  AdminResult resync(const std::string& feed, const std::optional<std::string>& guid) override {
    return feed_action("resync", feed, guid);
  }
  AdminResult retry(const std::optional<std::string>& feed,
                    const std::optional<std::string>& guid) override {
    return with_lock([&] {
      ++backend_calls_;
      calls_.push_back({"retry", feed, guid});
      if (feed && !feeds_.count(*feed)) return AdminResult{404, "unknown feed " + *feed};
      return AdminResult{202, "retry requested"};
    });
  }

 private:
  AdminResult feed_action(const std::string& action, const std::string& feed,
                          const std::optional<std::string>& guid) {
    return with_lock([&] {
      ++backend_calls_;
      calls_.push_back({action, feed, guid});
      if (!feeds_.count(feed)) return AdminResult{404, "unknown feed " + feed};
      if (guid && !guids_.count(*guid)) return AdminResult{404, "unknown guid " + *guid};
      return AdminResult{202, action + " of " + feed + " requested"};
    });
  }

  template <class F>
  auto with_lock(F f) const -> decltype(f()) {
    std::lock_guard lock(mutex_);
    return f();
  }

  mutable std::mutex mutex_;
  mutable int backend_calls_ = 0;
  std::vector<ReadinessCheck> checks_;
  std::optional<std::string> liveness_problem_;
  std::string status_json_ = "{}";
  std::string metrics_;
  std::set<std::string> feeds_{"blog"};
  std::set<std::string> guids_;
  std::vector<Call> calls_;
};

}  // namespace feedsync::ops::testing
