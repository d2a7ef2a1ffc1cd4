#!/usr/bin/env bash
# The soak (issue 21 item 6; docs/benchmarks.md "Soak"): one `feedsyncd run` against
# feedsync-sim for N minutes of continuous churn (creates, edits, unpublish/republish through the
# Deleted Feed, CMS faults, Feed API 503s, token expiry), sampling the daemon's RSS, open fds,
# CPU and outbox depth every 10 s into a CSV. Pass: it converges at the end (/_sim/check clean,
# outbox empty), RSS grows < 5 % after warm-up, the fd count stays flat; exit 1 otherwise.
# Logic: bench/soak.py.
# Usage: bench/soak.sh [--minutes N=30] [--articles N=5000] [--create-every S=5] [--sample-s S=10] [--csv FILE]
#                      [--seed S] [--max-in-flight N=8] [--fault-rate F=0.10] [--build-dir DIR] [--keep]
# Without --build-dir it builds feedsyncd and feedsync-sim with the `default` preset first
# (`--preset release` before the other options: the release preset instead).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=default
if [ "${1:-}" = "--preset" ]; then preset=${2:?"--preset needs a name"}; shift 2; fi
case " $* " in
  *" -h "*|*" --help "*) exec python3 bench/soak.py --help ;;
  *" --build-dir "*) ;;
  *)
    command -v cmake >/dev/null || { echo "soak: needs cmake (run scripts/deps first)" >&2; exit 1; }
    echo "+ cmake --preset $preset && cmake --build --preset $preset --target feedsyncd feedsync-sim" >&2
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" --target feedsyncd feedsync-sim >/dev/null
    set -- --build-dir "build/$preset" "$@" ;;
esac
command -v python3 >/dev/null || { echo "soak: needs python3" >&2; exit 1; }
echo "+ python3 bench/soak.py $*" >&2
exec python3 bench/soak.py "$@"
