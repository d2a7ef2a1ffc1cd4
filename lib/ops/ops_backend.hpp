#pragma once
// What the HTTP operating surface (ops_api.hpp) needs from the daemon. The daemon implements it
// over its engine, store and registry; tests use a fake. Keeping the engine behind this small
// interface lets lib/ops serve /readyz, /status and the admin API without depending on
// lib/engine, and lets the endpoints be tested without a CMS or a feed.
//
// Every member is called on the event-loop thread, from a request handler, and must return
// promptly (a short store query is fine, waiting for the network is not): admin actions
// schedule their work and answer 202 rather than running it. Nothing returned here may contain
// a secret (client secret, admin token): it goes out in an HTTP response as is.

#include <optional>
#include <string>
#include <vector>

namespace feedsync::ops {

// One line of /readyz. `name` is short and stable (`config`, `store`, `cms_token`, `feed:blog`,
// `deletes_held:blog`); `detail` says why it failed, in one line ("last success 12m ago,
// interval 1m"); it may be empty when ok.
struct ReadinessCheck {
  std::string name;
  bool ok = true;
  std::string detail;
};

// The answer to an admin action, sent as the HTTP status and a JSON {"message": ...} body:
// 202 accepted (recorded; the engine acts on it at the feed's next poll), 200 done, 404 unknown
// feed or guid. `message` is for a human and is one line.
struct AdminResult {
  int status = 202;
  std::string message;
};

class OpsBackend {
 public:
  virtual ~OpsBackend() = default;

  // Why /livez should fail ("event loop stalled for 12034 ms"), or nullopt while the daemon is
  // live. Only the process's own health (loop_lag.hpp), never a dependency: a CMS or store
  // outage must not make a liveness probe restart the daemon.
  virtual std::optional<std::string> liveness_problem() const { return std::nullopt; }
  // Every check /readyz and /healthz report; ready when all are ok (and when there are none).
  virtual std::vector<ReadinessCheck> readiness() const = 0;
  // The same JSON `feedsyncd status -o json` prints (ops::render_status_json).
  virtual std::string status_json() const = 0;
  // The Prometheus text exposition (the daemon's ops::Registry::render()).
  virtual std::string metrics_text() const = 0;

  // Admin actions, the HTTP twins of the CLI commands of the same names.
  virtual AdminResult trigger_sync(const std::string& feed) = 0;
  virtual AdminResult pause(const std::string& feed) = 0;
  virtual AdminResult resume(const std::string& feed) = 0;
  virtual AdminResult approve_deletes(const std::string& feed) = 0;
  // Re-push one article, or every article of the feed when `guid` is absent.
  virtual AdminResult resync(const std::string& feed, const std::optional<std::string>& guid) = 0;
  // Requeues dead letters: all of them, one feed's, one guid's (in any feed, as the CLI's
  // `retry --guid`), or one article's.
  virtual AdminResult retry(const std::optional<std::string>& feed,
                            const std::optional<std::string>& guid) = 0;
};

}  // namespace feedsync::ops
