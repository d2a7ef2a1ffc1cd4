#pragma once
// feedsync-sim as a child process for end-to-end tests: started on port 0, its port read from
// the line --print-ports writes, controlled over HTTP (/_sim/...), killed with the test.

#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>
#include <sys/types.h>

namespace feedsync::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (the message says why)
  std::string body;
  boost::json::value json() const;  // throws if the body is not JSON
};

// One blocking request through lib/net's client; for test set-up and checks, not for speed.
HttpReply http_request(const std::string& method, const std::string& url, const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

// config/demo.yaml as text: the configuration every end-to-end test starts from (it takes the
// simulator's URL, the state path and the CMS secret from the environment). In the CMS dialect
// the suite runs in (below).
std::string demo_config();

// The end-to-end suites run twice (tests/e2e/CMakeLists.txt): in the flat dialect of
// config/demo.yaml (/_cms/version2), and with FEEDSYNC_E2E_CMS_API=v1 in v1 (/v1, tokens at the
// host root), the default dialect. These give the paths of the one in use.
bool e2e_cms_v1();
std::string cms_base_path();   // "/_cms/version2" | "/v1"
std::string cms_token_path();  // "/_cms/version2/oauth/token" | "/oauth/token"

class SimProcess {
 public:
  // `args` are added to: --listen 127.0.0.1:0 --print-ports --log-level warn.
  explicit SimProcess(const std::vector<std::string>& args);
  ~SimProcess();  // SIGKILL if still running
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  const std::string& base_url() const { return base_url_; }
  HttpReply get(const std::string& path) const { return http_request("GET", base_url_ + path); }
  HttpReply post(const std::string& path, const std::string& body = "{}") const {
    return http_request("POST", base_url_ + path, body);
  }
  HttpReply patch(const std::string& path, const std::string& body) const {
    return http_request("PATCH", base_url_ + path, body);
  }
  HttpReply put(const std::string& path, const std::string& body) const {
    return http_request("PUT", base_url_ + path, body);
  }
  HttpReply del(const std::string& path) const { return http_request("DELETE", base_url_ + path); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string base_url_;
};

}  // namespace feedsync::testing
