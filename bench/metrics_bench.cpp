// The /metrics hot paths: what an HTTP request or an outbox operation pays to count itself
// (a cached child), versus looking the child up each time, and what one scrape costs.
//
//   build/default/bench/metrics_bench
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "ops/metrics.hpp"

namespace {

using feedsync::ops::Registry;

void CounterIncCached(benchmark::State& state) {
  Registry registry;
  auto& family = registry.counter("feedsync_requests_total", "R.", {"feed", "code"});
  auto& c = family.with({"blog", "200"});
  for (auto _ : state) c.inc();
  benchmark::DoNotOptimize(c.value());
}
BENCHMARK(CounterIncCached);

// What caching the child saves: a map search with two label values per increment.
void CounterIncWithLookup(benchmark::State& state) {
  Registry registry;
  auto& family = registry.counter("feedsync_requests_total", "R.", {"feed", "code"});
  for (int i = 0; i < 40; ++i) family.with({"feed" + std::to_string(i), "200"});
  for (auto _ : state) family.with({"feed17", "200"}).inc();
}
BENCHMARK(CounterIncWithLookup);

void HistogramObserve(benchmark::State& state) {
  Registry registry;
  auto& h = registry
                .histogram("feedsync_request_duration_seconds", "D.", {"feed"},
                           feedsync::ops::exponential_buckets(0.005, 2, 12))
                .with({"blog"});
  const std::vector<double> values{0.003, 0.012, 0.07, 0.2, 0.9, 4.0, 30.0, 0.04};
  std::size_t i = 0;
  for (auto _ : state) h.observe(values[i++ & 7]);
  benchmark::DoNotOptimize(h.sum());
}
BENCHMARK(HistogramObserve);

// 200 series: 40 feeds x 5 status codes of one counter family.
void Render200Series(benchmark::State& state) {
  Registry registry;
  auto& family =
      registry.counter("feedsync_cms_requests_total", "CMS requests.", {"feed", "code"});
  for (int f = 0; f < 40; ++f)
    for (const char* code : {"200", "201", "404", "429", "503"})
      family.with({"feed" + std::to_string(f), code}).inc(f * 1000 + 7);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string page = registry.render();
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["page_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(Render200Series);

}  // namespace

BENCHMARK_MAIN();
