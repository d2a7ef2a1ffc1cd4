// config/feedsync.schema.json must describe exactly the keys the parser accepts: every mapping
// with fixed keys in lib/config/known_keys.cpp (which loader.cpp checks files against) appears in
// the schema with the same keys and `additionalProperties: false`, the free-form maps are
// free-form there, and every key of config/feedsync.example.yaml is in the schema.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/known_keys.hpp"

namespace feedsync::config {
namespace {

namespace json = boost::json;

const std::filesystem::path kSource(FEEDSYNC_SOURCE_DIR);

json::value read_schema() {
  std::ifstream in(kSource / "config/feedsync.schema.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// "#/$defs/name" only: the schema keeps its shared definitions there.
const json::object& resolve(const json::value& root, const json::object& node) {
  const json::object* current = &node;
  for (int depth = 0; depth < 16; ++depth) {
    const auto* ref = current->if_contains("$ref");
    if (!ref) return *current;
    const std::string target(ref->as_string());
    const std::string prefix = "#/$defs/";
    if (target.rfind(prefix, 0) != 0) throw std::runtime_error("unsupported $ref " + target);
    current = &root.at("$defs").at(target.substr(prefix.size())).as_object();
  }
  throw std::runtime_error("$ref chain too long");
}

std::string child(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

struct SchemaShape {
  std::map<std::string, std::vector<std::string>> fixed;  // path -> keys (additionalProperties: false)
  std::set<std::string> free_form;  // path of object schemas whose keys the user chooses
  std::vector<std::string> problems;
};

// Walks the parts of the schema that describe the document's structure: properties, items and
// schema-valued additionalProperties (not if/then/oneOf, which only add constraints).
void walk(const json::value& root, const json::object& raw, const std::string& path,
          SchemaShape& shape) {
  const json::object& node = resolve(root, raw);
  if (const auto* props = node.if_contains("properties")) {
    std::vector<std::string> keys;
    for (const auto& [key, sub] : props->as_object()) {
      keys.emplace_back(key);
      walk(root, sub.as_object(), child(path, std::string(key)), shape);
    }
    const auto* additional = node.if_contains("additionalProperties");
    if (!additional || !additional->is_bool() || additional->as_bool()) {
      shape.problems.push_back(path + ": a mapping with fixed keys needs additionalProperties: false");
    }
    shape.fixed[path] = keys;
  } else if (const auto* additional = node.if_contains("additionalProperties")) {
    if (additional->is_object()) {
      shape.free_form.insert(path);
      walk(root, additional->as_object(), child(path, "*"), shape);
    }
  }
  if (const auto* items = node.if_contains("items")) {
    walk(root, items->as_object(), path + "[]", shape);
  }
  // Object schemas spelled out through anyOf (nullable wrappers) still describe structure.
  if (const auto* any = node.if_contains("anyOf")) {
    for (const auto& sub : any->as_array()) {
      const auto& resolved = resolve(root, sub.as_object());
      if (resolved.contains("properties") || resolved.contains("items") ||
          (resolved.contains("additionalProperties") &&
           resolved.at("additionalProperties").is_object())) {
        walk(root, resolved, path, shape);
      }
    }
  }
}

SchemaShape schema_shape() {
  const json::value root = read_schema();
  SchemaShape shape;
  walk(root, root.as_object(), "", shape);
  return shape;
}

TEST(ConfigSchema, IsDraft2020_12) {
  const json::value root = read_schema();
  EXPECT_EQ(root.at("$schema").as_string(), "https://json-schema.org/draft/2020-12/schema");
}

TEST(ConfigSchema, HasExactlyTheParsersKeys) {
  const SchemaShape shape = schema_shape();
  EXPECT_THAT(shape.problems, ::testing::IsEmpty());

  std::map<std::string, std::set<std::string>> parser;
  for (const auto& entry : known_keys()) {
    parser[std::string(entry.path)] = {entry.keys.begin(), entry.keys.end()};
  }
  std::map<std::string, std::set<std::string>> schema;
  for (const auto& [path, keys] : shape.fixed) schema[path] = {keys.begin(), keys.end()};
  EXPECT_EQ(schema, parser) << "config/feedsync.schema.json and lib/config/known_keys.cpp differ";

  const std::set<std::string> free_form(free_form_maps().begin(), free_form_maps().end());
  EXPECT_EQ(shape.free_form, free_form);
}

TEST(ConfigSchema, EveryKeyHasADescriptionAndOptionalKeysADefault) {
  const json::value root = read_schema();
  std::vector<std::string> missing;
  // Keys without a default: required ones, secrets and keys whose absence means "none".
  const std::set<std::string> no_default = {
      "http.admin_token",       "http.admin_token_file", "cms.base_url",
      "cms.token_url",          "cms.client_id",         "cms.client_secret",
      "cms.client_secret_file", "canonical.url_template", "feeds[].name",
      "feeds[].feed_id",        "feeds[].deleted_feed_id", "feeds[].content_type",
      "feeds[].container",      "feeds[].locale",        "feeds[].locale_map",
      "feeds[].mapping",        "feeds[].mapping.displayName",
      "feeds[].mapping.routeSegment",
      "feeds[].deleted_interval",  // default: the feed's interval
      // Issue 19: optional listener, TLS files and webhook secrets ("none"); the webhook
      // sections are empty by default.
      "http.webhook_listen", "http.webhook_tls_cert_file", "http.webhook_tls_key_file", "webhooks.cmp",
      "webhooks.cmp.secret", "webhooks.cmp.secret_file", "webhooks.cms", "webhooks.cms.token",
      "webhooks.cms.token_file"};
  std::function<void(const json::object&, const std::string&)> visit =
      [&](const json::object& raw, const std::string& path) {
        const json::object& node = resolve(root, raw);
        if (const auto* props = node.if_contains("properties")) {
          for (const auto& [key, sub] : props->as_object()) {
            const std::string key_path = child(path, std::string(key));
            const auto& entry = sub.as_object();
            if (!entry.contains("description")) missing.push_back(key_path + ": no description");
            const bool top_level_section = path.empty();
            if (!top_level_section && !no_default.contains(key_path) && !entry.contains("default")) {
              missing.push_back(key_path + ": no default");
            }
            visit(entry, key_path);
          }
        }
        if (const auto* items = node.if_contains("items")) visit(items->as_object(), path + "[]");
        if (const auto* any = node.if_contains("anyOf")) {
          for (const auto& sub : any->as_array()) visit(sub.as_object(), path);
        }
      };
  visit(root.as_object(), "");
  EXPECT_THAT(missing, ::testing::IsEmpty());
}

// Every key the example configuration uses is one the schema knows, at the same place.
void check_yaml(const json::value& root, const YAML::Node& yaml, const json::object& raw,
                const std::string& path, std::vector<std::string>& problems) {
  const json::object& node = resolve(root, raw);
  // Through nullable/anyOf wrappers to the alternative that describes this YAML node's shape.
  if (!node.contains("properties") && !node.contains("items") &&
      !node.contains("additionalProperties")) {
    if (const auto* any = node.if_contains("anyOf")) {
      for (const auto& sub : any->as_array()) {
        const auto& alt = resolve(root, sub.as_object());
        if ((yaml.IsMap() && (alt.contains("properties") || alt.contains("additionalProperties"))) ||
            (yaml.IsSequence() && alt.contains("items"))) {
          check_yaml(root, yaml, alt, path, problems);
          return;
        }
      }
    }
  }
  if (yaml.IsMap()) {
    const auto* props = node.if_contains("properties");
    const auto* additional = node.if_contains("additionalProperties");
    for (const auto& pair : yaml) {
      const auto key = pair.first.as<std::string>();
      if (props && props->as_object().contains(key)) {
        check_yaml(root, pair.second, props->as_object().at(key).as_object(), child(path, key),
                   problems);
      } else if (additional && additional->is_object()) {
        check_yaml(root, pair.second, additional->as_object(), child(path, key), problems);
      } else {
        problems.push_back(child(path, key) + ": not in the schema");
      }
    }
  } else if (yaml.IsSequence()) {
    const auto* items = node.if_contains("items");
    if (!items) {
      problems.push_back(path + ": a list where the schema has none");
      return;
    }
    for (std::size_t i = 0; i < yaml.size(); ++i) {
      check_yaml(root, yaml[i], items->as_object(), path + "[" + std::to_string(i) + "]",
                 problems);
    }
  }
}

TEST(ConfigSchema, KnowsEveryKeyOfTheExample) {
  const json::value root = read_schema();
  const YAML::Node example = YAML::LoadFile((kSource / "config/feedsync.example.yaml").string());
  std::vector<std::string> problems;
  check_yaml(root, example, root.as_object(), "", problems);
  EXPECT_THAT(problems, ::testing::IsEmpty());
  // And the walk did look at something: the example has every section.
  for (const char* section : {"state", "log", "http", "source", "cms", "canonical", "engine"}) {
    EXPECT_TRUE(example[section].IsMap()) << section;
  }
}

// The example documents every key the parser knows, in every mapping with fixed keys.
TEST(ConfigSchema, ExampleDocumentsEveryKey) {
  std::ifstream in(kSource / "config/feedsync.example.yaml");
  std::stringstream text;
  text << in.rdbuf();
  const std::string example = text.str();
  for (const auto& entry : known_keys()) {
    for (const auto key : entry.keys) {
      // Present as a key, or as a commented-out alternative ("# client_secret: ${...}").
      const std::string as_key = std::string(key) + ":";
      EXPECT_NE(example.find(as_key), std::string::npos)
          << child(std::string(entry.path), std::string(key)) << " is not in the example";
    }
  }
}

}  // namespace
}  // namespace feedsync::config
