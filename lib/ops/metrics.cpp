#include "ops/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "core/version.hpp"

namespace feedsync::ops {
namespace {

constexpr std::string_view kPrefix = "feedsync_";

bool is_identifier(std::string_view s) {
  // ASCII only, not <cctype>: the Prometheus regexes do not depend on the locale.
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (s.empty() || !alpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

[[noreturn]] void reject(const std::string& metric, const std::string& why) {
  throw std::invalid_argument("metric " + metric + ": " + why);
}

void check_names(const std::string& name, std::string_view type,
                 const std::vector<std::string>& labels) {
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size() || !is_identifier(name))
    reject(name, "name must be feedsync_ followed by [a-zA-Z0-9_]");
  if ((type == "counter") != name.ends_with("_total"))
    reject(name, type == "counter" ? "counter names end with _total"
                                   : "only counter names end with _total");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    if (!is_identifier(label) || label.starts_with("__"))
      reject(name, "bad label name '" + label + "'");
    if (type == "histogram" && label == "le") reject(name, "label 'le' is reserved for buckets");
    if (std::find(labels.begin(), labels.begin() + i, label) != labels.begin() + i)
      reject(name, "label '" + label + "' given twice");
  }
}

void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
}

void append_value(std::string& out, double v) {
  if (std::isnan(v)) { out += "NaN"; return; }
  if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
  if (v == 0) { out += '0'; return; }  // also -0, which reads oddly
  char buf[64];
  // Whole numbers up to 2^53 (every counter in practice) in plain digits; the rest shortest
  // round-trip, which may use an exponent ("1e-05"): Prometheus' ParseFloat reads both.
  const bool whole = std::trunc(v) == v && std::fabs(v) <= 9007199254740992.0;
  const auto r = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// `{a="x",b="y"}` (plus `le` for buckets), or nothing for an unlabelled sample.
void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   const std::vector<std::string>& names, const std::vector<std::string>& values,
                   double v, std::string_view le = {}) {
  out += name;
  out += suffix;
  append_labels(out, names, values, le);
  out += ' ';
  append_value(out, v);
  out += '\n';
}

class CallbackGaugeFamily final : public FamilyBase {
 public:
  CallbackGaugeFamily(std::string name, std::string help, std::vector<std::string> labels,
                      GaugeCallback callback)
      : FamilyBase(std::move(name), std::move(help), "gauge", std::move(labels)),
        callback_(std::move(callback)) {
    if (!callback_) reject(name_, "no callback");
  }

 private:
  void render_samples(std::string& out) const override {
    auto samples = callback_();
    for (const auto& [values, v] : samples)
      if (values.size() != label_names_.size())
        throw std::logic_error("metric " + name_ + ": callback gave the wrong number of labels");
    auto less = [](const auto& a, const auto& b) { return LabelValuesLess{}(a.first, b.first); };
    std::sort(samples.begin(), samples.end(), less);
    // Two series with the same labels would make the whole scrape invalid for Prometheus.
    if (std::adjacent_find(samples.begin(), samples.end(), [&](const auto& a, const auto& b) {
          return !less(a, b);
        }) != samples.end())
      throw std::logic_error("metric " + name_ + ": callback repeated a label value list");
    for (const auto& [values, v] : samples) append_sample(out, name_, "", label_names_, values, v);
  }

  GaugeCallback callback_;
};

}  // namespace

std::string format_value(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double v) noexcept {
  // First bound >= v; NaN compares false everywhere and lands in +Inf, as in the Go client.
  const auto it = std::partition_point(bounds_.begin(), bounds_.end(),
                                       [v](double bound) { return !(v <= bound); });
  buckets_[it - bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    total += buckets_[i].load(std::memory_order_relaxed);
  return total;
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = total += buckets_[i].load(std::memory_order_relaxed);
  return out;
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  if (!(start > 0) || !(factor > 1) || count < 1)
    throw std::invalid_argument("exponential_buckets: need start > 0, factor > 1, count >= 1");
  std::vector<double> bounds;
  for (int i = 0; i < count; ++i, start *= factor) bounds.push_back(start);
  return bounds;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::string_view type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type),
      label_names_(std::move(label_names)) {
  check_names(name_, type_, label_names_);
}

void FamilyBase::render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_escaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type_;
  out += '\n';
  render_samples(out);
}

