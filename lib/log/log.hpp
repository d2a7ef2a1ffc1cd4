#pragma once
// feedsync's logging front end. Lines go through spdlog (level filtering, thread-safe sinks) but
// are laid out here, so that every line has the same shape in every format:
//   text:     2026-11-22T12:00:00.123Z info  article pushed feed=blog guid=a1 cms_key=9f0c…
//   journal:  <6>article pushed feed=blog guid=a1 cms_key=9f0c…   (JOURNAL_STREAM set: journald
//             adds its own timestamp and reads the <N> syslog priority)
//   json:     {"ts":"…","level":"info","msg":"article pushed","feed":"blog","guid":"a1",…}
// Every line about an article carries feed, guid and cms_key as fields. Configured secrets are
// replaced by "[redacted]" in the message and in every field before a line is written.

#include <bitset>
#include <chrono>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace feedsync::log {

enum class Level { trace, debug, info, warn, error, critical, off };
enum class Format { text, json };

std::optional<Level> parse_level(std::string_view name);
std::string_view level_name(Level level);
// The syslog priority journald expects in the <N> prefix.
int syslog_priority(Level level);

struct Field {
  std::string_view key;
  std::string value;
};
using Fields = std::initializer_list<Field>;

struct Options {
  Level level = Level::info;
  Format format = Format::text;
  bool journal = false;  // text lines get the <N> prefix and no timestamp
};

// True when stderr is connected to the journal: $JOURNAL_STREAM names stderr's device:inode.
// (A child that inherited the variable but writes elsewhere must not get <N> prefixes.)
bool stderr_is_journal();

// Replaces every occurrence of each secret in `text` by "[redacted]", the longest secret first
// where two start at the same place. Pure.
std::string redact(std::string_view text, const std::vector<std::string>& secrets);

// The same for one set of secrets used many times (every log line): built once, then each call
// costs O(text length x distinct secret lengths) hash lookups, not a search per secret. Feed ids
// are secrets too, so a daemon with 1,000 feeds has 2,000 of them (issue 14's benchmark).
class Redactor {
 public:
  explicit Redactor(std::vector<std::string> secrets);  // empty strings are ignored
  std::string apply(std::string_view text) const;
  bool empty() const { return owned_.empty(); }

 private:
  std::vector<std::string> owned_;
  std::unordered_set<std::string_view> secrets_;  // views into owned_
  std::vector<std::size_t> lengths_;              // distinct, longest first
  std::bitset<256> first_bytes_;                  // a quick "no secret starts here"
};

// Lays out one line (without the trailing newline). Pure: exposed for tests.
std::string format_line(const Options& options, std::chrono::system_clock::time_point when,
                        Level level, std::string_view message, std::span<const Field> fields);

// Installs the process-wide logger. `sink` = nullptr writes to stderr; tests pass a stream.
void configure(const Options& options, std::ostream* sink = nullptr);
// Secrets to redact from now on (replaces the previous set). Empty strings are ignored.
void set_secrets(std::vector<std::string> secrets);
// `text` with the secrets of set_secrets() redacted, exactly as a log line would have them: for
// every answer that needs no credentials (/readyz?verbose, /status).
std::string redact_secrets(std::string_view text);
bool enabled(Level level);

void write(Level level, std::string_view message, Fields fields = {});
inline void trace(std::string_view m, Fields f = {}) { write(Level::trace, m, f); }
inline void debug(std::string_view m, Fields f = {}) { write(Level::debug, m, f); }
inline void info(std::string_view m, Fields f = {}) { write(Level::info, m, f); }
inline void warn(std::string_view m, Fields f = {}) { write(Level::warn, m, f); }
inline void error(std::string_view m, Fields f = {}) { write(Level::error, m, f); }
inline void critical(std::string_view m, Fields f = {}) { write(Level::critical, m, f); }

}  // namespace feedsync::log
