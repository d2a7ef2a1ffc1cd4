#!/usr/bin/env bash
# Many feeds in one instance (issue 14; docs/benchmarks.md "Many feeds"), against feedsync-sim:
#   1. initial import of F feeds x A articles with `feedsyncd once`: wall, CPU, peak RSS;
#   2. `feedsyncd run` for D seconds in steady state (interval I, engine.max_concurrent_polls L,
#      every feed with its Deleted Feed): Feed API requests per minute (expected 2 per feed per
#      interval), the daemon's CPU share and RSS, how regularly each feed is polled (gaps between
#      a feed's polls, from the simulator's request log), and how long SIGTERM takes to exit.
# Goals: CPU < 2 % of one core, RSS < 64 MB, every feed polled every interval (+/- 10 % jitter),
# exit on SIGTERM < 1 s when idle.
# Usage: bench/many_feeds.sh [F=1000] [A=20] [D=180] [I=60] [L=16]   (builds the release preset)
set -euo pipefail
cd "$(dirname "$0")/.."
feeds=${1:-1000}
articles=${2:-20}
duration=${3:-180}
interval=${4:-60}
slots=${5:-16}
run() { echo "+ $*" >&2; "$@"; }

run cmake --preset release >/dev/null
run cmake --build --preset release --target feedsyncd feedsync-sim >/dev/null
for tool in jq curl; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (scripts/deps installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
sim_pid=
daemon_pid=
cleanup() {
  for pid in $daemon_pid $sim_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP_WORK:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

: >"$work/ports"
build/release/sim/feedsync-sim --feeds "$feeds" --generate "$articles" --seed 1 \
  --request-log-size $(( feeds * 12 * (duration / interval + 2) + 10000 )) --print-ports --log-level warn \
  >"$work/ports" &
sim_pid=$!
for _ in $(seq 600); do [ -s "$work/ports" ] && break; sleep 0.05; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/ports")
sim="http://127.0.0.1:$port"

feed_id() { printf 'simfeed%025d' "$1"; }
{
  sed -n '1,/^feeds:/p' config/demo.yaml | sed -e "s|^engine:|engine:\n  max_concurrent_polls: $slots|"
  for k in $(seq "$feeds"); do
    id=$(feed_id "$k")
    cat <<FEED
  - name: f$k
    feed_id: $id
    deleted_feed_id: ${id}deleted
    interval: ${interval}s
    content_type: ArticlePage
    container: 43f936c99b234ea397b261c538ad07c9
    locale: en
    mapping:
      displayName: title
      properties:
        CmpGuid: guid
        Heading: title
FEED
  done
} >"$work/feedsync.yaml"
export SIM_URL="$sim" FEEDSYNC_STATE="$work/state.db" CMS_CLIENT_SECRET=sim-secret
feedsyncd=build/release/daemon/feedsyncd

echo "== check"
$feedsyncd check --config "$work/feedsync.yaml" | grep -E '^(feeds|schedule|warning)' || true

echo "== 1. initial import: $feeds feeds x $articles articles, feedsyncd once"
/usr/bin/time -f "%e s wall, %U s user, %S s sys, peak RSS %M KB" -o "$work/time" \
  $feedsyncd once --timeout 30m --config "$work/feedsync.yaml" >"$work/once.out" 2>"$work/once.err"
tail -3 "$work/once.out"
echo "feedsyncd once: $(cat "$work/time")"
curl -fsS "$sim/_sim/check" | jq -c '{ok, counts}'

echo "== 2. feedsyncd run for ${duration}s: interval ${interval}s, max_concurrent_polls $slots"
curl -fsS -X DELETE "$sim/_sim/requests" >/dev/null
ticks=$(getconf CLK_TCK)
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
user_sys_of() { awk '{ print $14 " " $15 }' "/proc/$1/stat"; }
$feedsyncd run --config "$work/feedsync.yaml" 2>"$work/run.err" &
daemon_pid=$!
start=$(date +%s.%N)
# The first interval is the start-up round (every feed due at once); CPU is measured after it.
sleep "$interval"
cpu_a=$(cpu_of "$daemon_pid"); at_a=$(date +%s.%N); read -r user_a sys_a < <(user_sys_of "$daemon_pid")
sleep $(( duration - interval ))
cpu_b=$(cpu_of "$daemon_pid"); at_b=$(date +%s.%N); read -r user_b sys_b < <(user_sys_of "$daemon_pid")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$daemon_pid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$daemon_pid/status")
total_cpu=$(cpu_of "$daemon_pid")
sig_at=$(date +%s.%N)
kill -TERM "$daemon_pid"
wait "$daemon_pid" && status=0 || status=$?
end=$(date +%s.%N)
daemon_pid=
awk -v a="$cpu_a" -v b="$cpu_b" -v t="$ticks" -v s="$at_a" -v e="$at_b" -v all="$total_cpu" -v s0="$start" \
  'BEGIN { printf "daemon CPU: %.2f %% of one core after the first interval (%.2f s in %.0f s); %.2f s over the whole run\n",
           100 * (b - a) / t / (e - s), (b - a) / t, e - s, all / t }'
echo "  of which user $(( (user_b - user_a) * 1000 / ticks )) ms, system $(( (sys_b - sys_a) * 1000 / ticks )) ms"
echo "daemon RSS: $(( rss / 1024 )) MB now, peak $(( hwm / 1024 )) MB"
awk -v s="$sig_at" -v e="$end" -v st="$status" 'BEGIN { printf "SIGTERM to exit: %.0f ms, exit status %d\n", 1000 * (e - s), st }'

curl -fsS "$sim/_sim/requests?api=feed&limit=10000000" >"$work/requests.json"
jq -r --argjson feeds "$feeds" --argjson interval "$interval" --argjson duration "$duration" '
  # RFC 3339 with or without milliseconds (the simulator leaves out ".000").
  def ms: (.time | capture("^(?<s>[^.Z]+)(\\.(?<ms>[0-9]+))?Z$")) as $t
          | ((($t.s + "Z") | fromdateiso8601) * 1000 + (($t.ms // "0") | tonumber));
  [.entries[] | select(.status != 0) | . + {at: ms}] as $all
  | ($all | map(.at) | min) as $t0
  # Steady state: after the first interval (the start-up round polls every feed at once).
  | [$all[] | select(.at >= $t0 + $interval * 1000)] as $steady
  | (($duration - $interval) / 60) as $minutes
  | [$all[] | select((.path | endswith("deleted") | not) and (.query | test("fields=guid")) and (.query | test("offset=0")))
     | {feed: (.path | split("/") | last), at}] as $polls
  | ($polls | group_by(.feed)) as $by_feed
  | [$by_feed[] | sort_by(.at) | {feed: .[0].feed, times: map(.at),
       gaps: [range(1; length) as $i | (.[$i].at - .[$i - 1].at)]}] as $feeds_gaps
  | ([$feeds_gaps[].gaps[]] | sort) as $sorted
  | ($feeds_gaps | max_by(.gaps | max)) as $worst
  | "feed requests in steady state: \($steady | length) in \($duration - $interval) s = \(($steady | length) / $minutes | floor)/min (expected \(2 * $feeds * 60 / $interval | floor)/min: 2 per feed per interval); \($all | length) in all, start-up round included",
    "feeds polled: \($by_feed | length) of \($feeds); polls per feed: min \([$by_feed[] | length] | min), max \([$by_feed[] | length] | max) in \($duration) s",
    "gap between a feed'"'"'s polls: min \($sorted[0] / 1000) s, median \($sorted[($sorted | length) / 2 | floor] / 1000) s, p99 \($sorted[(($sorted | length) * 0.99) | floor] / 1000) s, max \($sorted[-1] / 1000) s (interval \($interval) s +/- 10 %)",
    "feeds with a gap over 1.1 x interval + 1 s: \([$feeds_gaps[] | select((.gaps | max) > $interval * 1100 + 1000)] | length); widest: \($worst.feed) polled at +\([$worst.times[] | (. - $t0) / 1000] | join(", +")) s"
' "$work/requests.json"
grep -c 'poll failed\|poll cycle failed' "$work/run.err" | sed 's/^/failed polls: /' || true
