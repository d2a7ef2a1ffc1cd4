#include "config/env.hpp"

#include <cstdlib>

namespace feedsync::config {

std::optional<std::string> Environment::get(const std::string& name) const {
  if (lookup) return lookup(name);
  // Read once at start-up on the main thread, before anything could call setenv.
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

namespace detail {
namespace {

bool is_name_start(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool is_variable_name(std::string_view name) {
  if (name.empty() || !is_name_start(name.front())) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

}  // namespace

std::string unset_variable_message(const std::string& name) {
  std::string message = "environment variable " + name + " is not set";
  if (name == "CREDENTIALS_DIRECTORY") {
    message +=
        " (systemd sets it for units with LoadCredential=; outside systemd, set it yourself)";
  }
  return message;
}

Expanded expand_env(std::string_view raw, const Environment& env) {
  Expanded out;
  std::size_t i = 0;
  while (i < raw.size()) {
    const std::size_t dollar = raw.find('$', i);
    if (dollar == std::string_view::npos) {
      out.text.append(raw.substr(i));
      break;
    }
    out.text.append(raw.substr(i, dollar - i));
    if (dollar + 1 < raw.size() && raw[dollar + 1] == '$') {
      out.text.push_back('$');
      i = dollar + 2;
      continue;
    }
    if (dollar + 1 >= raw.size() || raw[dollar + 1] != '{') {
      return {{}, "a \"$\" must start ${VARIABLE}; write $$ for a literal $"};
    }
    const std::size_t close = raw.find('}', dollar + 2);
    if (close == std::string_view::npos) return {{}, "unterminated \"${\": expected ${VARIABLE}"};
    const std::string name(raw.substr(dollar + 2, close - dollar - 2));
    if (!is_variable_name(name)) {
      return {{},
              "\"${" + name + "}\" is not a variable reference: names are letters, digits and _"};
    }
    const auto value = env.get(name);
    if (!value) return {{}, unset_variable_message(name)};
    out.text.append(*value);
    i = close + 1;
  }
  return out;
}

std::optional<std::string> sole_env_reference(std::string_view raw) {
  if (raw.size() < 4 || !raw.starts_with("${") || !raw.ends_with("}")) return std::nullopt;
  const std::string_view name = raw.substr(2, raw.size() - 3);
  if (!is_variable_name(name)) return std::nullopt;
  return std::string(name);
}

}  // namespace detail
}  // namespace feedsync::config
