// feedsyncd: wiring only. Parsing lives in cli.cpp, behaviour in commands.cpp and lib/.
#include <variant>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  auto parsed = feedsync::daemon::parse_cli(argc, argv);
  if (auto* exit = std::get_if<feedsync::daemon::CliExit>(&parsed)) return exit->status;
  return feedsync::daemon::dispatch(std::get<feedsync::daemon::CliRequest>(parsed));
}
