// The RFC 3339 parser and formatter (lib/core/time.hpp), which read every timestamp of a Feed
// API page and of the mapping's `date` transform. The contract: anything parses to a value or
// nullopt, and a parsed value formats to text that parses back to the same millisecond.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ms = feedsync::parse_rfc3339_ms(text);
  if (!ms) return 0;
  const std::string formatted = feedsync::format_rfc3339_ms(*ms);
  auto again = feedsync::parse_rfc3339_ms(formatted);
  if (!again || *again != *ms) std::abort();
  return 0;
}
