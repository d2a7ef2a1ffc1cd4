// The expression grammar of mapping_expr.hpp: a hand-written recursive descent parser, because
// expressions are one line long and every error must point at a byte offset.

#include <charconv>

#include "core/mapping_expr.hpp"
#include "core/mapping_text.hpp"

namespace feedsync::mapping {
namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

// Thrown inside this file only, and turned into an ExpressionError value by parse_expression:
// unwinding out of any depth of the grammar keeps each rule free of error plumbing.
struct Failure {
  ExpressionError error;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  ParsedExpression parse() {
    skip_spaces();
    if (at_end()) fail(pos_, "empty expression: expected a field path or a literal");
    ParsedExpression expression{operand(), {}};
    skip_spaces();
    while (!at_end() && peek() == '|') {
      ++pos_;
      skip_spaces();
      expression.calls.push_back(call());
      skip_spaces();
    }
    if (!at_end()) fail(pos_, "expected '|' or the end of the expression, found " + found());
    return expression;
  }

 private:
  [[noreturn]] void fail(std::size_t offset, std::string message) const {
    throw Failure{{offset, std::move(message)}};
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_spaces() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }

  // The offending input for messages: the word or the one character there, or "the end".
  std::string found() const {
    if (at_end()) return "the end of the expression";
    std::size_t end = pos_;
    if (is_name_char(peek())) {
      while (end < text_.size() && is_name_char(text_[end])) ++end;
    } else {
      next_code_point(text_, end);
    }
    return "'" + std::string(text_.substr(pos_, end - pos_)) + "'";
  }

