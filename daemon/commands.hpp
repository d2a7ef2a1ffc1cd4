#pragma once
// One function per subcommand; each returns the process exit status. Errors a user can cause
// (config, store, lock) are reported on stderr / the log and mapped to exit codes here, so
// main() stays wiring only.

#include <string>
#include <vector>

#include "cli.hpp"

namespace feedsync::config { struct Config; }

namespace feedsync::daemon {

int dispatch(const CliRequest& request);

int run_check(const CliRequest& request, const config::Config& config);
int run_status(const CliRequest& request, const config::Config& config);
int run_backup(const CliRequest& request, const config::Config& config);
int run_daemon(const CliRequest& request, const config::Config& config);
int run_plan(const CliRequest& request, const config::Config& config);
int run_once(const CliRequest& request, const config::Config& config);
int run_audit(const CliRequest& request, const config::Config& config);
int run_register_cms_webhook(const CliRequest& request, const config::Config& config);

// Logging as the configuration says (also after a reload).
void configure_logging(const config::Config& config);
// What the log redacts: secrets and feed ids.
std::vector<std::string> redacted_values(const config::Config& config);

}  // namespace feedsync::daemon