namespace {
template <class T> constexpr std::string_view type_name();
template <> constexpr std::string_view type_name<Counter>() { return "counter"; }
template <> constexpr std::string_view type_name<Gauge>() { return "gauge"; }
template <> constexpr std::string_view type_name<Histogram>() { return "histogram"; }
}  // namespace

template <class T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), type_name<T>(), std::move(label_names)),
      bounds_(std::move(bounds)) {
  if constexpr (std::is_same_v<T, Histogram>) {
    if (!bounds_.empty() && bounds_.back() == std::numeric_limits<double>::infinity())
      bounds_.pop_back();  // +Inf is always there; accept it spelled out
    for (std::size_t i = 0; i < bounds_.size(); ++i)
      if (!std::isfinite(bounds_[i]) || (i && !(bounds_[i - 1] < bounds_[i])))
        reject(name_, "bucket bounds must be finite and strictly increasing");
    for (double bound : bounds_) le_.push_back(format_value(bound));
  } else if (!bounds_.empty()) {
    reject(name_, "only histograms have buckets");
  }
  if (label_names_.empty()) find_or_add(std::vector<std::string>{});  // exists from the start
}

template <class T>
template <class Values>
T& Family<T>::find_or_add(const Values& values) {
  if (std::size(values) != label_names_.size())
    throw std::invalid_argument("metric " + name_ + ": expected " +
                                std::to_string(label_names_.size()) + " label values, got " +
                                std::to_string(std::size(values)));
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::vector<std::string> key(std::begin(values), std::end(values));
    if constexpr (std::is_same_v<T, Histogram>)
      it = children_.try_emplace(std::move(key), std::span<const double>(bounds_)).first;
    else
      it = children_.try_emplace(std::move(key)).first;
  }
  return it->second;
}

template <class T>
T& Family<T>::with(std::initializer_list<std::string_view> values) {
  return find_or_add(values);
}

template <class T>
T& Family<T>::with(const std::vector<std::string>& values) {
  return find_or_add(values);
}

template <class T>
void Family<T>::render_samples(std::string& out) const {
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      const auto counts = child.cumulative_counts();
      for (std::size_t i = 0; i < bounds_.size(); ++i)
        append_sample(out, name_, "_bucket", label_names_, values, static_cast<double>(counts[i]),
                      le_[i]);
      append_sample(out, name_, "_bucket", label_names_, values,
                    static_cast<double>(counts.back()), "+Inf");
      append_sample(out, name_, "_sum", label_names_, values, child.sum());
      append_sample(out, name_, "_count", label_names_, values, static_cast<double>(counts.back()));
    } else {
      append_sample(out, name_, "", label_names_, values, child.value());
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class F>
F& Registry::add(std::unique_ptr<F> family) {
  std::vector<std::string> names{family->name()};
  if constexpr (std::is_same_v<F, HistogramFamily>)
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      names.push_back(family->name() + suffix);
  for (const auto& n : names)
    if (std::find(exposed_names_.begin(), exposed_names_.end(), n) != exposed_names_.end())
      reject(family->name(), "'" + n + "' is already registered");
  exposed_names_.insert(exposed_names_.end(), names.begin(), names.end());
  F& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

CounterFamily& Registry::counter(std::string name, std::string help,
                                 std::vector<std::string> label_names) {
  return add(std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                             std::move(label_names)));
}

GaugeFamily& Registry::gauge(std::string name, std::string help,
                             std::vector<std::string> label_names) {
  return add(std::make_unique<GaugeFamily>(std::move(name), std::move(help),
                                           std::move(label_names)));
}

HistogramFamily& Registry::histogram(std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> bounds) {
  return add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(label_names), std::move(bounds)));
}

void Registry::callback_gauge(std::string name, std::string help,
                              std::vector<std::string> label_names, GaugeCallback callback) {
  add(std::make_unique<CallbackGaugeFamily>(std::move(name), std::move(help),
                                            std::move(label_names), std::move(callback)));
}

std::string Registry::render() const {
  std::string out;
  for (const auto& family : families_) family->render(out);
  return out;
}

void add_build_info(Registry& registry, std::string_view version) {
  registry.gauge("feedsync_build_info", "The running build; always 1.", {"version"})
      .with({version})
      .set(1);
}

void add_build_info(Registry& registry) { add_build_info(registry, kVersion); }

}  // namespace feedsync::ops
