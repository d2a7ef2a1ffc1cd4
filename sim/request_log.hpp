#pragma once
// What the simulated APIs were asked and what they answered: a bounded log of the latest
// requests (oldest dropped first) and counters per route and per API that are never dropped,
// so a test can assert "exactly 3 feed pages were fetched" even after a long run.

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "net/http.hpp"

namespace feedsync::sim {

struct LoggedRequest {
  std::uint64_t seq = 0;  // assigned by the log, from 1
  net::Method method = net::Method::get;
  std::string path;
  std::string query;  // raw, without '?'
  std::string route;  // the matched pattern
  std::string api;
  int status = 0;     // 0 = connection reset, nothing sent
  std::string fault;  // the fault action applied, or empty
  std::int64_t at_ms = 0;  // simulated time of arrival
  double duration_ms = 0;
};

struct LogFilter {
  std::optional<std::string> api;
  std::optional<std::string> method;
  std::optional<std::string> path_prefix;
  std::optional<int> status;
  std::uint64_t since = 0;  // only seq > since
  std::size_t limit = 1000;  // the newest `limit` matching entries, oldest first
};

class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void record(LoggedRequest entry);
  void clear();

  // {"recorded","dropped","last_seq","entries":[...]}
  boost::json::object to_json(const LogFilter& filter) const;
  // {"total","apis":{"feed":N},"routes":{"GET /v2/feed/{id}":{"count":N,"statuses":{"200":N}}}}
  boost::json::object counters_json() const;

  std::size_t size() const { return entries_.size(); }

 private:
  struct Counter {
    std::size_t count = 0;
    std::map<int, std::size_t> statuses;
  };

  std::size_t capacity_;
  std::deque<LoggedRequest> entries_;
  std::uint64_t next_seq_ = 1;
  std::size_t dropped_ = 0;
  std::size_t total_ = 0;
  std::map<std::string, Counter> routes_;
  std::map<std::string, std::size_t> apis_;
};

}  // namespace feedsync::sim
