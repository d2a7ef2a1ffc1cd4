#include "sim/request_log.hpp"

#include <boost/json/array.hpp>

#include <vector>

#include "core/time.hpp"

namespace feedsync::sim {

namespace json = boost::json;

void RequestLog::record(LoggedRequest entry) {
  entry.seq = next_seq_++;
  ++total_;
  ++apis_[entry.api];
  auto& counter = routes_[std::string(net::to_string(entry.method)) + " " + entry.route];
  ++counter.count;
  ++counter.statuses[entry.status];
  entries_.push_back(std::move(entry));
  if (entries_.size() > capacity_) {
    entries_.pop_front();
    ++dropped_;
  }
}

void RequestLog::clear() {
  entries_.clear();
  routes_.clear();
  apis_.clear();
  dropped_ = 0;
  total_ = 0;
  // seq keeps counting so that a `since` cursor taken before the clear stays meaningful.
}

json::object RequestLog::to_json(const LogFilter& filter) const {
  std::vector<const LoggedRequest*> picked;
  for (auto it = entries_.rbegin(); it != entries_.rend() && picked.size() < filter.limit; ++it) {
    const auto& e = *it;
    if (e.seq <= filter.since) break;
    if (filter.api && e.api != *filter.api) continue;
    if (filter.method && net::to_string(e.method) != *filter.method) continue;
    if (filter.path_prefix && e.path.compare(0, filter.path_prefix->size(), *filter.path_prefix) != 0) continue;
    if (filter.status && e.status != *filter.status) continue;
    picked.push_back(&e);
  }
  json::array entries;
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) {
    const auto& e = **it;
    entries.push_back(json::object{
        {"seq", e.seq},
        {"time", format_rfc3339_ms(e.at_ms)},
        {"method", net::to_string(e.method)},
        {"path", e.path},
        {"query", e.query},
        {"route", e.route},
        {"api", e.api},
        {"status", e.status},
        {"fault", e.fault.empty() ? json::value(nullptr) : json::value(e.fault)},
        {"duration_ms", e.duration_ms},
    });
  }
  return json::object{
      {"recorded", total_},
      {"dropped", dropped_},
      {"last_seq", next_seq_ - 1},
      {"entries", std::move(entries)},
  };
}

json::object RequestLog::counters_json() const {
  json::object apis;
  for (const auto& [api, n] : apis_) apis[api] = n;
  json::object routes;
  for (const auto& [route, c] : routes_) {
    json::object statuses;
    for (const auto& [status, n] : c.statuses) statuses[std::to_string(status)] = n;
    routes[route] = json::object{{"count", c.count}, {"statuses", std::move(statuses)}};
  }
  return json::object{{"total", total_}, {"apis", std::move(apis)}, {"routes", std::move(routes)}};
}

}  // namespace feedsync::sim
