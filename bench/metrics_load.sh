#!/usr/bin/env bash
# /metrics under load while an import runs (issue 8): feedsyncd run imports 2,000 articles from
# feedsync-sim (each CMS call delayed 30 ms so the import lasts longer than the load), while
# `wrk -c 200 -d 10s` scrapes /metrics. Prints wrk's latency distribution and errors, then checks
# that the import completed (the simulator's consistency check).
# Usage: bench/metrics_load.sh [ARTICLES=2000]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
# Measured on the release build (-O3, as packaged), not the -O1 test build.
cmake --preset release >/dev/null
cmake --build --preset release --target feedsyncd feedsync-sim >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

build/release/sim/feedsync-sim --generate "$n" --seed 2 --print-ports --log-level warn >"$work/ports" &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/ports" ] && break; sleep 0.05; done
sim=$(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' "$work/ports")
curl -fsS -X POST "$sim/_sim/faults" -d '{"api":"cms","action":"delay","delay_ms":30}' >/dev/null

sed 's/max_in_flight: 64/max_in_flight: 8/' config/demo.yaml >"$work/feedsync.yaml"
SIM_URL="$sim" FEEDSYNC_STATE="$work/state.db" CMS_CLIENT_SECRET=sim-secret \
  build/release/daemon/feedsyncd run --config "$work/feedsync.yaml" 2>"$work/daemon.log" &
pids+=($!)
for _ in $(seq 200); do grep -q 'http=127.0.0.1:' "$work/daemon.log" && break; sleep 0.05; done
metrics="http://$(grep -o 'http=127.0.0.1:[0-9]*' "$work/daemon.log" | head -1 | cut -d= -f2)/metrics"
echo "scraping $metrics while $n articles are imported"

wrk -t2 -c200 -d10s --latency "$metrics"
echo "items in the CMS when the load ended: $(curl -fsS "$sim/_sim/check" | grep -o '"cms_items":[0-9]*')"
for _ in $(seq 600); do
  curl -fsS "$sim/_sim/check?property=Heading&field=title" | grep -q '"ok":true' && break
  sleep 0.1
done
echo "after the import: $(curl -fsS "$sim/_sim/check?property=Heading&field=title" | cut -c1-200)"
