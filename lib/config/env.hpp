#pragma once
// ${VAR} expansion of configuration values. Internal to lib/config.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace feedsync::config::detail {

struct Expanded {
  std::string text;   // valid when error is empty
  std::string error;  // why expansion failed; never contains the value of a variable
};

// Replaces every ${NAME} with the variable's value and $$ with $. A "$" followed by anything
// else is an error rather than a literal, so "$HOME" cannot silently stay unexpanded.
Expanded expand_env(std::string_view raw, const Environment& env);

// The NAME when `raw` is exactly one "${NAME}" and nothing else, which is the only way a secret
// may be written in the YAML itself.
std::optional<std::string> sole_env_reference(std::string_view raw);

// "environment variable NAME is not set", with a hint where one helps.
std::string unset_variable_message(const std::string& name);

}  // namespace feedsync::config::detail
