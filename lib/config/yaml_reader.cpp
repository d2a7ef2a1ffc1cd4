#include "config/yaml_reader.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "config/env.hpp"
#include "config/values.hpp"
#include "core/strings.hpp"

namespace feedsync::config::detail {
namespace {

constexpr std::size_t kMinMaskedSecret = 4;

bool known_mark(const YAML::Mark& mark) { return mark.line >= 0 && mark.column >= 0; }

// Walks the documents of a stream without building nodes: where each starts and where its first
// node is. Everything else is ignored.
class DocumentScanner final : public YAML::EventHandler {
 public:
  struct Start {
    YAML::Mark document;
    std::optional<YAML::Mark> first_node;
  };
  std::vector<Start> starts;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back({mark, std::nullopt}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (!starts.empty() && !starts.back().first_node) starts.back().first_node = mark;
  }
};

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool is_plain_key(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string line_col(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

}  // namespace

// ---- Document ----------------------------------------------------------------------------------

std::string Document::format(const YAML::Mark& mark, const std::string& path,
                             std::string message) const {
  for (const auto& secret : secrets_) {
    if (secret.size() < kMinMaskedSecret) continue;
    constexpr std::string_view kMask = "<redacted>";
    // Searching on after the mask: a secret such as "dact" occurs in the mask itself.
    for (auto at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + kMask.size())) {
      message.replace(at, secret.size(), kMask);
    }
  }
  std::string out = location(mark) + ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string Document::location(const YAML::Mark& mark) const {
  if (!known_mark(mark)) return file_;
  return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void Document::fail(const YAML::Mark& mark, const std::string& path,
                    const std::string& message) const {
  throw ConfigError(format(mark, path, message));
}

SourcePos Document::pos(const YAML::Mark& mark) const {
  if (!known_mark(mark)) return {file_, 0, 0};
  return {file_, mark.line + 1, mark.column + 1};
}

// Not YAML::LoadAll: yaml-cpp 0.7's parser, on a stray flow indicator at the start of a
// document (a lone ","), yields an empty document without consuming it, again and again, so
// LoadAll never returns and its list of documents grows until memory runs out (found by
// fuzz/config_fuzz.cpp). The scanner sees the same document start twice and stops there.
YAML::Node load_single_document(const Document& doc, const std::string& yaml) {
  try {
    std::istringstream stream(yaml);
    YAML::Parser parser(stream);
    DocumentScanner scanner;
    while (parser.HandleNextDocument(scanner)) {
      const auto& starts = scanner.starts;
      if (starts.size() < 2) continue;
      const auto& previous = starts[starts.size() - 2];
      const auto& current = starts.back();
      if (current.document.pos <= previous.document.pos) {
        const auto at = static_cast<std::size_t>(std::max(current.document.pos, 0));
        const std::string what = at < yaml.size() ? "\"" + std::string(1, yaml[at]) + "\"" : "end of input";
        doc.fail(current.first_node.value_or(current.document), "", "invalid YAML: unexpected " + what);
      }
    }
    if (scanner.starts.size() > 1) {
      const auto& second = scanner.starts[1];
      doc.fail(second.first_node.value_or(second.document), "",
               "expected one YAML document, found " + std::to_string(scanner.starts.size()));
    }
    return YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    doc.fail(e.mark, "", "invalid YAML: " + e.msg);
  }
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (!is_plain_key(key)) return parent + "[" + quote(key) + "]";
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// ---- Value -------------------------------------------------------------------------------------

Value::Value(const Document& doc, YAML::Node node, std::string path, YAML::Mark key_mark)
    : doc_(&doc), node_(std::move(node)), path_(std::move(path)), key_mark_(key_mark) {}

YAML::Mark Value::mark() const {
  if (node_.IsNull() || !known_mark(node_.Mark())) return key_mark_;
  return node_.Mark();
}

void Value::fail(const std::string& message) const { doc_->fail(mark(), path_, message); }

std::string Value::raw_scalar() const {
  if (!node_.IsScalar()) fail("expected a single value, got " + describe(node_));
  return node_.Scalar();
}

std::string Value::scalar() const {
  auto expanded = expand_env(raw_scalar(), doc_->env());
  if (!expanded.error.empty()) fail(expanded.error);
  return std::move(expanded.text);
}

Map Value::map(std::initializer_list<std::string_view> known) const {
  return Map(*this, std::vector<std::string_view>(known));
}

Map Value::map(const std::vector<std::string_view>& known) const { return Map(*this, known); }

std::vector<Value> Value::list() const {
  std::vector<Value> items;
  if (node_.IsNull()) return items;
  if (!node_.IsSequence()) fail("expected a list, got " + describe(node_));
  items.reserve(node_.size());
  std::size_t index = 0;
  for (const auto& item : node_) {
    items.emplace_back(*doc_, item, index_path(path_, index), item.Mark());
    ++index;
  }
  return items;
}

// ---- Map ---------------------------------------------------------------------------------------

Map::Map(const Value& value, std::vector<std::string_view> known)
    : doc_(&value.document()), path_(value.path()), mark_(value.mark()) {
  if (value.is_null()) return;
  const YAML::Node& node = value.node_;
  if (!node.IsMap()) value.fail("expected a mapping, got " + describe(node));

  // By value: yaml-cpp's iterators hand out temporaries, so `it->first` would dangle.
  for (const auto& entry : node) {
    const YAML::Node key_node = entry.first;
    if (!key_node.IsScalar()) {
      doc_->fail(key_node.Mark(), path_, "keys must be plain text, got " + describe(key_node));
    }
    const std::string key = key_node.Scalar();
    const std::string path = child_path(path_, key);

    if (auto first = key_mark(key)) {
      doc_->fail(key_node.Mark(), path,
                 "duplicate key " + quote(key) + " (first defined at " + line_col(*first) + ")");
    }
    if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
      std::string message = "unknown key " + quote(key);
      std::string_view best;
      std::size_t best_distance = std::numeric_limits<std::size_t>::max();
      for (auto candidate : known) {
        const auto distance = edit_distance(key, candidate);
        if (distance < best_distance) {
          best = candidate;
          best_distance = distance;
        }
      }
      if (best_distance <= 2) {
        message += "; did you mean " + quote(best) + "?";
      } else {
        message += " (expected one of: ";
        for (std::size_t i = 0; i < known.size(); ++i) {
          message += (i == 0 ? "" : ", ") + std::string(known[i]);
        }
        message += ")";
      }
      doc_->fail(key_node.Mark(), path, message);
    }

    key_marks_.emplace_back(key, key_node.Mark());
    Value child(*doc_, entry.second, path, key_node.Mark());
    if (!child.is_null()) entries_.emplace_back(key, std::move(child));
  }
}

std::optional<Value> Map::get(std::string_view key) const {
  for (const auto& [name, value] : entries_) {
    if (name == key) return value;
  }
  return std::nullopt;
}

Value Map::require(std::string_view key) const {
  if (auto value = get(key)) return *value;
  if (auto mark = key_mark(key)) doc_->fail(*mark, child_path(path_, key), "a value is required");
  fail_missing(key, "required key is missing");
}

Map Map::section(std::string_view key, std::initializer_list<std::string_view> known) const {
  return section(key, std::vector<std::string_view>(known));
}

Map Map::section(std::string_view key, const std::vector<std::string_view>& known) const {
  if (auto value = get(key)) return value->map(known);
  const auto mark = key_mark(key);
  return Value(*doc_, YAML::Node(), child_path(path_, key), mark ? *mark : mark_).map(known);
}

void Map::fail_missing(std::string_view key, const std::string& message) const {
  doc_->fail(mark_, child_path(path_, key), message);
}

std::optional<YAML::Mark> Map::key_mark(std::string_view key) const {
  for (const auto& [name, mark] : key_marks_) {
    if (name == key) return mark;
  }
  return std::nullopt;
}

}  // namespace feedsync::config::detail
