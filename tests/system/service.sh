# shellcheck shell=bash
# The feedsync half of scripts/system-test (sourced): the simulators on the host, the service's
# configuration and secrets in the container, and what the steps ask of systemd, the journal,
# the daemon and the simulator. Uses in_ct, wait_until, now_ms, fail (container.sh, the driver)
# and WORK, CT_ROOT, SIM_BIN.

SIM_FEED=simfeed0000000000000000000000001  # feedsync-sim's first live feed
declare -A SIM_PIDS=()
PORT=""

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# --- feedsync-sim on the host -----------------------------------------------------------------
# start_sim NAME ARGS...: a simulator on a free loopback port; sets SIM_URL_<NAME>.
start_sim() {
  local name=$1
  shift
  "$SIM_BIN" --listen 127.0.0.1:0 --print-ports --log-level warn "$@" \
    > "$WORK/sim-$name.out" 2> "$WORK/sim-$name.err" &
  SIM_PIDS[$name]=$!
  printf '%s\n' "$@" > "$WORK/sim-$name.args"
  wait_until 15 grep -q base_url "$WORK/sim-$name.out" ||
    fail_showing "$WORK/sim-$name.err" 20 "feedsync-sim $name did not start"
  printf -v "SIM_URL_$name" '%s' "$(jq -r .base_url "$WORK/sim-$name.out")"
}

# The --cms-client-secret a simulator was started with.
sim_secret() { grep -A1 -x -- --cms-client-secret "$WORK/sim-$1.args" | tail -1; }

stop_sim() {
  local pid=${SIM_PIDS[$1]:-}
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  unset "SIM_PIDS[$1]"
  return 0
}

stop_sims() {
  local name
  for name in "${!SIM_PIDS[@]}"; do stop_sim "$name"; done
}

sim_post() { curl -sf -o /dev/null -X POST "$1$2" -d "$3" || fail "POST $2 to the simulator failed"; }
sim_put() { curl -sf -o /dev/null -X PUT "$1$2" -d "$3" || fail "PUT $2 to the simulator failed"; }
sim_delete() { curl -sf -o /dev/null -X DELETE "$1$2" || fail "DELETE $2 to the simulator failed"; }
sim_check() { curl -s "$1/_sim/check"; }

# converged URL N: the simulator's CMS holds exactly its N live articles (no duplicate, none
# missing or stale) and nothing waits in the daemon's outbox.
converged() {
  sim_check "$1" | jq -e --argjson n "$2" '.ok and .counts.live_articles == $n and .counts.cms_items == $n' >/dev/null
}

# import_in_flight URL FEED COUNT SEED DELAY_MS: COUNT new articles, CMS answers delayed DELAY_MS
# for the next writes, a sync triggered through the admin API; returns once the simulator holds
# a CMS request of it (the import is then in flight).
import_in_flight() {
  local url=$1 feed=$2 count=$3 seed=$4 delay=$5
  sim_post "$url" "/_sim/feeds/$SIM_FEED/generate" "{\"count\":$count,\"seed\":$seed}"
  local rule
  rule=$(curl -sf -X POST "$url/_sim/faults" -d "{\"api\":\"cms\",\"action\":\"delay\",\"delay_ms\":$delay,\"count\":4}" |
    jq -r .id) || fail "cannot add a fault rule to the simulator"
  [ "$(admin_sync "$PORT" "$feed")" = 202 ] || fail "the admin API did not take the sync trigger"
  wait_until 30 fault_matched "$url" "$rule" || fail "no CMS request reached the simulator within 30 s"
}

# fault_matched URL ID: rule ID held a request (it is listed with matched > 0, or retired after
# its count).
fault_matched() {
  curl -sf "$1/_sim/faults" |
    jq -e --argjson id "$2" '[.rules[] | select(.id == $id) | .matched] | length == 0 or .[0] > 0' >/dev/null
}

# --- the daemon's HTTP endpoint ----------------------------------------------------------------
http_is() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$2")" = "$1" ]; }

admin_sync() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
    -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:$1/feeds/$2/sync"
}

active_articles() { curl -s "http://127.0.0.1:$1/status" | jq '[.feeds[].articles.active] | add'; }

# await_port UNIT: sets PORT from the "feedsyncd started ... http=127.0.0.1:N" line of the unit's
# current process (http.listen is port 0: the kernel picks a free one).
await_port() {
  wait_until 15 port_logged "$1" || fail "$1's process logged no 'feedsyncd started ... http=' line"
}

port_logged() {
  local pid
  pid=$(unit_prop "$1" MainPID)
  PORT=$(in_ct journalctl "_SYSTEMD_UNIT=$1" "_PID=$pid" -o cat --no-pager |
    sed -n 's/^feedsyncd started .* http=127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' | tail -1)
  [ -n "$PORT" ]
}

# --- systemd and the journal in the container --------------------------------------------------
unit_prop() { in_ct systemctl show -P "$2" "$1"; }

