#include "ops/config_reload.hpp"

#include "ops/config_budget.hpp"

namespace feedsync::ops {

std::optional<std::string> reload_refusal(const config::Config& running, const config::Config& next) {
  if (next.state.path == running.state.path) return std::nullopt;
  return running.file.string() + ": state.path: cannot change while the daemon runs (" + running.state.path.string() +
         " -> " + next.state.path.string() + "); restart feedsyncd to move the state database";
}

std::shared_ptr<const config::Config> load_for_reload(const config::Config& running, const store::Store& store) {
  auto next = config::load_config(running.file);
  if (auto refusal = reload_refusal(running, next)) throw config::ConfigError(*refusal);
  return std::make_shared<const config::Config>(within_request_budget(std::move(next), store));
}

}  // namespace feedsync::ops
