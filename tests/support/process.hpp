#pragma once
// Runs a built binary for end-to-end tests: arguments, extra environment, captured stdout and
// stderr, an exit status, and a deadline so a hung child fails the test instead of hanging it.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace feedsync::testing {

struct ProcessResult {
  int exit_status = -1;  // exit code, or 128 + signal number if killed by a signal
  std::string out;
  std::string err;
};

class Process {
 public:
  // Starts `binary` with `args`; `env` entries are added to (or override) the test's environment.
  Process(const std::string& binary, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env = {});
  ~Process();  // kills the child if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  // Reads stderr until it contains `needle` or the deadline passes; returns whether it appeared.
  bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout);
  const std::string& stderr_text() const { return err_; }  // what was read so far
  // Reads whatever the child has written so far without waiting, so its pipes never fill (a
  // full pipe blocks the child in write(), which looks like a hang of its own).
  void drain();
  void signal(int signo);
  // Waits for exit, draining both pipes; kills the child (and fails) after `timeout`.
  ProcessResult wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  bool pump(std::chrono::milliseconds timeout);  // one poll round; false on timeout
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::optional<int> status_;
};

// Convenience: start, wait, return.
ProcessResult run_process(const std::string& binary, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace feedsync::testing
