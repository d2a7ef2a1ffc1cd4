#include "ops/metrics.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <gtest/gtest.h>

#include "core/version.hpp"

namespace feedsync::ops {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(MetricsTest, CounterRendersHelpTypeAndSamples) {
  Registry registry;
  auto& requests = registry.counter("feedsync_requests_total", "Requests sent.", {"feed", "code"});
  requests.with({"blog", "200"}).inc();
  requests.with({"blog", "200"}).inc(2);
  requests.with({"news", "503"}).inc(0.5);
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_requests_total Requests sent.\n"
            "# TYPE feedsync_requests_total counter\n"
            "feedsync_requests_total{feed=\"blog\",code=\"200\"} 3\n"
            "feedsync_requests_total{feed=\"news\",code=\"503\"} 0.5\n");
}

TEST(MetricsTest, CounterIgnoresNegativeAndNaNIncrements) {
  Counter c;
  c.inc(4);
  c.inc(-1);
  c.inc(std::nan(""));
  EXPECT_EQ(c.value(), 4);
}

TEST(MetricsTest, CounterResetStartsTheCountAgain) {
  Counter c;
  c.inc(7);
  c.reset();  // e.g. requests this month, at the start of the next
  EXPECT_EQ(c.value(), 0);
  c.inc();
  EXPECT_EQ(c.value(), 1);
}

TEST(MetricsTest, GaugeRendersSetIncDec) {
  Registry registry;
  auto& gauge = registry.gauge("feedsync_lag_seconds", "Age of the oldest pending operation.");
  gauge.with({}).set(10);
  gauge.with({}).dec(12.25);
  gauge.with({}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_lag_seconds Age of the oldest pending operation.\n"
            "# TYPE feedsync_lag_seconds gauge\n"
            "feedsync_lag_seconds -1.25\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry registry;
  auto& family = registry.histogram("feedsync_request_duration_seconds", "Request time.",
                                    {"feed"}, {0.25, 1, 10});
  auto& h = family.with({"blog"});
  for (double v : {0.125, 0.25, 0.5, 2.0, 20.0}) h.observe(v);  // 0.25 is a bound: le means <=
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_request_duration_seconds Request time.\n"
            "# TYPE feedsync_request_duration_seconds histogram\n"
            "feedsync_request_duration_seconds_bucket{feed=\"blog\",le=\"0.25\"} 2\n"
            "feedsync_request_duration_seconds_bucket{feed=\"blog\",le=\"1\"} 3\n"
            "feedsync_request_duration_seconds_bucket{feed=\"blog\",le=\"10\"} 4\n"
            "feedsync_request_duration_seconds_bucket{feed=\"blog\",le=\"+Inf\"} 5\n"
            "feedsync_request_duration_seconds_sum{feed=\"blog\"} 22.875\n"
            "feedsync_request_duration_seconds_count{feed=\"blog\"} 5\n");
}

TEST(MetricsTest, HistogramWithoutLabelsAndNaNObservation) {
  Registry registry;
  // A trailing +Inf is accepted and not repeated.
  auto& h = registry.histogram("feedsync_size_bytes", "Body size.", {}, {1024, kInf}).with({});
  h.observe(std::nan(""));  // counted in +Inf only, as the Go client does
  h.observe(-5);
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_size_bytes Body size.\n"
            "# TYPE feedsync_size_bytes histogram\n"
            "feedsync_size_bytes_bucket{le=\"1024\"} 1\n"
            "feedsync_size_bytes_bucket{le=\"+Inf\"} 2\n"
            "feedsync_size_bytes_sum NaN\n"
            "feedsync_size_bytes_count 2\n");
}