# From the main process's exec to READY=1, in seconds, as systemd recorded it.
exec_to_ready() {
  local exec ready
  exec=$(unit_prop "$1" ExecMainStartTimestampMonotonic)
  ready=$(unit_prop "$1" ActiveEnterTimestampMonotonic)
  awk -v a="$exec" -v b="$ready" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'
}

property_moved() { [ "$(unit_prop "$1" "$2")" != "$3" ]; }

# restarted UNIT OLD_PID: active again with another main process.
restarted() {
  local pid
  pid=$(unit_prop "$1" MainPID)
  [ "$pid" != 0 ] && [ "$pid" != "$2" ] && [ "$(unit_prop "$1" ActiveState)" = active ]
}

# STATUS= as `systemctl status` shows it, once it counts CMS writes (sent at most once a second).
status_has_line() { in_ct systemctl status "$1" --no-pager --lines=0 | has_line 'Status: ".*feeds; outbox 0 pending, 0 dead; [1-9][0-9]* CMS writes"'; }

# has_line PATTERN: standard input has a line matching PATTERN. Reads it all: `grep -q` would stop
# at the first match, and the writer's SIGPIPE would fail the pipeline (pipefail).
has_line() { grep -- "$1" > /dev/null; }

journal_has() { in_ct journalctl -u "$1" -o cat --no-pager | has_line "$2"; }
journal_err_has() { in_ct journalctl -u "$1" -p err -o cat --no-pager | has_line "$2"; }
journal_of_pid_has() { in_ct journalctl "_SYSTEMD_UNIT=$1" "_PID=$2" -o cat --no-pager | has_line "$3"; }

# The PRIORITY= of the newest journal line of UNIT that starts with TEXT.
journal_priority() {
  in_ct journalctl -u "$1" -o json --no-pager |
    jq -r --arg t "$2" 'select((.MESSAGE | type) == "string" and (.MESSAGE | startswith($t))) | .PRIORITY' | tail -1
}

# requeue_logged UNIT PID: process PID logged how many CMS operations the last stop cut off and
# it queued again; sets `requeued` (the caller's local) to that count.
requeue_logged() {
  requeued=$(in_ct journalctl "_SYSTEMD_UNIT=$1" "_PID=$2" -o cat --no-pager |
    sed -n 's/^CMS operations interrupted by the last stop were queued again count=\([0-9]*\).*/\1/p' | tail -1)
  [ -n "$requeued" ]
}

# polled_every_feed UNIT PID N: the process PID finished at least one poll of N feeds.
polled_every_feed() {
  local polled
  polled=$(in_ct journalctl "_SYSTEMD_UNIT=$1" "_PID=$2" -o cat --no-pager |
    sed -n 's/^poll cycle done feed=\([^ ]*\) .*/\1/p' | sort -u | wc -l)
  [ "$polled" -ge "$3" ]
}

# The first poll of every feed by process PID created nothing: it found its articles in the state.
first_polls_created_nothing() {
  in_ct journalctl "_SYSTEMD_UNIT=$1" "_PID=$2" -o cat --no-pager | grep '^poll cycle done ' |
    awk '{ for (i = 1; i <= NF; i++) { if ($i ~ /^feed=/) f = $i; if ($i ~ /^created=/) c = $i } }
         !(f in first) { first[f] = c } END { for (f in first) if (first[f] != "created=0") exit 1 }'
}

process_uid() { in_ct awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }

# as_service_user PID UID COMMAND...: COMMAND as UID in the mount namespace of the service's
# process PID (its view of the file system: ProtectSystem=, the credentials mount).
as_service_user() {
  local pid=$1 uid=$2
  shift 2
  in_ct nsenter -t "$pid" -m -- setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}

unit_exposure() {
  in_ct systemd-analyze security "$1" --no-pager 2>&1 |
    sed -n "s/.*Overall exposure level for $1: \([0-9.]*\).*/\1/p"
}

# --- the package -------------------------------------------------------------------------------
apt_install() {
  in_ct env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$1" > "$WORK/apt.log" 2>&1
}

# make_upgrade_deb DEB VERSION OUT: DEB as version VERSION, its shipped feedsync.yaml changed (as a
# new version's would be), so that an upgrade meets an edited conffile the way dpkg asks about.
make_upgrade_deb() {
  local tree=$WORK/upgrade-tree
  rm -rf "$tree"
  dpkg-deb -R "$1" "$tree" || fail "cannot unpack $1"
  sed -i "s/^Version: .*/Version: $2/" "$tree/DEBIAN/control"
  printf '# %s: the next version ships this line (scripts/system-test)\n' "$2" >> "$tree/etc/feedsync/feedsync.yaml"
  if [ -f "$tree/DEBIAN/md5sums" ]; then
    local sum
    sum=$(cd "$tree" && md5sum etc/feedsync/feedsync.yaml)
    sed -i "s|^[0-9a-f]*  etc/feedsync/feedsync.yaml\$|$sum|" "$tree/DEBIAN/md5sums"
  fi
  dpkg-deb --root-owner-group -b "$tree" "$3" > /dev/null || fail "cannot build the upgrade package"
}

