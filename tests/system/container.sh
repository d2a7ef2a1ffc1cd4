# shellcheck shell=bash
# The container half of scripts/system-test (sourced): a Debian 12 root file system made once by
# debootstrap and cached, booted with systemd as its PID 1 under systemd-nspawn on a throw-away
# overlay, driven with nsenter, and taken down with everything it made. Works on a host without
# systemd as PID 1 (cgroup v1 + unified, or v2), as root.
#
# Globals it sets: CT_NAME, CT_ROOT (the container's / seen from the host), CT_PID (its PID 1 in
# the host's PID namespace), NSPAWN_PID, and for the report PREFLIGHT, ROOTFS, ROOTFS_HOW,
# BOOTED (functions that can fail set globals rather than print: a `fail` inside $(...) would
# only end the subshell). Uses: WORK (a scratch directory), fail/note (the driver's reporting).

CACHE_DIR=${FEEDSYNC_SYSTEM_TEST_CACHE:-/var/cache/feedsync-system-test}
MIRROR=${FEEDSYNC_SYSTEM_TEST_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# What the container needs besides the package's own dependencies (added at rootfs time, so
# installing the package downloads nothing).
BASE_PACKAGES=(systemd dbus ca-certificates libnss-systemd procps)

CT_NAME=""
CT_ROOT=""
CT_PID=""
NSPAWN_PID=""
CT_CGROUPS=()
OVERLAY_MOUNTED=no
ROOT_LOCK=""

# Runs a command inside the container, in all its namespaces (there is no machined on the host,
# so no machinectl). Its standard streams are the caller's.
in_ct() { nsenter -t "$CT_PID" -a -- "$@"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }

# wait_until SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds (0) or the time is up
# (1). For conditions one can observe (a unit's state, an HTTP answer), never for "long enough".
wait_until() {
  local deadline=$(( $(now_ms) + $1 * 1000 ))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# The cgroup layout of the host, for the container's own cgroup: "hybrid" (v1 with systemd's
# named hierarchy, and the unified one beside it) or "unified" (v2 only).
cgroup_layout() {
  if [ -d /sys/fs/cgroup/systemd ] && [ -f /sys/fs/cgroup/systemd/cgroup.procs ]; then
    echo hybrid
  elif [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
    echo unified
  else
    echo none
  fi
}

# Checks what booting a container needs and says exactly what is missing; sets PREFLIGHT.
container_preflight() {
  [ "$(id -u)" -eq 0 ] ||
    fail "must run as root: systemd-nspawn, the overlay mount and the container's cgroup need it (you are uid $(id -u))"
  command -v systemd-nspawn >/dev/null || fail "systemd-nspawn not found (package systemd-container; scripts/deps --system-test installs it)"
  command -v debootstrap >/dev/null || fail "debootstrap not found (scripts/deps --system-test installs it)"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems || fail "the kernel has no overlay file system: each run boots on an overlay of the cached root"
  probe_overlay_mount
  [ -d /run/systemd/system ] &&
    fail "this host runs systemd as PID 1; the script drives a container on hosts without it (CI machines): run it in such a machine or a VM"
  local layout
  layout=$(cgroup_layout)
  [ "$layout" != none ] || fail "no cgroup hierarchy at /sys/fs/cgroup (neither systemd's v1 named hierarchy nor cgroup2): systemd cannot run in a container"
  local probe=/sys/fs/cgroup/feedsync-system-test-probe.$$
  [ "$layout" = hybrid ] && probe=/sys/fs/cgroup/systemd/feedsync-system-test-probe.$$
  mkdir "$probe" 2>/dev/null && rmdir "$probe" ||
    fail "cannot create a cgroup under ${probe%/*} (read-only cgroup file system, or no CAP_SYS_ADMIN in this namespace): the container needs its own cgroup"
  PREFLIGHT="root; $(systemd-nspawn --version | head -1); overlayfs; cgroup $layout"
}

# uid 0 is not enough: in a user namespace or an unprivileged container, mounts are refused.
probe_overlay_mount() {
  local probe=$WORK/overlay-probe error
  mkdir -p "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged"
  if ! error=$(mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>&1); then
    rm -rf "$probe"
    fail "cannot mount an overlay file system ($(head -1 <<< "$error")): mounting needs CAP_SYS_ADMIN in the host's namespaces; run as the machine's real root, not in a user namespace or an unprivileged container"
  fi
  umount "$probe/merged"
  rm -rf "$probe"
}

# The Debian packages a .deb depends on (first alternative, no versions), virtual ones replaced
# by a package that provides them (debootstrap takes real packages only), as the host's apt
# (Debian 12 too) knows them.
deb_depends() {
  local names virtual name
  names=$(dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep -v '^$')
  # One apt-cache call for all (each costs half a second): the names without a candidate.
  # shellcheck disable=SC2086 # one package name a word
  virtual=$(LC_ALL=C apt-cache policy $names | awk '/^[^ ].*:$/ { name = substr($0, 1, length($0) - 1) }
                                                    /^  Candidate: \(none\)/ { print name }')
  for name in $names; do
    if grep -qx -- "$name" <<< "$virtual"; then
      name=$(apt-cache showpkg "$name" | sed -n '/^Reverse Provides:/{n;p;q}' | cut -d' ' -f1)
    fi
    [ -n "$name" ] && echo "$name"
  done
}

# cached_rootfs DEB: sets ROOTFS to a root file system with systemd and DEB's dependencies,
# debootstrapped on first use into $CACHE_DIR/<suite>-<hash of its package list> and reused
# after that (ROOTFS_HOW says which). Earlier lists' roots are removed. Concurrent runs wait for
# one another here.
cached_rootfs() {
  local deb=$1 packages key root
  # shellcheck disable=SC2046 # one package name a word
  packages=$(printf '%s\n' "${BASE_PACKAGES[@]}" $(deb_depends "$deb") | sort -u | paste -sd, -)
  key=$(printf '%s %s %s' "$SUITE" "$MIRROR" "$packages" | sha256sum | cut -c1-12)
  root=$CACHE_DIR/$SUITE-$key
  mkdir -p "$CACHE_DIR"
  exec {ROOT_LOCK}>"$CACHE_DIR/.lock"
  flock "$ROOT_LOCK"
  ROOTFS_HOW="cached since $(date -r "$root/.feedsync-system-test-complete" '+%F %H:%M' 2>/dev/null)"
  if [ ! -f "$root/.feedsync-system-test-complete" ]; then
    local building=$CACHE_DIR/.building-$key started
    started=$(now_ms)
    rm -rf "$building"
    note "debootstrap --variant=minbase --include=$packages $SUITE ($MIRROR) into $root"
    if ! debootstrap --variant=minbase --include="$packages" "$SUITE" "$building" "$MIRROR" \
        > "$WORK/debootstrap.log" 2>&1; then
      rm -rf "$building"
      fail_showing "$WORK/debootstrap.log" 15 "debootstrap failed (network, or the mirror $MIRROR; FEEDSYNC_SYSTEM_TEST_MIRROR sets another)"
    fi
    local downloaded
    downloaded=$(du -sm "$building/var/cache/apt/archives" | cut -f1)
    apt_clean_root "$building"
    touch "$building/.feedsync-system-test-complete"
    find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -type d -name "$SUITE-*" -exec rm -rf {} +
    mv "$building" "$root"
    ROOTFS_HOW="debootstrap in $(seconds_since "$started") s, $downloaded MB of packages downloaded"
  fi
  flock -u "$ROOT_LOCK"
  ROOTFS=$root
}

# The downloaded .debs are not needed once installed; the package lists stay, so that apt can
# resolve the package under test offline.
apt_clean_root() { rm -f "$1"/var/cache/apt/archives/*.deb; }

# Boots the container on an overlay of ROOT: the cached root stays as it is, every write lands in
# $WORK/upper and is gone at teardown. Returns once systemd says the system is up; sets BOOTED.
boot_container() {
  local lower=$1
  CT_NAME=fst-$$
  CT_ROOT=$WORK/root
  mkdir -p "$WORK/upper" "$WORK/overlay-work" "$CT_ROOT"
  local error
  error=$(mount -t overlay overlay -o "lowerdir=$lower,upperdir=$WORK/upper,workdir=$WORK/overlay-work" "$CT_ROOT" 2>&1) ||
    fail "cannot mount an overlay of $lower on $CT_ROOT: $(head -1 <<< "$error")"
  OVERLAY_MOUNTED=yes
  make_container_cgroups
  local started
  started=$(now_ms)
  # nspawn keeps the cgroup it was started in (--keep-unit; there is no systemd on the host to
  # give it a scope), so it starts from ours. --register=no: no machined either.
  (
    for cgroup in "${CT_CGROUPS[@]}"; do echo "$BASHPID" > "$cgroup/cgroup.procs"; done
    exec systemd-nspawn -D "$CT_ROOT" -M "$CT_NAME" -b --register=no --keep-unit --console=read-only
  ) > "$WORK/console.log" 2>&1 &
  NSPAWN_PID=$!
  wait_until 30 container_pid_known || boot_failed "no container init appeared within 30 s"
  [ -n "$CT_PID" ] || boot_failed "no container init"
  wait_until 90 system_is_up || boot_failed "systemd in the container did not reach running within 90 s (is-system-running: $(in_ct systemctl is-system-running 2>&1))"
  BOOTED="booted in $(seconds_since "$started") s ($(in_ct systemctl --version | head -1); userspace $(in_ct systemd-analyze time 2>/dev/null | sed -n 's/.*in \([0-9.]*m\?s\) (userspace).*/\1/p'))"
}

make_container_cgroups() {
  local name=feedsync-system-test-$$
  case "$(cgroup_layout)" in
    hybrid)
      CT_CGROUPS=("/sys/fs/cgroup/systemd/$name")
      [ -f /sys/fs/cgroup/unified/cgroup.procs ] && CT_CGROUPS+=("/sys/fs/cgroup/unified/$name")
      ;;
    unified) CT_CGROUPS=("/sys/fs/cgroup/$name") ;;
  esac
  local cgroup
  for cgroup in "${CT_CGROUPS[@]}"; do mkdir -p "$cgroup" || fail "cannot create the cgroup $cgroup"; done
}

# The container's PID 1: nspawn's child whose PID in its own namespace is 1. Also true once nspawn
# has ended (no use waiting; boot_failed says so).
container_pid_known() {
  kill -0 "$NSPAWN_PID" 2>/dev/null || return 0
  local child
  for child in $(pgrep -P "$NSPAWN_PID"); do
    if grep -qE '^NSpid:.*[[:space:]]1$' "/proc/$child/status" 2>/dev/null; then
      CT_PID=$child
      return 0
    fi
  done
  return 1
}

system_is_up() {
  kill -0 "$NSPAWN_PID" 2>/dev/null || return 0  # ended: boot_failed reports it
  local state
  state=$(in_ct systemctl is-system-running 2>/dev/null)
  [ "$state" = running ] || [ "$state" = degraded ]
}

boot_failed() {
  local reason=$1
  if ! kill -0 "$NSPAWN_PID" 2>/dev/null; then
    wait "$NSPAWN_PID"
    reason="systemd-nspawn exited with status $? before the container was up"
  fi
  fail_showing "$WORK/console.log" 25 "the container did not boot: $reason"
}

# Takes the container down (an orderly poweroff, then SIGKILL), then removes the overlay, the
# cgroups and what nspawn leaves in /run. Safe to call at any point, and more than once.
teardown_container() {
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    kill -TERM "$NSPAWN_PID" 2>/dev/null  # nspawn asks the container's systemd to power off
    wait_until 20 not_running "$NSPAWN_PID" || kill -KILL "$NSPAWN_PID" 2>/dev/null
  fi
  NSPAWN_PID=""
  kill_cgroup_processes
  if [ "$OVERLAY_MOUNTED" = yes ]; then
    umount "$CT_ROOT" 2>/dev/null || umount -l "$CT_ROOT" 2>/dev/null
    OVERLAY_MOUNTED=no
  fi
  remove_cgroups
  [ -n "$CT_NAME" ] && rm -rf "/run/systemd/nspawn/propagate/$CT_NAME"
}

not_running() { ! kill -0 "$1" 2>/dev/null; }

kill_cgroup_processes() {
  local cgroup pids
  for cgroup in "${CT_CGROUPS[@]}"; do
    [ -d "$cgroup" ] || continue
    pids=$(find "$cgroup" -name cgroup.procs -exec cat {} + 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  done
  for cgroup in "${CT_CGROUPS[@]}"; do
    [ -d "$cgroup" ] && wait_until 10 cgroup_empty "$cgroup"
  done
  return 0
}

cgroup_empty() { [ -z "$(find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null)" ]; }

remove_cgroups() {
  local cgroup
  for cgroup in "${CT_CGROUPS[@]}"; do
    [ -d "$cgroup" ] && find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  CT_CGROUPS=()
}
