#!/usr/bin/env python3
"""The soak (issue 21 item 6). Run it through bench/soak.sh, which builds first.

One `feedsyncd run` against feedsync-sim (--articles at start) for --minutes with continuous
churn: every second two articles are edited and every --create-every seconds one is created;
every 5 s one live article moves to the Deleted Feed and one comes back (unpublish /
republish); every minute 20 s of CMS faults (--fault-rate of calls answer 500, 503 or reset), a
burst of Feed API 503s and, every other minute, all CMS tokens
expire. Every --sample-s seconds the daemon's RSS (VmRSS), open fds (/proc/PID/fd), CPU
(utime + stime of /proc/PID/stat) and outbox depth (feedsync_outbox_pending of /metrics) go to
a CSV. At the end churn and faults stop and the daemon must converge.

Pass: /_sim/check clean (no duplicate, nothing missing or stale, no drift of Heading vs title)
with the outbox empty; RSS growth < --max-rss-growth (median of the last quarter of the samples
against the median of the second quarter: the first quarter is warm-up); fd count flat (median
of the last quarter at most 2 above the second quarter's, its maximum at most 4 above). Exit
status 1 with the reason otherwise.
"""

import argparse
import csv
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import say, fail, FEED  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
FIELDS = ["elapsed_s", "rss_kb", "fds", "cpu_s", "outbox_pending", "live_articles", "cms_items", "db_kb", "faults_on"]


