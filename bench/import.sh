#!/usr/bin/env bash
# Import figures against feedsync-sim (docs/benchmarks.md):
#   1. initial import of N articles with no rate limit: articles/s (first to last CMS create,
#      from the journal), the poll's time, total wall time and peak RSS of `feedsyncd once`;
#   2. the same with cms.rate_limit R and the simulator enforcing R/s on the CMS: the achieved
#      CMS request rate and the number of 429s (target: >= 0.95 R, zero 429s);
#   3. a steady-state `once` right after: feed requests and CMS writes (target: <= 2 and 0).
# Usage: bench/import.sh [N=5000] [R=50]    (builds feedsyncd and feedsync-sim first)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000}
rate=${2:-50}
run() { echo "+ $*" >&2; "$@"; }

# Measured on the release build (-O3, as packaged), not the -O1 test build.
run cmake --preset release >/dev/null
run cmake --build --preset release --target feedsyncd feedsync-sim >/dev/null
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3 (scripts/deps installs it)" >&2; exit 1; }
work=$(mktemp -d)
sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_sim() {  # $1 = articles
  if [ -n "$sim_pid" ]; then kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; fi
  : >"$work/ports"
  build/release/sim/feedsync-sim --generate "$1" --seed 1 --print-ports --log-level warn >"$work/ports" &
  sim_pid=$!
  for _ in $(seq 200); do [ -s "$work/ports" ] && break; sleep 0.05; done
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/ports")
}
counter() { curl -fsS "http://127.0.0.1:$port/_sim/requests/counters"; }
ms_span() { sqlite3 "$work/state.db" "select max(at) - min(at), count(*) from journal where action = 'created'"; }

# config/demo.yaml, with the Feed API and the canonical endpoint reached as "localhost" so they
# are separate origins from the CMS (127.0.0.1) and a CMS rate limit covers CMS calls only.
make_config() {  # $1 = cms rate_limit
  sed -e "s|base_url: \${SIM_URL}\$|base_url: http://localhost:$port|" \
      -e "s|endpoint: \${SIM_URL}/customer_canonical_link|endpoint: http://localhost:$port/customer_canonical_link|" \
      config/demo.yaml |
    awk -v r="$1" '/^cms:/{incms=1} /^canonical:/{incms=0} incms && /rate_limit:/{sub(/unlimited/, r)} {print}' \
      >"$work/feedsync.yaml"
}
feedsyncd() { SIM_URL="http://127.0.0.1:$port" FEEDSYNC_STATE="$work/state.db" CMS_CLIENT_SECRET=sim-secret \
  build/release/daemon/feedsyncd "$@" --config "$work/feedsync.yaml"; }

echo "== 1. initial import of $n articles, no rate limit"
start_sim "$n"
make_config unlimited
/usr/bin/time -f "%e s wall, %U s user, %S s sys, peak RSS %M KB" -o "$work/time" \
  env SIM_URL="http://127.0.0.1:$port" FEEDSYNC_STATE="$work/state.db" CMS_CLIENT_SECRET=sim-secret \
  build/release/daemon/feedsyncd once --config "$work/feedsync.yaml" >"$work/out" 2>"$work/err"
tail -3 "$work/out"
IFS='|' read -r span created < <(ms_span)
poll=$(grep -o 'poll cycle done.*' "$work/err" | head -1)
echo "feedsyncd once: $(cat "$work/time")"
echo "first poll: $poll"
echo "import: $created creates in ${span} ms = $(( created * 1000 / (span > 0 ? span : 1) )) articles/s"

echo "== 3. steady state right after (a settling run for just-edited articles, then the measured one)"
feedsyncd once >/dev/null 2>&1; sleep 2.1; feedsyncd once >/dev/null 2>&1
curl -fsS -X DELETE "http://127.0.0.1:$port/_sim/requests" >/dev/null
feedsyncd once >/dev/null 2>&1
counter | sed -e 's/.*"apis":{\([^}]*\)}.*/requests by API: \1/'
echo

echo "== 2. import of 1000 articles with cms.rate_limit ${rate}/s, the simulator enforcing ${rate}/s"
rm -f "$work"/state.db*
start_sim 1000
curl -fsS -X PUT "http://127.0.0.1:$port/_sim/rate-limits/cms" -d "{\"rate\":$rate,\"burst\":$rate}" >/dev/null
make_config "$rate/s"
feedsyncd once --timeout 10m >"$work/out" 2>"$work/err" || true
tail -3 "$work/out"
IFS='|' read -r span created < <(ms_span)
curl -fsS "http://127.0.0.1:$port/_sim/rate-limits"; echo
echo "achieved: $created creates in ${span} ms = $(awk -v c="$created" -v s="$span" 'BEGIN { printf "%.2f", (c - 1) * 1000 / s }') creates/s (limit ${rate}/s; each create is one CMS request)"
