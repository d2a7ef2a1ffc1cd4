#include "log/log.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace feedsync::log {
namespace {

constexpr std::array<std::string_view, 7> kLevelNames = {"trace", "debug", "info", "warn",
                                                         "error", "critical", "off"};

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace: return spdlog::level::trace;
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
    case Level::critical: return spdlog::level::critical;
    case Level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string rfc3339_utc_millis(std::chrono::system_clock::time_point when) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buf[96];  // roomy enough for any int the compiler thinks tm fields may hold
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

// One record must stay one line: a newline inside a message would let input (a feed title, a
// CMS error body) forge extra log lines.
void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
}

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20)
      return true;
  }
  return false;
}

void append_text_value(std::string& out, std::string_view value) {
  if (!needs_quotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '"' || c == '\\') {
      out += c;
    } else {
      append_escaped(out, std::string_view(&c, 1));
    }
  }
  out += '"';
}

struct State {
  std::mutex mutex;  // guards redactor, options and logger; spdlog's _mt sinks guard the output
  std::shared_ptr<const Redactor> redactor = std::make_shared<const Redactor>(std::vector<std::string>{});
  Options options;
  std::shared_ptr<spdlog::logger> logger;
};

State& state() {
  static State s;
  return s;
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  if (name == "warning") return Level::warn;
  return std::nullopt;
}

std::string_view level_name(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }

int syslog_priority(Level level) {
  switch (level) {
    case Level::trace:
    case Level::debug: return 7;  // LOG_DEBUG
    case Level::info: return 6;   // LOG_INFO
    case Level::warn: return 4;   // LOG_WARNING
    case Level::error: return 3;  // LOG_ERR
    case Level::critical:
    case Level::off: return 2;    // LOG_CRIT
  }
  return 6;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev &&
         static_cast<unsigned long long>(st.st_ino) == ino;
}

Redactor::Redactor(std::vector<std::string> secrets) : owned_(std::move(secrets)) {
  std::erase_if(owned_, [](const std::string& s) { return s.empty(); });
  for (const auto& secret : owned_) {
    secrets_.insert(secret);
    first_bytes_.set(static_cast<unsigned char>(secret.front()));
    if (std::find(lengths_.begin(), lengths_.end(), secret.size()) == lengths_.end()) lengths_.push_back(secret.size());
  }
  std::sort(lengths_.begin(), lengths_.end(), std::greater<>());
}

std::string Redactor::apply(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;  // text[copied, i) is still to be copied
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t matched = 0;
    if (first_bytes_.test(static_cast<unsigned char>(text[i]))) {
      for (const auto length : lengths_) {
        if (length <= text.size() - i && secrets_.contains(text.substr(i, length))) {
          matched = length;
          break;
        }
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    out.append(text.substr(copied, i - copied));
    out += "[redacted]";
    i += matched;
    copied = i;
  }
  out.append(text.substr(copied));
  return out;
}

std::string redact(std::string_view text, const std::vector<std::string>& secrets) {
  return Redactor(secrets).apply(text);
}

std::string format_line(const Options& options, std::chrono::system_clock::time_point when,
                        Level level, std::string_view message, std::span<const Field> fields) {
  if (options.format == Format::json) {
    boost::json::object line;
    line["ts"] = rfc3339_utc_millis(when);
    line["level"] = level_name(level);
    line["msg"] = message;
    for (const auto& field : fields) line.emplace(field.key, field.value);
    return boost::json::serialize(line);
  }
  std::string out;
  out.reserve(64 + message.size());
  if (options.journal) {
    out += '<';
    out += std::to_string(syslog_priority(level));
    out += '>';
  } else {
    out += rfc3339_utc_millis(when);
    out += ' ';
    std::string_view name = level_name(level);
    out += name;
    out.append(name.size() < 8 ? 8 - name.size() : 1, ' ');
  }
  append_escaped(out, message);
  for (const auto& field : fields) {
    out += ' ';
    out += field.key;
    out += '=';
    append_text_value(out, field.value);
  }
  return out;
}

void configure(const Options& options, std::ostream* sink) {
  std::shared_ptr<spdlog::sinks::sink> out;
  if (sink != nullptr) {
    out = std::make_shared<spdlog::sinks::ostream_sink_mt>(*sink, /*force_flush=*/true);
  } else {
    out = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto logger = std::make_shared<spdlog::logger>("feedsync", std::move(out));
  logger->set_pattern("%v");  // the line is laid out by format_line()
  logger->set_level(to_spdlog(options.level));
  logger->flush_on(spdlog::level::trace);  // a crash must not eat the last lines
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.options = options;
  s.logger = std::move(logger);
}

void set_secrets(std::vector<std::string> secrets) {
  auto redactor = std::make_shared<const Redactor>(std::move(secrets));
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.redactor = std::move(redactor);
}

std::string redact_secrets(std::string_view text) {
  std::shared_ptr<const Redactor> redactor;
  {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    redactor = s.redactor;
  }
  return redactor->apply(text);
}

bool enabled(Level level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.logger && s.logger->should_log(to_spdlog(level));
}

void write(Level level, std::string_view message, Fields fields) {
  auto& s = state();
  std::shared_ptr<spdlog::logger> logger;
  Options options;
  std::shared_ptr<const Redactor> redactor;  // shared, not copied: one per set_secrets()
  {
    std::lock_guard lock(s.mutex);
    if (!s.logger) {
      // Logging before configure() (start-up errors) still reaches stderr.
      s.logger = std::make_shared<spdlog::logger>(
          "feedsync", std::make_shared<spdlog::sinks::stderr_sink_mt>());
      s.logger->set_pattern("%v");
    }
    if (!s.logger->should_log(to_spdlog(level))) return;
    logger = s.logger;
    options = s.options;
    redactor = s.redactor;
  }
  // Redact the parts before layout: JSON escaping would otherwise hide a secret containing a
  // quote or backslash from a search over the finished line.
  std::vector<Field> safe_fields;
  safe_fields.reserve(fields.size());
  for (const auto& field : fields) safe_fields.push_back({field.key, redactor->apply(field.value)});
  std::string line = format_line(options, std::chrono::system_clock::now(), level,
                                 redactor->apply(message), safe_fields);
  logger->log(to_spdlog(level), spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace feedsync::log
