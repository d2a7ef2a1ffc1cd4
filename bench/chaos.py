#!/usr/bin/env python3
"""The long kill -9 run (issue 21 item 5). Run it through scripts/chaos, which builds first.

`feedsyncd run` is killed with SIGKILL --kills times at random moments while it imports
--articles articles from feedsync-sim through a CMS that is slowed down (--cms-delay-ms per call,
so the import spans the kills) and fails about 10 % of calls (500, 503, connection reset: none
of them runs the write). Between kills, articles are edited and some are moved to the Deleted
Feed. At the end the faults are taken back, one last `feedsyncd run` converges, and the run
checks, from the simulator's state and request log:

  * no duplicate item (/_sim/check "duplicates"),
  * no lost change: every live article's item holds its current title (/_sim/check drift
    Heading=title) and nothing is missing,
  * no spurious delete: every CMS DELETE in the request log is of an item whose article was
    moved to the Deleted Feed, and every such article's item is deleted (/_sim/check "stale"),
  * redundant versions (consecutive versions of an item with the same content: a write done
    again because the kill came before the daemon recorded it) are at most the CMS writes in
    flight at the kills, each kill counting at most cms.max_in_flight (the relay's limit).

Exit status 0 when every check holds, 1 with a message naming the violation otherwise.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import say, fail  # noqa: E402

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def parse_args():
    p = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=100, help="SIGKILLs (default 100)")
    p.add_argument("--articles", type=int, default=5000, help="articles to import (default 5000)")
    p.add_argument("--seed", type=int, default=20261203, help="seed of the kill moments, edits and faults")
    p.add_argument("--max-in-flight", type=int, default=4, help="cms.max_in_flight of the daemon (default 4)")
    p.add_argument("--cms-delay-ms", type=int, default=20, help="delay the simulator adds to every CMS call (default 20)")
    p.add_argument("--max-moment-ms", type=int, default=3000,
                   help="longest a life runs (after its poll) before the kill; the run paces the kills "
                        "below this so they spread over the whole import (default 3000)")
    p.add_argument("--fault-rate", type=float, default=0.10, help="share of CMS calls that fail (default 0.10)")
    p.add_argument("--converge-timeout", type=int, default=600, help="seconds allowed to converge at the end (default 600)")
    p.add_argument("--api", choices=["version2", "v1"], default="version2", help="the CMS dialect (cms.api, default version2)")
    p.add_argument("--build-dir", help="directory with daemon/feedsyncd and sim/feedsync-sim (default build/default)")
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs, state database)")
    return p.parse_args()


def install_faults(sim, rate, seed):
    """About `rate` of CMS calls fail without running the write, then every call is delayed.

    Rules are tried in order and the first that fires acts, so the failing ones come first and
    their probabilities are conditional: 50 % of the failures are 500s, 30 % 503s, 20 % resets.
    """
    p500 = rate * 0.5
    p503 = rate * 0.3 / (1 - p500)
    preset = rate * 0.2 / (1 - p500 - rate * 0.3)
    sim.http.json("POST", "/_sim/faults", {"api": "cms", "action": "status", "status": 500,
                                           "probability": p500, "seed": seed})
    sim.http.json("POST", "/_sim/faults", {"api": "cms", "action": "status", "status": 503,
                                           "probability": p503, "seed": seed + 1})
    sim.http.json("POST", "/_sim/faults", {"api": "cms", "action": "reset", "probability": preset, "seed": seed + 2})


def parse_ms(stamp):
    """RFC 3339 in UTC as the simulator writes it: milliseconds only when not zero."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in stamp else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.datetime.strptime(stamp, fmt).replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def write_log(sim):
    """Every logged CMS write: (start_ms, end_ms, method, path, status)."""
    out = []
    for method in WRITE_METHODS:
        log = sim.http.json("GET", f"/_sim/requests?api=cms&method={method}&limit=10000000")
        if log["dropped"]:
            fail(f"the simulator's request log dropped {log['dropped']} requests: raise --request-log-size")
        entries = log["entries"]
        for e in entries:
            start = parse_ms(e["time"])
            out.append((start, start + e["duration_ms"], e["method"], e["path"], e["status"]))
    return out


def in_flight_at(writes, kill_ms, cap):
    """CMS writes the simulator had started and not finished within 50 ms of the kill, capped."""
    n = sum(1 for start, end, *_ in writes if start <= kill_ms + 50 and end >= kill_ms - 50)
    return min(n, cap)


def spurious_deletes(deletes, guid_of, unpublished):
    """Successful CMS deletes (log rows) of items whose article was never unpublished."""
    spurious = []
    for _, _, _, path, _ in deletes:
        key = path.rstrip("/").rsplit("/", 1)[-1]  # DELETE {base}/content/{key}
        if guid_of.get(key) not in unpublished:
            spurious.append((path, guid_of.get(key)))
    return spurious