def parse_args():
    p = argparse.ArgumentParser(prog="bench/soak.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=30, help="length of the churn (default 30)")
    p.add_argument("--articles", type=int, default=5000, help="articles in the feed at start (default 5000)")
    p.add_argument("--sample-s", type=float, default=10, help="seconds between samples (default 10)")
    p.add_argument("--seed", type=int, default=1, help="seed of the churn and faults")
    p.add_argument("--create-every", type=int, default=5,
                   help="seconds between two new articles (default 5; 1: one a second; 0: none, the article "
                        "count stays put). The daemon's memory follows the articles it knows (about 0.5 KB "
                        "each), so a fast-growing feed shows as RSS growth that is not a leak")
    p.add_argument("--max-in-flight", type=int, default=8, help="cms.max_in_flight (default 8)")
    p.add_argument("--fault-rate", type=float, default=0.10, help="CMS calls failing while faults are on (default 0.10)")
    p.add_argument("--max-rss-growth", type=float, default=0.05, help="allowed RSS growth after warm-up (default 0.05)")
    p.add_argument("--csv", help="where the samples go (default: soak.csv in the work directory, printed)")
    p.add_argument("--converge-timeout", type=int, default=300, help="seconds allowed to converge at the end")
    p.add_argument("--build-dir", help="directory with daemon/feedsyncd and sim/feedsync-sim (default build/default)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    return p.parse_args()


def proc_sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15 of stat)
    return rss, fds, cpu


def db_kb(work):
    """The state database's size on disk with its write-ahead log (SQLite caches up to 64 MB of it)."""
    total = 0
    for name in ("state.db", "state.db-wal"):
        try:
            total += os.path.getsize(os.path.join(work, name))
        except FileNotFoundError:
            pass
    return total // 1024


class Churn:
    """The changes made to the simulated feed while the daemon runs."""

    def __init__(self, sim, rng, fault_rate, create_every):
        self.sim, self.rng, self.fault_rate, self.create_every = sim, rng, fault_rate, create_every
        self.live = sim.live_guids()
        self.unpublished = []
        self.fault_ids = []
        self.counts = {"created": 0, "edited": 0, "unpublished": 0, "republished": 0, "fault_windows": 0,
                       "token_expiries": 0, "feed_503_bursts": 0}

    def tick(self, second):
        http = self.sim.http
        if self.create_every and second % self.create_every == 0:
            created = http.json("POST", f"/_sim/feeds/{FEED}/articles", {})
            self.live.append(created["guid"])
            self.counts["created"] += 1
        for _ in range(2):
            guid = self.rng.choice(self.live)
            http.json("PATCH", f"/_sim/articles/{guid}", {"title": f"Soak edit {second} {self.rng.randrange(10**9)}"})
            self.counts["edited"] += 1
        if second % 5 == 0:
            guid = self.live.pop(self.rng.randrange(len(self.live)))
            http.json("POST", f"/_sim/articles/{guid}:unpublish")
            self.unpublished.append(guid)
            self.counts["unpublished"] += 1
        if second % 5 == 2 and len(self.unpublished) > 3:
            guid = self.unpublished.pop(self.rng.randrange(len(self.unpublished) - 3))  # not the newest ones
            http.json("POST", f"/_sim/articles/{guid}:republish")
            self.live.append(guid)
            self.counts["republished"] += 1
        self.faults(second)

    def faults(self, second):
        http = self.sim.http
        phase = second % 60
        if phase == 0:
            seed = self.rng.randrange(10**6)
            for rule in ({"api": "cms", "action": "status", "status": 500, "probability": self.fault_rate / 2, "seed": seed},
                         {"api": "cms", "action": "status", "status": 503, "probability": self.fault_rate / 4, "seed": seed + 1},
                         {"api": "cms", "action": "reset", "probability": self.fault_rate / 4, "seed": seed + 2}):
                self.fault_ids.append(http.json("POST", "/_sim/faults", rule)["id"])
            self.counts["fault_windows"] += 1
        elif phase == 20:
            self.clear_faults()
        elif phase == 40:
            http.json("POST", "/_sim/faults", {"api": "feed", "action": "status", "status": 503, "count": 3})
            self.counts["feed_503_bursts"] += 1
            if (second // 60) % 2 == 1:
                http.json("POST", "/_sim/cms/tokens:expire")
                self.counts["token_expiries"] += 1

    def faults_on(self):
        return bool(self.fault_ids)

    def clear_faults(self):
        for rule_id in self.fault_ids:
            self.sim.http.json("DELETE", f"/_sim/faults/{rule_id}", ok=(204, 404))
        self.fault_ids = []


def quarter(values, q):
    n = len(values)
    return values[n * q // 4:n * (q + 1) // 4]


def judge(rows, max_growth):
    """The pass/fail verdicts on the samples taken during churn."""
    failures = []
    if len(rows) < 8:
        return [f"only {len(rows)} samples: run longer (--minutes) or sample more often (--sample-s)"], {}
    rss = [r["rss_kb"] for r in rows]
    fds = [r["fds"] for r in rows]
    rss_q2, rss_q4 = statistics.median(quarter(rss, 1)), statistics.median(quarter(rss, 3))
    fd_q2, fd_q4 = statistics.median(quarter(fds, 1)), statistics.median(quarter(fds, 3))
    fdmax_q2, fdmax_q4 = max(quarter(fds, 1)), max(quarter(fds, 3))
    growth = (rss_q4 - rss_q2) / rss_q2
    figures = {"rss_q2_median_kb": rss_q2, "rss_q4_median_kb": rss_q4, "rss_growth": growth,
               "fd_q2_median": fd_q2, "fd_q4_median": fd_q4, "fd_q2_max": fdmax_q2, "fd_q4_max": fdmax_q4}
    if growth >= max_growth:
        failures.append(f"RSS grew {growth:.1%} after warm-up (median {rss_q2:.0f} KB in the second quarter, "
                        f"{rss_q4:.0f} KB in the last; limit {max_growth:.0%})")
    if fd_q4 > fd_q2 + 2 or fdmax_q4 > fdmax_q2 + 4:
        failures.append(f"open fds grew: median {fd_q2} -> {fd_q4}, max {fdmax_q2} -> {fdmax_q4} "
                        "(second quarter -> last quarter)")
    return failures, figures


def soak(args, build, work, csv_path, sim, rng):
    config = harness.write_config(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), work, args.max_in_flight)
    daemon = harness.Daemon(build, work, config, sim.base)
    try:
        ok, report = harness.converge(sim, daemon, args.converge_timeout)
        if not ok:
            fail(f"the initial import did not converge: {harness.summarize_check(report)}")
        say(f"soak: initial import done: {harness.summarize_check(report)}")
        churn = Churn(sim, rng, args.fault_rate, args.create_every)
        rows = []
        t0 = time.monotonic()
        end = t0 + args.minutes * 60
        next_sample = t0
        second = 0
        with open(csv_path, "w", newline="") as f:
            out = csv.DictWriter(f, fieldnames=FIELDS)
            out.writeheader()
            while time.monotonic() < end:
                if daemon.proc.poll() is not None:
                    fail(f"feedsyncd exited with {daemon.proc.returncode} during the soak:\n{daemon.stderr_text()[-3000:]}")
                if time.monotonic() >= next_sample:
                    rss, fds, cpu = proc_sample(daemon.pid)
                    counts = sim.check()["counts"]
                    row = {"elapsed_s": round(time.monotonic() - t0, 1), "rss_kb": rss, "fds": fds, "cpu_s": round(cpu, 2),
                           "outbox_pending": daemon.outbox_pending(), "live_articles": counts["live_articles"],
                           "cms_items": counts["cms_items"], "db_kb": db_kb(work), "faults_on": int(churn.faults_on())}
                    rows.append(row)
                    out.writerow(row)
                    f.flush()
                    if len(rows) % 18 == 1:
                        say("  " + " ".join(f"{k}={v}" for k, v in row.items()))
                    next_sample += args.sample_s
                churn.tick(second)
                second += 1
                time.sleep(max(0.0, t0 + second - time.monotonic()))
        churn.clear_faults()
        sim.http.json("DELETE", "/_sim/faults")
        say(f"soak: churn done after {time.monotonic() - t0:.0f} s: {churn.counts}")
        t1 = time.monotonic()
        converged, report = harness.converge(sim, daemon, args.converge_timeout)
        say(f"soak: converged={converged} in {time.monotonic() - t1:.1f} s: {harness.summarize_check(report)}")
        rss, fds, cpu = proc_sample(daemon.pid)
        say(f"soak: at the end RSS {rss} KB, {fds} fds, CPU {cpu:.1f} s")
    finally:
        code = daemon.stop()
    failures, figures = judge(rows, args.max_rss_growth)
    if not converged:
        failures.insert(0, f"no convergence within {args.converge_timeout} s after the churn: {harness.summarize_check(report)}")
    if code != 0:
        failures.append(f"feedsyncd exited with {code} on SIGTERM")
    first, last = rows[0], rows[-1]
    busy = (last["cpu_s"] - first["cpu_s"]) / max(1e-9, last["elapsed_s"] - first["elapsed_s"])
    say(f"soak: {len(rows)} samples; first RSS {first['rss_kb']} KB / {first['fds']} fds / CPU {first['cpu_s']} s; "
        f"last RSS {last['rss_kb']} KB / {last['fds']} fds / CPU {last['cpu_s']} s; CPU share during churn {busy:.1%}; "
        f"max outbox depth {max(r['outbox_pending'] for r in rows)}")
    say("soak: " + ", ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    return failures


def main():
    args = parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = harness.find_build_dir(root, args.build_dir)
    work = tempfile.mkdtemp(prefix="feedsync-soak-")
    csv_path = os.path.abspath(args.csv) if args.csv else os.path.join(work, "soak.csv")
    say(f"soak: {args.minutes:g} min of churn against feedsync-sim ({args.articles} articles at start), a sample "
        f"every {args.sample_s:g} s to {csv_path}; binaries from {build}; work directory {work}")
    sim = harness.Sim(build, work, ["--generate", str(args.articles), "--seed", str(args.seed)])
    ok = False
    try:
        failures = soak(args, build, work, csv_path, sim, random.Random(args.seed))
        if failures:
            for f in failures:
                print("FAIL: " + f, file=sys.stderr)
            print(f"soak: FAILED; logs kept in {work}", file=sys.stderr)
            sys.exit(1)
        say("soak: PASS")
        ok = True
    finally:
        sim.stop()
        if args.keep or not ok or not args.csv:
            say(f"soak: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
