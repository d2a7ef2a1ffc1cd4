#pragma once
// The metrics behind `GET /metrics`: counters, gauges, histograms and scrape-time gauges, rendered
// in the Prometheus text exposition format 0.0.4. No Asio here: the HTTP endpoint only calls
// render().
//
// Naming (checked when a family is registered, std::invalid_argument otherwise):
//   - every metric name starts with `feedsync_` and matches [a-zA-Z_][a-zA-Z0-9_]* (no colons:
//     those are for recording rules); label names match [a-zA-Z_][a-zA-Z0-9_]*, do not start
//     with `__`, and `le` is reserved for histogram buckets;
//   - counter names end with `_total`, and no other type may (it would read as a counter);
//   - base units, in the name: durations in seconds (`_seconds`), sizes in `_bytes`, points in
//     time as Unix seconds (`_timestamp_seconds`), ratios as 0..1 (`_ratio`), never ms or %.
//   - no article-level labels (guid, key): a label value set is a series forever (DESIGN.md §7).
//
// Use: register families once at start-up, then look up each child once and keep the reference:
//   auto& requests = registry.counter("feedsync_cms_requests_total", "CMS requests.",
//                                     {"feed", "code"});
//   Counter& ok = requests.with({"blog", "200"});  // exists (at 0) from now on, rendered as such
//   ok.inc();                                       // hot path: one relaxed atomic add
// References returned by with() stay valid as long as the Registry. Registration and with() are
// not thread-safe (the daemon runs one event-loop thread); value updates are relaxed atomics.
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace feedsync::ops {

// A value that only goes up. Negative and NaN increments are ignored: a counter that went down
// would read as a restart to rate(), and a metric must never throw into the caller's request.
class Counter {
 public:
  void inc(double by = 1.0) noexcept {
    if (by >= 0) value_.fetch_add(by, std::memory_order_relaxed);
  }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }
  // Back to 0, for a count that deliberately starts again (requests this calendar month): rate()
  // reads it as a restart, which is what it is.
  void reset() noexcept { value_.store(0.0, std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double by = 1.0) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  void dec(double by = 1.0) noexcept { value_.fetch_sub(by, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Buckets hold per-bucket counts; render() accumulates them, so `_count` always equals the
// `+Inf` bucket. A value equal to a bound falls into that bucket (`le` = less or equal).
class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds);  // bounds must outlive the histogram
  void observe(double v) noexcept;
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const noexcept;
  std::vector<std::uint64_t> cumulative_counts() const;  // one per bound, then +Inf

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// `count` bounds start, start*factor, ... (e.g. 0.005 s .. 10 s for request durations).
std::vector<double> exponential_buckets(double start, double factor, int count);

// Checks the names (see the top of this file) and throws std::invalid_argument on a bad one.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string_view type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends `# HELP`, `# TYPE` and every sample.
  void render(std::string& out) const;

 protected:
  virtual void render_samples(std::string& out) const = 0;
  std::string name_;
  std::string help_;
  std::string_view type_;
  std::vector<std::string> label_names_;
};

// Orders label value lists lexicographically, for any mix of string and string_view lists, so a
// lookup by an initializer_list of string_views neither allocates nor converts.
struct LabelValuesLess {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    // Two declarations: one `auto` deducing two different types is ill-formed (GCC accepts it,
    // clang does not).
    auto a_it = std::begin(a);
    auto b_it = std::begin(b);
    for (; a_it != std::end(a) && b_it != std::end(b); ++a_it, ++b_it) {
      const std::string_view x = *a_it, y = *b_it;
      if (x != y) return x < y;
    }
    return a_it == std::end(a) && b_it != std::end(b);
  }
};

// A family of one type: fixed label names, one child per distinct label value list, rendered in
// label-value order. Families without labels have their single child from the start.
template <class T>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  // The child for these label values (as many as label names; std::invalid_argument otherwise),
  // created at 0 on first use. Cache the reference: the lookup is a map search.
  T& with(std::initializer_list<std::string_view> values);
  T& with(const std::vector<std::string>& values);

 private:
  template <class Values> T& find_or_add(const Values& values);
  void render_samples(std::string& out) const override;

  std::vector<double> bounds_;  // histograms only; children point into it
  std::vector<std::string> le_;  // bounds_ as rendered, formatted once
  std::map<std::vector<std::string>, T, LabelValuesLess> children_;
};

// Defined in metrics.cpp for these three types only.
extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Label values and value of each series, computed when /metrics is scraped (e.g. outbox depth
// per operation, read from the store). Rendered sorted by label values; a sample with the wrong
// number of label values, or a repeated label value list, is a programming error: render()
// throws std::logic_error. Exceptions from the callback itself propagate out of render().
using GaugeCallback = std::function<std::vector<std::pair<std::vector<std::string>, double>>()>;

class Registry {
 public:
  Registry() = default;
  Registry(Registry&&) = default;
  Registry& operator=(Registry&&) = default;

  // Each registers a family once (a name already exposed by another family is rejected) and
  // returns it; the reference stays valid as long as the registry.
  CounterFamily& counter(std::string name, std::string help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string name, std::string help,
                     std::vector<std::string> label_names = {});
  // `bounds`: finite, strictly increasing upper bounds; `+Inf` is implicit.
  HistogramFamily& histogram(std::string name, std::string help,
                             std::vector<std::string> label_names, std::vector<double> bounds);
  void callback_gauge(std::string name, std::string help, std::vector<std::string> label_names,
                      GaugeCallback callback);

  // Text exposition format 0.0.4, families in registration order
  // (Content-Type: text/plain; version=0.0.4; charset=utf-8).
  std::string render() const;

 private:
  template <class F> F& add(std::unique_ptr<F> family);
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::string> exposed_names_;  // every sample name in use, to reject collisions
};

// `feedsync_build_info{version="..."} 1`: lets dashboards tell which build a series came from.
void add_build_info(Registry& registry, std::string_view version);
void add_build_info(Registry& registry);  // this build's version (core/version.hpp)

// The sample value as Prometheus parses it: integers without exponent where exact, `+Inf`,
// `-Inf`, `NaN`, otherwise the shortest round-trip form.
std::string format_value(double v);

}  // namespace feedsync::ops
