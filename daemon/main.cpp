// feedsyncd: wiring only. Parsing lives in cli.cpp, behaviour in commands.cpp and lib/.
#include <csignal>
#include <variant>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  // A peer that hangs up must cost an error code, not the process (systemd ignores SIGPIPE for
  // services too, but the CLI runs outside systemd).
  std::signal(SIGPIPE, SIG_IGN);
  auto parsed = feedsync::daemon::parse_cli(argc, argv);
  if (auto* exit = std::get_if<feedsync::daemon::CliExit>(&parsed)) return exit->status;
  return feedsync::daemon::dispatch(std::get<feedsync::daemon::CliRequest>(parsed));
}
