#!/usr/bin/env python3
"""CMP webhook delivery -> article published in the CMS (issue 19), against feedsync-sim.

For each of N rounds: an article's title changes in the simulated CMP, the simulator's CMP webhook
sender delivers one `asset_added` to the running feedsyncd (`POST /hooks/cmp/demo`), and the round
ends when the CMS holds a published version with the new title. The latency of a round is the
CMS's `published` time of that version minus the delivery's send time, both stamped by the
simulator on the same wall clock, so the script's own polling does not count. The feed's
interval is an hour: only the delivery can start the poll.

Prints p50 / p90 / p99 / max for each webhooks.cmp.coalesce given (default: 100ms, the default,
and 0s).

Usage: bench/webhook_latency.py [--rounds 50] [--preset release] [--coalesce 100ms,0s] [--api v1]
(builds feedsyncd and feedsync-sim with the preset first; --no-build to skip).
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "bench-cmp-secret-0123456789abcde"
FEED = "simfeed0000000000000000000000001"


def http(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def rfc3339_ms(text):
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def config_text(api, coalesce):
    with open(os.path.join(ROOT, "config/demo.yaml")) as f:
        text = f.read()
    text = text.replace("interval: 2s", "interval: 1h").replace("full_scan_interval: 1m", "full_scan_interval: 24h")
    text = text.replace("engine:\n", "webhooks:\n  cmp:\n    secret: ${CMP_SECRET}\n    coalesce: %s\nengine:\n" % coalesce)
    if api == "v1":
        text = text.replace("api: version2", "api: v1")
        text = text.replace("base_url: ${SIM_URL}/_cms/version2", "base_url: ${SIM_URL}/v1")
        text = text.replace("token_url: ${SIM_URL}/_cms/version2/oauth/token", "token_url: ${SIM_URL}/oauth/token")
    return text


def published_at(sim, title):
    """The CMS's publish time (unix ms) of a published version titled `title`, or None."""
    for item in http("GET", sim + "/_sim/cms/items"):
        for version in item.get("versions", []):
            if version.get("status") == "published" and version.get("displayName") == title and version.get("published"):
                return rfc3339_ms(version["published"])
    return None


def wait_for(what, condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.005)
    raise SystemExit("bench: timed out waiting for " + what)


def run(build_dir, api, coalesce, rounds, work):
    ports = os.path.join(work, "ports")
    sim = subprocess.Popen([os.path.join(build_dir, "sim/feedsync-sim"), "--generate", "30", "--seed", "5",
                            "--print-ports", "--log-level", "warn"], stdout=open(ports, "w"))
    daemon = None
    try:
        base = wait_for("the simulator", lambda: os.path.getsize(ports) and json.loads(open(ports).readline())["base_url"])
        config = os.path.join(work, "feedsync-%s.yaml" % coalesce)
        with open(config, "w") as f:
            f.write(config_text(api, coalesce))
        log = open(os.path.join(work, "daemon-%s.log" % coalesce), "w+")
        env = dict(os.environ, SIM_URL=base, FEEDSYNC_STATE=os.path.join(work, "state-%s.db" % coalesce),
                   CMS_CLIENT_SECRET="sim-secret", CMP_SECRET=SECRET)
        daemon = subprocess.Popen([os.path.join(build_dir, "daemon/feedsyncd"), "run", "--config", config],
                                  stderr=subprocess.STDOUT, stdout=log, env=env)
        port = wait_for("the daemon's port", lambda: re.search(r"http=127\.0\.0\.1:(\d+)", open(log.name).read()))
        hook = "http://127.0.0.1:%s/hooks/cmp/demo" % port.group(1)
        wait_for("the first sync", lambda: http("GET", base + "/_sim/check")["ok"])
        articles = http("GET", base + "/_sim/feeds/%s/articles" % FEED)["articles"]
        latencies = []
        for i in range(rounds):
            guid = articles[i % len(articles)]["guid"]
            title = "bench %s round %d" % (coalesce, i)
            http("PATCH", base + "/_sim/articles/" + guid, {"title": title})
            sent = http("POST", base + "/_sim/cmp/webhooks:deliver", {"url": hook, "secret": SECRET})
            if sent["statuses"] != {"202": 1}:
                raise SystemExit("bench: delivery answered %s" % sent["statuses"])
            done = wait_for("round %d" % i, lambda: published_at(base, title))
            latencies.append(done - sent["first_sent_ms"])
        return latencies
    finally:
        for process in (daemon, sim):
            if process:
                process.terminate()
                process.wait(timeout=30)


def percentile(values, p):
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100.0 * len(ordered))) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--preset", default="release")
    parser.add_argument("--coalesce", default="100ms,0s")
    parser.add_argument("--api", choices=["v1", "version2"], default="v1")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    build_dir = os.path.join(ROOT, "build", args.preset)
    if not args.no_build:
        subprocess.run(["cmake", "--preset", args.preset], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build_dir, "-j1", "--target", "feedsyncd", "feedsync-sim"], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    print("webhook -> CMS published, %d rounds, cms.api %s, %s build, load average %s" %
          (args.rounds, args.api, args.preset, " ".join("%.2f" % x for x in os.getloadavg())))
    with tempfile.TemporaryDirectory() as work:
        for coalesce in args.coalesce.split(","):
            ms = run(build_dir, args.api, coalesce, args.rounds, work)
            print("coalesce %-6s p50 %4d ms  p90 %4d ms  p99 %4d ms  max %4d ms  mean %6.1f ms" %
                  (coalesce, percentile(ms, 50), percentile(ms, 90), percentile(ms, 99), max(ms), statistics.mean(ms)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
