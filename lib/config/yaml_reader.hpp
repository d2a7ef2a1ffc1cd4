#pragma once
// Walking a yaml-cpp tree with positions and key paths, so that every error can say
// "file:line:col: key.path: message". Internal to lib/config.
//
// yaml-cpp keeps every pair of a mapping, duplicates included, and does not complain about them;
// Map does, and about keys that are not in the schema. A null value (`key:`, `key: ~`,
// `key: null`) counts as leaving the key out.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace feedsync::config::detail {

// What all nodes of one document share.
class Document {
 public:
  Document(std::string file, const Environment& env) : file_(std::move(file)), env_(env) {}

  const std::string& file() const { return file_; }
  const Environment& env() const { return env_; }

  // "file:line:col: path: message", leaving out what is unknown. Secrets read so far are masked,
  // in case one reached a message through a value that echoes (`page_size: ${CMS_SECRET}`).
  // Secrets under 4 characters are not masked: they would mangle every message and protect
  // nothing.
  std::string format(const YAML::Mark& mark, const std::string& path, std::string message) const;
  // "file:line:col", or just "file" when the position is unknown.
  std::string location(const YAML::Mark& mark) const;
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path,
                         const std::string& message) const;
  void remember_secret(const std::string& value) { secrets_.push_back(value); }

  SourcePos pos(const YAML::Mark& mark) const;

 private:
  std::string file_;
  const Environment& env_;
  std::vector<std::string> secrets_;
};

// `parent` + `key` as a path: "cms.base_url", or `parent["Ad Date"]` when the key is not a
// plain word.
std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

// The single document of `yaml` (a null node when there is none). Fails through `doc` for
// invalid YAML and for a stream of several documents, naming the line where the second starts.
YAML::Node load_single_document(const Document& doc, const std::string& yaml);

class Map;

// One value in the tree together with its key path and a usable position.
class Value {
 public:
  Value(const Document& doc, YAML::Node node, std::string path, YAML::Mark key_mark);

  const std::string& path() const { return path_; }
  // The value's position; for an empty value (which yaml-cpp places oddly) its key's position.
  YAML::Mark mark() const;
  SourcePos pos() const { return doc_->pos(mark()); }
  bool is_null() const { return node_.IsNull(); }
  const Document& document() const { return *doc_; }

  [[noreturn]] void fail(const std::string& message) const;

  // The scalar as written, before ${VAR} expansion. Fails on a mapping or a list.
  std::string raw_scalar() const;
  // The scalar with ${VAR} and $$ expanded.
  std::string scalar() const;
  // A mapping restricted to the `known` keys (empty = any key); a null value is an empty map.
  Map map(std::initializer_list<std::string_view> known) const;
  Map map(const std::vector<std::string_view>& known) const;
  // The items of a list; a null value is an empty list.
  std::vector<Value> list() const;

 private:
  friend class Map;
  const Document* doc_;
  YAML::Node node_;
  std::string path_;
  YAML::Mark key_mark_;
};

class Map {
 public:
  // Checks key types, duplicates and (when `known` is not empty) unknown keys.
  Map(const Value& value, std::vector<std::string_view> known);

  const std::string& path() const { return path_; }
  const YAML::Mark& mark() const { return mark_; }

  // The value of `key`, or nullopt when it is absent or null.
  std::optional<Value> get(std::string_view key) const;
  // Like get(), but a missing key is an error reported at this mapping.
  Value require(std::string_view key) const;
  // A nested mapping; absent or null gives an empty one positioned where it would be.
  Map section(std::string_view key, std::initializer_list<std::string_view> known) const;
  Map section(std::string_view key, const std::vector<std::string_view>& known) const;
  [[noreturn]] void fail_missing(std::string_view key, const std::string& message) const;

  // Every non-null entry, in file order.
  const std::vector<std::pair<std::string, Value>>& entries() const& { return entries_; }
  // `for (auto& e : value.map({}).entries())` would iterate a destroyed temporary.
  void entries() const&& = delete;
  // The position of `key` itself (for "defined here" messages), if present.
  std::optional<YAML::Mark> key_mark(std::string_view key) const;

 private:
  const Document* doc_;
  std::string path_;
  YAML::Mark mark_;
  std::vector<std::pair<std::string, Value>> entries_;
  std::vector<std::pair<std::string, YAML::Mark>> key_marks_;
};

}  // namespace feedsync::config::detail
