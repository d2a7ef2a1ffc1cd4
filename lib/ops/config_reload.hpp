#pragma once
// Reading the configuration again on SIGHUP (DESIGN.md §7): the file is validated as fully as at
// start-up (load_config compiles every mapping and reads every secret file), what cannot change
// without a restart is refused, and, like at start, the intervals are fitted to
// source.monthly_budget. The daemon applies the result (daemon/run.cpp).

#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace feedsync::store { class Store; }

namespace feedsync::ops {

// Why `next` cannot replace the `running` configuration without a restart (state.path moved),
// as a ConfigError message naming the file; nullopt when it can.
std::optional<std::string> reload_refusal(const config::Config& running, const config::Config& next);

// The file `running` came from, loaded and checked again. Throws config::ConfigError when it is
// invalid or refused (reload_refusal); logs the budget figures as at start-up.
std::shared_ptr<const config::Config> load_for_reload(const config::Config& running, const store::Store& store);

}  // namespace feedsync::ops