def redundant_versions(items):
    """Versions whose displayName, routeSegment and properties equal the previous version's."""
    redundant = []
    total = 0
    for item in items:
        versions = list(reversed(item["versions"]))  # the simulator lists them newest first
        total += len(versions)
        last = {}
        for v in versions:
            content = (v.get("displayName"), v.get("routeSegment"), repr(sorted(v.get("properties", {}).items())))
            if last.get(v["locale"]) == content:
                redundant.append((item["key"], v["version"]))
            last[v["locale"]] = content
    return redundant, total


def churn(sim, rng, live, unpublished, life, edits):
    """Edits between kills; every fifth life, three live articles move to the Deleted Feed."""
    for _ in range(edits):
        guid = rng.choice(live)
        sim.http.json("PATCH", f"/_sim/articles/{guid}", {"title": f"Edited in life {life} {rng.randrange(10**9)}"})
    if life % 5 == 4:
        for _ in range(3):
            guid = live.pop(rng.randrange(len(live)))
            sim.http.json("POST", f"/_sim/articles/{guid}:unpublish")
            unpublished.add(guid)


class Pace:
    """How long a life may run before its kill, so that the kills spread over the whole import.

    From the CMS items made per second of life so far, the upper bound of the random moment is
    twice the time a life needs for its share of the remaining items (the moment is uniform, so
    a life runs that share on average), within [50 ms, cap]; 500 ms until there is a measure.
    """

    def __init__(self, cap_s):
        self.cap_s, self.lived_s, self.gained = cap_s, 0.0, 0

    def record(self, lived_s, gained):
        self.lived_s += lived_s
        self.gained += max(gained, 0)

    def upper(self, remaining_items, remaining_lives):
        if self.lived_s < 1 or self.gained == 0:
            return min(0.5, self.cap_s)
        share_s = remaining_items / remaining_lives / (self.gained / self.lived_s)
        return min(max(2 * share_s, 0.05), self.cap_s)


def run_lives(args, build, work, config, sim, rng):
    live = sim.live_guids()
    if len(live) != args.articles:
        fail(f"the simulator serves {len(live)} articles, expected {args.articles}")
    unpublished = set()
    kill_times = []
    mid_import = 0
    last_items = 0
    started = time.monotonic()
    pace = Pace(args.max_moment_ms / 1000)
    for life in range(args.kills):
        daemon = harness.Daemon(build, work, config, sim.base, log_name=f"life-{life:03d}.err")
        # Three lives in four die after their poll cycle committed, inside the relay's work;
        # the others at a random moment from their start (often inside the poll).
        if life % 4 != 0 and not daemon.wait_for("poll cycle done", 300):
            daemon.kill9()
            fail(f"life {life}: no 'poll cycle done' within 300 s:\n{daemon.stderr_text()[-3000:]}")
        moment = rng.uniform(0.02, pace.upper(args.articles - last_items, args.kills - life))
        time.sleep(moment)
        kill_times.append(time.time() * 1000)
        code = daemon.kill9()
        if code != -9:
            fail(f"life {life}: feedsyncd ended with {code} before the kill:\n{daemon.stderr_text()[-3000:]}")
        items = sim.check()["counts"]["cms_items"]
        if last_items < items < args.articles:
            mid_import += 1
        pace.record(moment, items - last_items)
        last_items = items
        churn(sim, rng, live, unpublished, life, edits=5)
        if life % 10 == 9 or life == args.kills - 1:
            say(f"  kill {life + 1}/{args.kills}: {items} CMS items, {len(unpublished)} unpublished, "
                f"{time.monotonic() - started:.0f} s")
    return live, unpublished, kill_times, mid_import


