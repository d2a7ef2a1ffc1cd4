// The built feedsync-sim binary as a script uses it: start on port 0, read the port line from
// stdout, fetch a page, stop it with SIGTERM.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit/net/server_test_support.hpp"

extern char** environ;

namespace {

using namespace std::chrono_literals;

// The child with its stdout on a pipe we read line by line (support/process.hpp only hands the
// output over at exit, and the port line is needed while the child runs).
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    if (rc != 0) throw std::runtime_error("spawn failed");
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }

  // One line of stdout, or "" if none came within `timeout`.
  std::string read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      const auto n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return "";
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    const auto nl = buffer_.find('\n');
    std::string line = buffer_.substr(0, nl);
    buffer_.erase(0, nl + 1);
    return line;
  }

  // The exit status, or -1 if the child did not exit within `timeout`.
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      pollfd p{out_, POLLIN, 0};
      ::poll(&p, 1, 20);  // also drains stdout so the child never blocks on a full pipe
      char chunk[4096];
      if (p.revents & POLLIN) (void)::read(out_, chunk, sizeof chunk);
    }
    return -1;
  }

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::string buffer_;
};

TEST(SimBinary, StartsPrintsItsPortServesAndStopsOnSigterm) {
  Child child({FEEDSYNC_SIM_BIN, "--generate", "50", "--seed", "3", "--print-ports", "--log-level", "warn"});
  const std::string line = child.read_line(20s);
  ASSERT_FALSE(line.empty()) << "no port line";
  const auto ports = boost::json::parse(line);
  const auto port = static_cast<unsigned short>(ports.at("port").as_int64());
  EXPECT_GT(port, 0);
  EXPECT_EQ(ports.at("base_url").as_string(), "http://127.0.0.1:" + std::to_string(port));

  auto client = feedsync::net::testing::connect_client(port);
  ASSERT_FALSE(client->write(feedsync::net::testing::get_request(
      "/v2/feed/simfeed0000000000000000000000001?format=json&fields=guid,modified_at&pagesize=999")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(boost::json::parse(response->body).at("entries").as_array().size(), 50u);

  ::kill(child.pid(), SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
}

// One request on a fresh connection: {status, body}.
std::pair<int, std::string> send(unsigned short port, const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& token = "") {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  auto client = feedsync::net::testing::connect_client(port);
  if (client->write(request)) throw std::runtime_error("write failed");
  auto response = client->read_response();
  if (!response) throw std::runtime_error("no response");
  return {response->status, response->body};
}

TEST(SimBinary, CmsRefuseStatusOnCreateFlag) {
  Child child({FEEDSYNC_SIM_BIN, "--print-ports", "--log-level", "warn", "--cms-refuse-status-on-create"});
  const std::string line = child.read_line(20s);
  ASSERT_FALSE(line.empty()) << "no port line";
  const auto port = static_cast<unsigned short>(boost::json::parse(line).at("port").as_int64());
  auto [token_status, token_body] =
      send(port, "POST", "/_cms/version2/oauth/token",
           R"({"grant_type":"client_credentials","client_id":"sim-client","client_secret":"sim-secret"})");
  ASSERT_EQ(token_status, 200) << token_body;
  const std::string token(boost::json::parse(token_body).at("access_token").as_string());
  const std::string create = R"({"key":"6946107a8ad6414f8f1786364dab1ec2","contentType":"ArticlePage",)"
                             R"("container":"43f936c99b234ea397b261c538ad07c9","locale":"en",)"
                             R"("displayName":"Hello","status":"published"})";
  auto [status, body] = send(port, "POST", "/_cms/version2/content", create, token);
  EXPECT_EQ(status, 400) << body;
  EXPECT_TRUE(boost::json::parse(body).at("errors").as_object().contains("status")) << body;
  ::kill(child.pid(), SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
}

TEST(SimBinary, CmsRouteCollisionFlag) {
  Child child({FEEDSYNC_SIM_BIN, "--print-ports", "--log-level", "warn", "--cms-route-collision", "409"});
  const std::string line = child.read_line(20s);
  ASSERT_FALSE(line.empty()) << "no port line";
  const auto port = static_cast<unsigned short>(boost::json::parse(line).at("port").as_int64());
  auto [token_status, token_body] =
      send(port, "POST", "/_cms/version2/oauth/token",
           R"({"grant_type":"client_credentials","client_id":"sim-client","client_secret":"sim-secret"})");
  ASSERT_EQ(token_status, 200) << token_body;
  const std::string token(boost::json::parse(token_body).at("access_token").as_string());
  auto create = [&](const std::string& key) {
    return send(port, "POST", "/_cms/version2/content",
                R"({"key":")" + key + R"(","contentType":"ArticlePage","container":"43f936c99b234ea397b261c538ad07c9",)"
                R"("locale":"en","displayName":"Hello","routeSegment":"hello"})",
                token);
  };
  EXPECT_EQ(create("6946107a8ad6414f8f1786364dab1ec2").first, 201);
  auto [status, body] = create("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(status, 409) << body;
  EXPECT_TRUE(boost::json::parse(body).at("errors").as_object().contains("routeSegment")) << body;
  ::kill(child.pid(), SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
  Child bad({FEEDSYNC_SIM_BIN, "--cms-route-collision", "418"});
  EXPECT_EQ(bad.wait(10s), 2);
}

TEST(SimBinary, FeedApiSwitchesFromTheCommandLine) {
  Child child({FEEDSYNC_SIM_BIN, "--print-ports", "--log-level", "warn", "--page-cap", "233", "--fields", "flat"});
  const std::string line = child.read_line(20s);
  ASSERT_FALSE(line.empty()) << "no port line";
  const auto port = static_cast<unsigned short>(boost::json::parse(line).at("port").as_int64());
  auto [status, body] = send(port, "GET", "/_sim/feed-api", "");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(boost::json::parse(body), boost::json::parse(R"({"page_cap":233,"fields":"flat"})"));
  ::kill(child.pid(), SIGTERM);
  EXPECT_EQ(child.wait(10s), 0);
  Child bad({FEEDSYNC_SIM_BIN, "--fields", "sometimes"});
  EXPECT_EQ(bad.wait(10s), 2);

  // A failing Deleted Feed from the command line: a fault rule installed at start.
  Child failing({FEEDSYNC_SIM_BIN, "--print-ports", "--log-level", "warn", "--fault",
                 R"({"api":"feed","path":"deleted","action":"status","status":500})"});
  const std::string failing_line = failing.read_line(20s);
  ASSERT_FALSE(failing_line.empty()) << "no port line";
  const auto failing_port = static_cast<unsigned short>(boost::json::parse(failing_line).at("port").as_int64());
  EXPECT_EQ(send(failing_port, "GET", "/v2/feed/simfeed0000000000000000000000001deleted?format=json", "").first, 500);
  EXPECT_EQ(send(failing_port, "GET", "/v2/feed/simfeed0000000000000000000000001?format=json", "").first, 200);
  ::kill(failing.pid(), SIGTERM);
  EXPECT_EQ(failing.wait(10s), 0);
  Child broken({FEEDSYNC_SIM_BIN, "--fault", "{\"action\":\"explode\"}"});
  EXPECT_EQ(broken.wait(10s), 1);
}

TEST(SimBinary, RejectsABadListenAddress) {
  Child child({FEEDSYNC_SIM_BIN, "--listen", "nonsense"});
  EXPECT_EQ(child.wait(10s), 2);
}

}  // namespace