  std::string name() {
    const std::size_t start = pos_;
    while (!at_end() && is_name_char(peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  Operand operand() {
    const std::size_t start = pos_;
    if (at_end()) fail(pos_, "expected a field path or a literal, found the end of the expression");
    const char c = peek();
    if (c == '"' || c == '\'') return {boost::json::value(string_literal()), start};
    if (is_digit(c) || (c == '-' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
      return {number_literal(), start};
    }
    if (is_name_start(c)) {
      std::string word = name();
      const bool continues = !at_end() && (peek() == '.' || peek() == '[');
      if (!continues && word == "true") return {boost::json::value(true), start};
      if (!continues && word == "false") return {boost::json::value(false), start};
      if (!continues && word == "null") return {boost::json::value(nullptr), start};
      Path path;
      path.steps.push_back({PathStep::Kind::field, std::move(word), 0, start});
      return {rest_of_path(std::move(path)), start};
    }
    if (c == '[') return {rest_of_path({}), start};
    fail(pos_, "expected a field path or a literal, found " + found());
  }

  Path rest_of_path(Path path) {
    while (!at_end()) {
      if (peek() == '.') {
        ++pos_;
        const std::size_t start = pos_;
        if (at_end() || !is_name_start(peek())) {
          fail(pos_, "expected a field name after '.', found " + found() +
                         " (use [\"...\"] for names that are not plain words)");
        }
        path.steps.push_back({PathStep::Kind::field, name(), 0, start});
      } else if (peek() == '[') {
        path.steps.push_back(bracket());
      } else {
        break;
      }
    }
    return path;
  }

  PathStep bracket() {
    const std::size_t open = pos_++;
    skip_spaces();
    PathStep step{PathStep::Kind::each, {}, 0, open};
    if (!at_end() && peek() == '*') {
      ++pos_;
    } else if (!at_end() && (peek() == '"' || peek() == '\'')) {
      step.kind = PathStep::Kind::label;
      step.name = string_literal();
    } else if (!at_end() && (is_digit(peek()) || peek() == '-')) {
      const std::size_t start = pos_;
      const auto number = number_literal();
      if (!number.is_int64()) fail(start, "an index must be a whole number");
      step.kind = PathStep::Kind::index;
      step.index = number.as_int64();
    } else {
      fail(pos_, "expected an index, * or a quoted label inside [ ], found " + found());
    }
    skip_spaces();
    if (at_end() || peek() != ']') fail(pos_, "expected ']', found " + found());
    ++pos_;
    return step;
  }

  std::string string_literal() {
    const std::size_t open = pos_;
    const char quote = text_[pos_++];
    std::string out;
    while (true) {
      if (at_end()) fail(open, "unterminated string: no closing " + std::string(1, quote));
      const char c = text_[pos_];
      if (c == quote) break;
      if (c != '\\') {
        out.push_back(c);
        ++pos_;
        continue;
      }
      const std::size_t escape = pos_++;
      if (at_end()) fail(escape, "unterminated string: no closing " + std::string(1, quote));
      switch (text_[pos_++]) {
        case '"': out.push_back('"'); break;
        case '\'': out.push_back('\''); break;
        case '\\': out.push_back('\\'); break;
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'u': out.append(unicode_escape(escape)); break;
        default: fail(escape, "unknown escape \\" + std::string(1, text_[pos_ - 1]) +
                                  " (known: \\\" \\' \\\\ \\n \\t \\r \\uXXXX)");
      }
    }
    ++pos_;
    return out;
  }

  std::string unicode_escape(std::size_t escape) {
    unsigned value = 0;
    const auto digits = text_.substr(pos_, 4);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
    if (digits.size() != 4 || ec != std::errc() || end != digits.data() + 4) {
      fail(escape, "\\u needs four hexadecimal digits");
    }
    if (value >= 0xD800 && value <= 0xDFFF) {
      fail(escape, "\\u escapes of surrogates are not characters; write the character itself");
    }
    pos_ += 4;
    std::string out;
    append_utf8(out, static_cast<char32_t>(value));
    return out;
  }

  boost::json::value number_literal() {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (at_end() || !is_digit(peek())) fail(start, "expected a number");
    while (!at_end() && is_digit(peek())) ++pos_;
    bool fraction = false;
    if (!at_end() && peek() == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])) {
      fraction = true;
      ++pos_;
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      fraction = true;
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (at_end() || !is_digit(peek())) fail(pos_, "expected the exponent's digits");
      while (!at_end() && is_digit(peek())) ++pos_;
    }
    if (!at_end() && is_name_char(peek())) fail(pos_, "unexpected " + found() + " in a number");
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (!fraction) {
      std::int64_t integer = 0;
      if (std::from_chars(first, last, integer).ec == std::errc()) return integer;
    }
    double real = 0;
    const auto [end, ec] = std::from_chars(first, last, real);
    if (ec != std::errc() || end != last) fail(start, "number out of range");
    return real;
  }

  Call call() {
    Call result;
    result.offset = pos_;
    if (at_end() || !is_name_start(peek())) {
      fail(pos_, "expected a transform name after '|', found " + found());
    }
    result.name = name();
    skip_spaces();
    if (at_end() || peek() != '(') return result;
    const std::size_t open = pos_++;
    skip_spaces();
    if (!at_end() && peek() == ')') {
      ++pos_;
      return result;
    }
    while (true) {
      result.arguments.push_back(argument());
      skip_spaces();
      if (at_end()) fail(open, "unclosed '(': expected ',' or ')' before the end");
      if (peek() == ')') break;
      if (peek() != ',') fail(pos_, "expected ',' or ')' after an argument, found " + found());
      ++pos_;
      skip_spaces();
    }
    ++pos_;
    return result;
  }

  Argument argument() {
    const std::size_t start = pos_;
    if (!at_end() && is_name_start(peek())) {
      std::string key = name();
      skip_spaces();
      if (!at_end() && peek() == '=') {
        ++pos_;
        skip_spaces();
        return {std::move(key), operand(), start};
      }
      pos_ = start;  // not `name =`: a path operand that starts with a name
    }
    return {{}, operand(), start};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Expected<ParsedExpression, ExpressionError> parse_expression(std::string_view text) {
  try {
    return Parser(text).parse();
  } catch (const Failure& failure) {
    return unexpected(failure.error);
  }
}

}  // namespace feedsync::mapping