TEST(MetricsTest, PreinitialisedSeriesRenderAtZero) {
  Registry registry;
  registry.counter("feedsync_cycles_total", "Cycles.");  // unlabelled: exists at once
  auto& per_feed = registry.counter("feedsync_errors_total", "Errors.", {"feed"});
  for (const char* feed : {"news", "blog"}) per_feed.with({feed});
  registry.histogram("feedsync_cycle_seconds", "Cycle time.", {"feed"}, {1}).with({"blog"});
  registry.gauge("feedsync_paused", "Paused feeds.", {"feed"});  // no child yet: no sample
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_cycles_total Cycles.\n"
            "# TYPE feedsync_cycles_total counter\n"
            "feedsync_cycles_total 0\n"
            "# HELP feedsync_errors_total Errors.\n"
            "# TYPE feedsync_errors_total counter\n"
            "feedsync_errors_total{feed=\"blog\"} 0\n"
            "feedsync_errors_total{feed=\"news\"} 0\n"
            "# HELP feedsync_cycle_seconds Cycle time.\n"
            "# TYPE feedsync_cycle_seconds histogram\n"
            "feedsync_cycle_seconds_bucket{feed=\"blog\",le=\"1\"} 0\n"
            "feedsync_cycle_seconds_bucket{feed=\"blog\",le=\"+Inf\"} 0\n"
            "feedsync_cycle_seconds_sum{feed=\"blog\"} 0\n"
            "feedsync_cycle_seconds_count{feed=\"blog\"} 0\n"
            "# HELP feedsync_paused Paused feeds.\n"
            "# TYPE feedsync_paused gauge\n");
}

TEST(MetricsTest, ChildReferencesStayValidAsChildrenAreAdded) {
  Registry registry;
  auto& family = registry.counter("feedsync_hits_total", "Hits.", {"n"});
  Counter& first = family.with({"m"});
  for (int i = 0; i < 1000; ++i) family.with({std::to_string(i)});
  EXPECT_EQ(&first, &family.with(std::vector<std::string>{"m"}));
  first.inc();
  EXPECT_EQ(family.with({"m"}).value(), 1);
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  registry.gauge("feedsync_escape", "Back\\slash and\nnewline \"kept\".", {"v"})
      .with({"a\\b\"c\nd"})
      .set(1);
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_escape Back\\\\slash and\\nnewline \"kept\".\n"
            "# TYPE feedsync_escape gauge\n"
            "feedsync_escape{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsTest, ValuesFormatAsPrometheusParsesThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(-0.0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(9007199254740992.0), "9007199254740992");  // 2^53, no exponent
  EXPECT_EQ(format_value(1e20), "1e+20");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(1.5e-5), "1.5e-05");
  EXPECT_EQ(format_value(kInf), "+Inf");
  EXPECT_EQ(format_value(-kInf), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(MetricsTest, FamiliesRenderInRegistrationOrder) {
  Registry registry;
  registry.gauge("feedsync_z", "Z.");
  registry.gauge("feedsync_a", "A.");
  const auto text = registry.render();
  EXPECT_LT(text.find("feedsync_z"), text.find("feedsync_a"));
}

TEST(MetricsTest, BadNamesAreRejected) {
  Registry r;
  EXPECT_THROW(r.gauge("queue_depth", "No prefix."), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_", "Prefix only."), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_queue-depth", "Dash."), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_rule:depth", "Colon."), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_dépth", "Non-ASCII."), std::invalid_argument);
  EXPECT_THROW(r.counter("feedsync_requests", "Counter without _total."), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_items_total", "Gauge with _total."), std::invalid_argument);
  EXPECT_THROW(r.histogram("feedsync_x_total", "Histogram with _total.", {}, {1}),
               std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_g", "Bad label.", {"1feed"}), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_g", "Empty label.", {""}), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_g", "Reserved label.", {"__name"}), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_g", "Twice.", {"feed", "feed"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("feedsync_h", "le label.", {"le"}, {1}), std::invalid_argument);
  EXPECT_EQ(r.render(), "");  // nothing half-registered
}