def final_checks(args, work, sim, unpublished, kill_times):
    failures = []
    report = sim.check()
    say("final /_sim/check: " + harness.summarize_check(report))
    if report["duplicates"]:
        failures.append(f"{len(report['duplicates'])} duplicate(s), e.g. {report['duplicates'][:3]}")
    if report["missing_in_cms"]:
        failures.append(f"{len(report['missing_in_cms'])} live article(s) missing in the CMS, e.g. {report['missing_in_cms'][:3]}")
    if report["drift"]:
        failures.append(f"{len(report['drift'])} lost change(s) (Heading != title), e.g. {report['drift'][:3]}")
    if report["stale_in_cms"]:
        failures.append(f"{len(report['stale_in_cms'])} item(s) of Deleted-Feed articles not deleted, e.g. {report['stale_in_cms'][:3]}")

    items = sim.http.json("GET", "/_sim/cms/items")
    with open(os.path.join(work, "cms-items.json"), "w") as f:  # for a post-mortem (--keep)
        json.dump(items, f)
    guid_of = {}
    for item in items:
        for v in item["versions"]:
            g = v.get("properties", {}).get("CmpGuid")
            if isinstance(g, str):
                guid_of[item["key"]] = g
    writes = write_log(sim)
    with open(os.path.join(work, "cms-writes.json"), "w") as f:
        json.dump({"kills_ms": kill_times, "writes": writes}, f)
    deletes = [w for w in writes if w[2] == "DELETE" and 200 <= w[4] < 300]
    spurious = spurious_deletes(deletes, guid_of, unpublished)
    if spurious:
        failures.append(f"{len(spurious)} spurious CMS delete(s) of items whose article stayed live, e.g. {spurious[:3]}")
    deleted_items = sum(1 for item in items if item.get("deleted"))
    if report["counts"]["cms_items_deleted"] > len(unpublished):
        failures.append(f"{report['counts']['cms_items_deleted']} deleted items for {len(unpublished)} unpublished articles")

    redundant, versions = redundant_versions(items)
    in_flight = [in_flight_at(writes, t, args.max_in_flight) for t in kill_times]
    bound = sum(in_flight)
    hard_bound = len(kill_times) * args.max_in_flight
    say(f"versions: {versions} in {len(items)} items; redundant versions: {len(redundant)}")
    say(f"CMS writes in flight at the kills (simulator's log, each capped at cms.max_in_flight "
        f"{args.max_in_flight}): sum {bound}, max {max(in_flight, default=0)}; "
        f"kills x max_in_flight = {hard_bound}")
    say(f"successful CMS deletes: {len(deletes)} (unpublished articles: {len(unpublished)}, deleted items: {deleted_items})")
    if len(redundant) > bound:
        failures.append(f"{len(redundant)} redundant versions exceed the {bound} CMS writes in flight at the "
                        f"{len(kill_times)} kills, e.g. {redundant[:5]}")
    return failures, len(redundant), bound


def main():
    args = parse_args()
    if args.kills < 1 or args.articles < 10:
        fail("--kills must be >= 1 and --articles >= 10")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = harness.find_build_dir(root, args.build_dir)
    work = tempfile.mkdtemp(prefix="feedsync-chaos-")
    rng = random.Random(args.seed)
    say(f"chaos: {args.kills} kills across an import of {args.articles} articles; binaries from {build}; "
        f"work directory {work}")
    say(f"chaos: cms.api {args.api}, cms.max_in_flight {args.max_in_flight}, every CMS call delayed {args.cms_delay_ms} ms, "
        f"{args.fault_rate:.0%} of CMS calls fail (500/503/reset), seed {args.seed}")
    sim = harness.Sim(build, work, ["--generate", str(args.articles), "--seed", str(args.seed % 1000 + 1),
                                    "--request-log-size", "3000000"])
    t0 = time.monotonic()
    ok = False
    try:
        config = harness.write_config(root, work, args.max_in_flight, args.api)
        install_faults(sim, args.fault_rate, args.seed)
        sim.http.json("POST", "/_sim/faults", {"api": "cms", "action": "delay", "delay_ms": args.cms_delay_ms})
        live, unpublished, kill_times, mid_import = run_lives(args, build, work, config, sim, rng)
        say(f"chaos: {len(kill_times)} kills done in {time.monotonic() - t0:.0f} s; {mid_import} landed "
            "while the import was under way")
        if mid_import < len(kill_times) // 2:
            say(f"chaos: WARNING: only {mid_import} of {len(kill_times)} kills landed inside the import: "
                "raise --articles or --cms-delay-ms for a run that tests recovery mid-import")
        faults = sim.http.json("GET", "/_sim/faults")["rules"]
        fired = sum(r["fired"] for r in faults if r["action"] != "delay")
        matched = max((r["matched"] for r in faults), default=0)
        say(f"chaos: injected CMS faults: {fired} of {matched} CMS calls")
        sim.http.json("DELETE", "/_sim/faults")

        say("chaos: faults removed; one more feedsyncd run converges")
        t1 = time.monotonic()
        daemon = harness.Daemon(build, work, config, sim.base, log_name="final.err")
        converged, report = harness.converge(sim, daemon, args.converge_timeout)
        code = daemon.stop()
        say(f"chaos: converged={converged} in {time.monotonic() - t1:.1f} s; SIGTERM exit status {code}")
        failures, redundant, bound = final_checks(args, work, sim, unpublished, kill_times)
        if not converged:
            failures.insert(0, f"did not converge within {args.converge_timeout} s: {harness.summarize_check(report)}")
        if code != 0:
            failures.append(f"the final feedsyncd run exited with {code} on SIGTERM")
        say(f"chaos: total {time.monotonic() - t0:.0f} s")
        if failures:
            for f in failures:
                print("FAIL: " + f, file=sys.stderr)
            print(f"chaos: FAILED ({len(failures)} violation(s)); logs kept in {work}", file=sys.stderr)
            args.keep = True
            sys.exit(1)
        say(f"chaos: PASS: {len(kill_times)} kills, no duplicate, no lost change, no spurious delete, "
            f"{redundant} redundant versions <= {bound} writes in flight at the kills")
        ok = True
    finally:
        sim.stop()
        if args.keep or not ok:
            say(f"chaos: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
