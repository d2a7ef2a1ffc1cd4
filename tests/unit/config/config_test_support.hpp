#pragma once
// Shared by the config tests: a fake environment and a small valid configuration whose line
// numbers the error tests rely on.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace feedsync::config::testing {

inline Environment fake_env(std::map<std::string, std::string> vars) {
  return Environment{
      [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      }};
}

inline constexpr const char* kSecret = "s3cr3t-Value-42";

inline Environment default_env() { return fake_env({{"CMS_SECRET", kSecret}}); }

// Line numbers matter: tests append feed keys after line 15 (indented 4) and further feeds
// after that, and assert positions against these lines.
inline constexpr const char* kMinimal =
    "cms:\n"                                                                  // 1
    "  base_url: https://cms.example.com/_cms/version2\n"                     // 2
    "  token_url: https://cms.example.com/_cms/version2/oauth/token\n"        // 3
    "  client_id: feedsync\n"                                                 // 4
    "  client_secret: ${CMS_SECRET}\n"                                        // 5
    "canonical:\n"                                                            // 6
    "  url_template: \"https://www.example.com/{locale}/{route_segment}\"\n"  // 7
    "feeds:\n"                                                                // 8
    "  - name: blog\n"                                                        // 9
    "    feed_id: abc123\n"                                                   // 10
    "    content_type: ArticlePage\n"                                         // 11
    "    container: 98eb33cfa7df48d1b987442c522984c8\n"                       // 12
    "    locale: en\n"                                                        // 13
    "    mapping:\n"                                                          // 14
    "      displayName: title\n";                                             // 15

// A further, valid feed to append to kMinimal.
inline std::string feed_block(const std::string& name) {
  return "  - name: " + name +
         "\n"
         "    feed_id: def456\n"
         "    content_type: ArticlePage\n"
         "    container: 98eb33cfa7df48d1b987442c522984c8\n"
         "    locale: en\n"
         "    mapping:\n"
         "      displayName: title\n";
}

inline Config load(const std::string& yaml, const Environment& env = default_env()) {
  return load_config_from_string(yaml, "feedsync.yaml", env);
}

// The ConfigError text, or "" when the configuration loads.
inline std::string error_of(const std::string& yaml, const Environment& env = default_env()) {
  try {
    load_config_from_string(yaml, "feedsync.yaml", env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace feedsync::config::testing

namespace feedsync::config::testing {

// `text` with the one occurrence of `from` replaced by `to` (fails loudly if absent).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test bug: \"" + from + "\" not found");
  return text.replace(at, from.size(), to);
}

}  // namespace feedsync::config::testing
