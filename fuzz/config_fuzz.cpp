// The configuration loader (lib/config) on arbitrary text: YAML parsing (anchors, aliases, merge
// keys, tags, several documents), the schema walk, ${VAR} expansion, value parsing and mapping
// compilation. The contract: a typed Config or a ConfigError whose message names the file; no
// other exception, crash, UB or leak. Variables resolve to a fixed value so that secrets and
// ${VAR} paths are exercised; CREDENTIALS_DIRECTORY points nowhere, so *_file keys fail cleanly
// unless the input names a real file (read-only; harmless).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name == "CREDENTIALS_DIRECTORY") return std::string("/nonexistent-feedsync-fuzz");
  if (name == "UNSET") return std::nullopt;
  return "fuzz-value-of-" + name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  feedsync::config::Environment env{lookup};
  try {
    auto config = feedsync::config::load_config_from_string(yaml, "fuzz.yaml", env);
    (void)config.secret_values();
  } catch (const feedsync::config::ConfigError& e) {
    if (std::string_view(e.what()).find("fuzz.yaml") == std::string_view::npos) std::abort();
  }
  return 0;
}
