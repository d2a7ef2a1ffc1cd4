#pragma once
// The configuration's keys: for every mapping with a fixed set of keys, which keys it accepts.
// This is the one list: loader.cpp checks files against it (unknown keys are errors), and
// tests/unit/config/schema_test.cpp keeps config/feedsync.schema.json equal to it. Adding a key
// means adding it here, in the loader, the schema, config/feedsync.example.yaml and
// docs/configuration.md.

#include <string_view>
#include <vector>

namespace feedsync::config {

// Paths use the schema's view of the document: "" is the root, "cms" a section, "feeds[]" each
// item of the feeds list, "feeds[].mapping" a mapping inside it.
struct KnownKeys {
  std::string_view path;
  std::vector<std::string_view> keys;  // in this order in "unknown key" errors
};

// Every mapping with a fixed set of keys, root first.
const std::vector<KnownKeys>& known_keys();
// The keys of one of them; throws std::out_of_range for a path that is not in known_keys().
const std::vector<std::string_view>& known_keys(std::string_view path);

// Mappings whose keys the user chooses (header names, lang_codes, CMS property names).
const std::vector<std::string_view>& free_form_maps();

}  // namespace feedsync::config
