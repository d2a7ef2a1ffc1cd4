#!/bin/bash
# Request counts of `feedsyncd audit` for 1,000 articles, both dialects, against feedsync-sim.
set -e
B=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build/default}
SRC=$(cd "$(dirname "$0")/.." && pwd)
for api in version2 v1; do
  d=$(mktemp -d); cd $d
  $B/sim/feedsync-sim --listen 127.0.0.1:0 --print-ports --log-level warn --generate 1000 --seed 22 > sim.out 2>sim.err &
  SIMPID=$!; sleep 0.5
  export SIM_URL=$(python3 -c "import json;print(json.load(open('sim.out'))['base_url'])") FEEDSYNC_STATE=$d/state.db CMS_CLIENT_SECRET=sim-secret
  cp $SRC/config/demo.yaml c.yaml
  if [ $api = v1 ]; then sed -i 's|api: version2|api: v1|; s|base_url: ${SIM_URL}/_cms/version2|base_url: ${SIM_URL}/v1|; s|token_url: ${SIM_URL}/_cms/version2/oauth/token|token_url: ${SIM_URL}/oauth/token|' c.yaml; fi
  $B/daemon/feedsyncd once -c c.yaml >/dev/null 2>&1
  curl -s -X DELETE $SIM_URL/_sim/requests
  /usr/bin/time -f "%e s wall" $B/daemon/feedsyncd audit -c c.yaml 2>&1 | grep -v " info " | tail -3
  echo "== $api audit counters:"; curl -s $SIM_URL/_sim/requests/counters; echo
  rm -f state.db*; curl -s -X DELETE $SIM_URL/_sim/requests
  $B/daemon/feedsyncd audit --rebuild-state -c c.yaml 2>&1 | grep -v " info " | tail -2
  echo "== $api rebuild counters:"; curl -s $SIM_URL/_sim/requests/counters; echo
  kill $SIMPID; cd /; rm -rf $d
done
