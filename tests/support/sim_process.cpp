#include "support/sim_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include "net/beast_client.hpp"

extern char** environ;

namespace feedsync::testing {

namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("config/demo.yaml has no " + from);
  return text.replace(at, from.size(), to);
}

}  // namespace

bool e2e_cms_v1() {
  const char* api = std::getenv("FEEDSYNC_E2E_CMS_API");
  return api && std::string_view(api) == "v1";
}

std::string cms_base_path() { return e2e_cms_v1() ? "/v1" : "/_cms/version2"; }
std::string cms_token_path() { return e2e_cms_v1() ? "/oauth/token" : "/_cms/version2/oauth/token"; }

std::string demo_config() {
  std::ifstream in(std::string(FEEDSYNC_SOURCE_DIR) + "/config/demo.yaml");
  if (!in) throw std::runtime_error("cannot read config/demo.yaml");
  std::stringstream text;
  text << in.rdbuf();
  if (!e2e_cms_v1()) return text.str();
  std::string config = replaced(text.str(), "api: version2", "api: v1");
  config = replaced(config, "base_url: ${SIM_URL}/_cms/version2", "base_url: ${SIM_URL}/v1");
  return replaced(config, "token_url: ${SIM_URL}/_cms/version2/oauth/token", "token_url: ${SIM_URL}/oauth/token");
}

boost::json::value HttpReply::json() const { return boost::json::parse(body); }

HttpReply http_request(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::asio::io_context io;
  net::BeastHttpClient client(io.get_executor(), net::ClientOptions{});
  net::Request request;
  request.method = method == "POST"     ? net::Method::post
                   : method == "PUT"    ? net::Method::put
                   : method == "PATCH"  ? net::Method::patch
                   : method == "DELETE" ? net::Method::delete_
                                        : net::Method::get;
  request.url = url;
  request.body = body;
  if (!body.empty()) request.headers.add("Content-Type", "application/json");
  for (const auto& [name, value] : headers) request.headers.add(name, value);
  request.timeout = std::chrono::seconds(30);
  request.max_body = 256 * 1024 * 1024;  // read-backs of every CMS item run past the client's 1 MB default
  auto future = boost::asio::co_spawn(io, client.send(std::move(request)), boost::asio::use_future);
  io.run();
  auto result = future.get();
  if (!result) return {0, result.error().message};
  return {result->status, result->body};
}

SimProcess::SimProcess(const std::vector<std::string>& extra) {
  std::vector<std::string> args{FEEDSYNC_SIM_BIN, "--listen", "127.0.0.1:0", "--print-ports", "--log-level", "warn"};
  args.insert(args.end(), extra.begin(), extra.end());
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
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);

  // The port line: {"port":N,"base_url":"http://127.0.0.1:N"}
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("feedsync-sim printed no port line");
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[512];
    const auto n = ::read(out_, chunk, sizeof chunk);
    if (n <= 0) throw std::runtime_error("feedsync-sim exited before listening");
    line.append(chunk, static_cast<std::size_t>(n));
  }
  base_url_ = std::string(boost::json::parse(line.substr(0, line.find('\n'))).at("base_url").as_string());
}

SimProcess::~SimProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) ::close(out_);
}

}  // namespace feedsync::testing