# --- configuration in the container ------------------------------------------------------------
# install_secret DIR NAME VALUE: a root-only credential file, as docs/operations.md says.
install_secret() {
  mkdir -p "$CT_ROOT$1"
  chmod 0700 "$CT_ROOT$1"
  (umask 077 && printf '%s' "$3" > "$CT_ROOT$1/$2")
}

# service_config SIM_URL STATE_PATH NAME:FEED_ID...: a configuration against the simulator, one
# feed each NAME:FEED_ID, secrets from $CREDENTIALS_DIRECTORY and CMS_CLIENT_ID from the
# environment file, as an operator writes it.
service_config() {
  local sim=$1 state=$2
  shift 2
  cat <<EOF
# Written by scripts/system-test: feedsync-sim at $sim.
state:
  path: $state
http:
  listen: 127.0.0.1:0
  admin_token_file: \${CREDENTIALS_DIRECTORY}/admin_token
source:
  base_url: $sim
  rate_limit: unlimited
cms:
  api: version2
  base_url: $sim/_cms/version2
  token_url: $sim/_cms/version2/oauth/token
  client_id: \${CMS_CLIENT_ID}
  client_secret_file: \${CREDENTIALS_DIRECTORY}/cms_client_secret
  rate_limit: unlimited
canonical:
  enabled: true
  endpoint: $sim/customer_canonical_link
  url_template: "https://www.example.com/{locale}/{route_segment}"
feeds:
EOF
  local feed
  for feed in "$@"; do
    cat <<EOF
  - name: ${feed%%:*}
    feed_id: ${feed#*:}
    deleted_feed_id: ${feed#*:}deleted
    interval: 2s
    full_scan_interval: 1m
    content_type: ArticlePage
    container: 43f936c99b234ea397b261c538ad07c9
    locale: en
    publish: immediate
    delete: soft
    mapping:
      displayName: title
      routeSegment: meta_url | slug(title)
      properties:
        CmpGuid: guid
        Heading: title
        Body: description | strip_pixel
EOF
  done
}

# configure_instance NAME SIM CLIENT_ID NAME:FEED_ID...: feedsync@NAME against simulator SIM, laid
# out as systemd/feedsync@.service says.
configure_instance() {
  local name=$1 sim=$2 client=$3 url_var=SIM_URL_$2
  shift 3
  install_secret "/etc/feedsync/credentials/$name" cms_client_secret "$(sim_secret "$sim")"
  install_secret "/etc/feedsync/credentials/$name" admin_token "$(random_hex 32)"
  printf 'CMS_CLIENT_ID=%s\n' "$client" > "$CT_ROOT/etc/default/feedsync@$name"
  service_config "${!url_var}" "/var/lib/feedsync/$name/state.db" "$@" > "$CT_ROOT/etc/feedsync/$name.yaml"
}

# Two instances, each with its own user, state directory and secrets, and neither able to read
# the other's; each authenticated to its own organization's CMS only (org-a: simulator A,
# org-b: B).
check_instances_apart() {
  local a b
  a=$(process_uid "$(unit_prop feedsync@org-a.service MainPID)")
  b=$(process_uid "$(unit_prop feedsync@org-b.service MainPID)")
  [ "$a" != "$b" ] || fail "both instances run as uid $a"
  expect [ "$(in_ct getent passwd "$a" | cut -d: -f1)" = feedsync-org-a ]
  expect [ "$(in_ct getent passwd "$b" | cut -d: -f1)" = feedsync-org-b ]
  expect [ "$(in_ct stat -c '%u %a' /var/lib/private/feedsync/org-a)" = "$a 700" ]
  expect [ "$(in_ct stat -c '%u %a' /var/lib/private/feedsync/org-b)" = "$b 700" ]
  expect [ "$(in_ct stat -c '%u %a' /var/lib/private/feedsync/org-a/state.db)" = "$a 600" ]
  expect [ "$(in_ct readlink /var/lib/feedsync/org-a)" = ../private/feedsync/org-a ]
  local pid_a
  pid_a=$(unit_prop feedsync@org-a.service MainPID)
  [ "$(as_service_user "$pid_a" "$a" cat /run/credentials/feedsync@org-a.service/cms_client_secret)" = "$(sim_secret A)" ] ||
    fail "feedsync@org-a cannot read its own secret"
  as_service_user "$pid_a" "$a" cat /run/credentials/feedsync@org-b.service/cms_client_secret > /dev/null 2>&1 &&
    fail "feedsync@org-a's user can read feedsync@org-b's secret"
  as_service_user "$pid_a" "$a" ls /var/lib/private/feedsync/org-b > /dev/null 2>&1 &&
    fail "feedsync@org-a's user can list feedsync@org-b's state"
  local sim
  for sim in A B; do
    local url_var=SIM_URL_$sim
    curl -s "${!url_var}/_sim/requests?api=token" |
      jq -e '(.entries | length) > 0 and all(.entries[]; .status == 200)' >/dev/null ||
      fail "simulator $sim saw a token request it refused (an instance used another's credentials)"
  done
  INSTANCES_APART="users feedsync-org-a ($a) and feedsync-org-b ($b); /var/lib/private/feedsync/org-{a,b} 0700 each;"
}