TEST(MetricsTest, CollidingFamiliesAreRejected) {
  Registry r;
  r.histogram("feedsync_latency_seconds", "Latency.", {}, {1});
  EXPECT_THROW(r.gauge("feedsync_latency_seconds", "Same name."), std::invalid_argument);
  EXPECT_THROW(r.gauge("feedsync_latency_seconds_count", "A histogram's series."),
               std::invalid_argument);
  r.gauge("feedsync_queue_sum", "Queue.");
  EXPECT_THROW(r.histogram("feedsync_queue", "Would expose feedsync_queue_sum.", {}, {1}),
               std::invalid_argument);
  EXPECT_THROW(r.callback_gauge("feedsync_queue_sum", "Again.", {}, [] {
    return std::vector<std::pair<std::vector<std::string>, double>>{};
  }), std::invalid_argument);
}

TEST(MetricsTest, BadBucketsAndLabelCountsAreRejected) {
  Registry r;
  EXPECT_THROW(r.histogram("feedsync_h", "Unsorted.", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("feedsync_h", "Repeated.", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("feedsync_h", "NaN.", {}, {std::nan("")}), std::invalid_argument);
  EXPECT_THROW(r.histogram("feedsync_h", "-Inf.", {}, {-kInf, 1}), std::invalid_argument);
  auto& family = r.counter("feedsync_c_total", "Two labels.", {"feed", "code"});
  EXPECT_THROW(family.with({"blog"}), std::invalid_argument);
  EXPECT_THROW(family.with({"blog", "200", "x"}), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  EXPECT_EQ(exponential_buckets(0.25, 2, 4), (std::vector<double>{0.25, 0.5, 1, 2}));
}

TEST(MetricsTest, CallbackGaugeIsComputedAtEachRenderInLabelOrder) {
  Registry registry;
  double pending = 3;
  registry.callback_gauge("feedsync_outbox_pending", "Pending operations.", {"op"}, [&] {
    return std::vector<std::pair<std::vector<std::string>, double>>{{{"upsert"}, pending},
                                                                     {{"delete"}, 1}};
  });
  const std::string head =
      "# HELP feedsync_outbox_pending Pending operations.\n"
      "# TYPE feedsync_outbox_pending gauge\n";
  EXPECT_EQ(registry.render(), head +
                                   "feedsync_outbox_pending{op=\"delete\"} 1\n"
                                   "feedsync_outbox_pending{op=\"upsert\"} 3\n");
  pending = 0;
  EXPECT_EQ(registry.render(), head +
                                   "feedsync_outbox_pending{op=\"delete\"} 1\n"
                                   "feedsync_outbox_pending{op=\"upsert\"} 0\n");
}

TEST(MetricsTest, CallbackGaugeWithBadSamplesThrowsAtRender) {
  using Samples = std::vector<std::pair<std::vector<std::string>, double>>;
  Registry wrong_arity;
  wrong_arity.callback_gauge("feedsync_cb", "Arity.", {"op"}, [] { return Samples{{{}, 1}}; });
  EXPECT_THROW(wrong_arity.render(), std::logic_error);
  Registry repeated;
  repeated.callback_gauge("feedsync_cb", "Twice.", {"op"},
                          [] { return Samples{{{"a"}, 1}, {{"b"}, 1}, {{"a"}, 2}}; });
  EXPECT_THROW(repeated.render(), std::logic_error);
  Registry none;
  EXPECT_THROW(none.callback_gauge("feedsync_cb", "Empty.", {}, nullptr), std::invalid_argument);
}

TEST(MetricsTest, BuildInfo) {
  Registry registry;
  add_build_info(registry, "1.2.3");
  EXPECT_EQ(registry.render(),
            "# HELP feedsync_build_info The running build; always 1.\n"
            "# TYPE feedsync_build_info gauge\n"
            "feedsync_build_info{version=\"1.2.3\"} 1\n");
  Registry ours;
  add_build_info(ours);
  EXPECT_NE(ours.render().find(std::string("{version=\"") + kVersion + "\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace feedsync::ops
