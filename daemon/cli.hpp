#pragma once
// The command line of feedsyncd (DESIGN.md §7), parsed with CLI11 into a plain request that the
// commands act on. The subcommand names and options are a public contract.

#include <optional>
#include <string>
#include <variant>

namespace feedsync::daemon {

enum class Command {
  run, once, plan, check, status, retry, resync, pause, resume, approve_deletes, backup, audit,
  webhooks_register_cms
};

enum class OutputFormat { text, json };

struct CliRequest {
  Command command = Command::run;
  std::string config_path;
  OutputFormat output = OutputFormat::text;
  bool connect = false;              // check --connect
  std::optional<std::string> feed;   // plan/retry --feed, resync/pause/resume/approve-deletes FEED
  std::optional<std::string> guid;   // resync/retry --guid
  std::string backup_path;           // backup PATH
  std::string once_timeout = "30m";  // once --timeout: how long the outbox may take to drain
  bool repair = false;                // audit --repair
  bool rebuild_state = false;         // audit --rebuild-state
  std::string webhook_url;           // webhooks register-cms --url: where the CMS sends events
  bool dry_run = false;              // webhooks register-cms --dry-run: print the request only
};

// A parse that ended without a request: --help, --version (exit 0) or a usage error (exit 2).
// The text has already been printed.
struct CliExit {
  int status;
};

std::variant<CliRequest, CliExit> parse_cli(int argc, char** argv);

const char* command_name(Command command);

}  // namespace feedsync::daemon
