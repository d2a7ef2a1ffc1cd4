"""Shared plumbing for scripts/chaos (bench/chaos.py) and bench/soak.sh (bench/soak.py).

Python 3 standard library only (Debian 12's python3). Starts feedsync-sim and feedsyncd from a
build directory, on ports from the OS, in a private work directory; talks to the simulator's
control API (/_sim/..., docs/simulator.md) and the daemon's ops listener (/metrics).
"""

import atexit
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

FEED = "simfeed0000000000000000000000001"
MAX_BODY = 256 * 1024 * 1024  # cap on every body read (the CMS item list of 5,000 items is ~10 MB)


_children = []  # every process started here, stopped at exit (an error or Ctrl-C midway included)


@atexit.register
def _stop_children():
    for proc in _children:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def say(*parts):
    print(*parts, flush=True)


def fail(message):
    print("FAIL: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


class Http:
    """A tiny JSON client for one base URL."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read(MAX_BODY + 1)
                status = resp.status
        except urllib.error.HTTPError as err:
            raw = err.read(MAX_BODY + 1)
            status = err.code
        if len(raw) > MAX_BODY:
            raise RuntimeError(f"{method} {path}: body over {MAX_BODY} bytes")
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, parsed

    def json(self, method, path, body=None, ok=(200, 201, 204), timeout=60):
        status, parsed = self.call(method, path, body, timeout)
        if status not in ok:
            raise RuntimeError(f"{method} {self.base}{path}: HTTP {status}: {str(parsed)[:300]}")
        return parsed


def find_build_dir(root, given):
    """The build directory holding daemon/feedsyncd and sim/feedsync-sim."""
    candidates = [given] if given else [os.path.join(root, "build", "default"), os.path.join(root, "build", "release")]
    for d in candidates:
        if d and os.access(os.path.join(d, "daemon", "feedsyncd"), os.X_OK) and os.access(
                os.path.join(d, "sim", "feedsync-sim"), os.X_OK):
            return os.path.abspath(d)
    fail(f"no feedsyncd and feedsync-sim under {candidates}: build them (cmake --preset default && "
         "cmake --build --preset default --target feedsyncd feedsync-sim) or pass --build-dir")


class Sim:
    """feedsync-sim as a child process on a port from the OS."""

    def __init__(self, build, work, args):
        self.log = open(os.path.join(work, "sim.err"), "ab")
        ports = os.path.join(work, "sim.ports")
        with open(ports, "wb") as out:
            self.proc = subprocess.Popen([os.path.join(build, "sim", "feedsync-sim"), "--print-ports",
                                          "--log-level", "warn", *args], stdout=out, stderr=self.log)
        _children.append(self.proc)
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            with open(ports) as f:
                line = f.read()
            if line.strip():
                break
            if self.proc.poll() is not None:
                fail(f"feedsync-sim exited with {self.proc.returncode} at start (see {work}/sim.err)")
            time.sleep(0.05)
        if not line.strip():
            fail("feedsync-sim printed no port within 30 s")
        self.base = json.loads(line)["base_url"]
        self.http = Http(self.base)

    def check(self):
        return self.http.json("GET", "/_sim/check?property=Heading&field=title")

    def live_guids(self, feed=FEED):
        listing = self.http.json("GET", f"/_sim/feeds/{feed}/articles")
        return [a["guid"] for a in listing["articles"]]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def write_config(root, work, max_in_flight, api="version2"):
    """config/demo.yaml with cms.max_in_flight set (the relay's concurrent CMS operations) and
    the CMS dialect `api` (version2: the flat API, v1: the v1 API and its token endpoint)."""
    with open(os.path.join(root, "config", "demo.yaml")) as f:
        text = f.read()
    if api == "v1":
        text = text.replace("api: version2", "api: v1").replace(
            "base_url: ${SIM_URL}/_cms/version2", "base_url: ${SIM_URL}/v1").replace(
            "token_url: ${SIM_URL}/_cms/version2/oauth/token", "token_url: ${SIM_URL}/oauth/token")
    text, n = re.subn(r"max_in_flight: \d+", f"max_in_flight: {max_in_flight}", text)
    if n != 1:
        fail("config/demo.yaml: expected one cms.max_in_flight line")
    path = os.path.join(work, "feedsync.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


class Daemon:
    """One `feedsyncd run`; its stderr goes to a file (always drained), read for the ops port."""

    def __init__(self, build, work, config, sim_base, log_name="daemon.err"):
        self.err_path = os.path.join(work, log_name)
        self.err = open(self.err_path, "ab")
        self.offset = self.err.tell()
        env = dict(os.environ, SIM_URL=sim_base, FEEDSYNC_STATE=os.path.join(work, "state.db"),
                   CMS_CLIENT_SECRET="sim-secret")
        self.proc = subprocess.Popen([os.path.join(build, "daemon", "feedsyncd"), "run", "--config", config],
                                     stdout=subprocess.DEVNULL, stderr=self.err, env=env)
        _children.append(self.proc)
        self.pid = self.proc.pid
        self.http = None

    def stderr_text(self):
        with open(self.err_path, "rb") as f:
            f.seek(self.offset)
            return f.read().decode("utf-8", "replace")

    def wait_for(self, needle, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.stderr_text():
                return True
            if self.proc.poll() is not None:
                return needle in self.stderr_text()
            time.sleep(0.01)
        return False

    def ops(self, timeout=60):
        """The daemon's ops listener, from its "feedsyncd started" log line."""
        if self.http:
            return self.http
        if not self.wait_for("feedsyncd started", timeout):
            raise RuntimeError(f"feedsyncd did not start within {timeout} s:\n{self.stderr_text()[-2000:]}")
        m = re.search(r'feedsyncd started.*?"?http"?[=:]"?([0-9.]+:\d+)', self.stderr_text())
        if not m:
            raise RuntimeError("no http=HOST:PORT in the 'feedsyncd started' line")
        self.http = Http("http://" + m.group(1))
        return self.http

    def outbox_pending(self):
        """Sum of feedsync_outbox_pending over operations, from /metrics."""
        status, text = self.ops().call("GET", "/metrics", timeout=30)
        if status != 200 or not isinstance(text, str):
            raise RuntimeError(f"/metrics answered {status}")
        total = 0.0
        seen = False
        for line in text.splitlines():
            if line.startswith("feedsync_outbox_pending"):
                total += float(line.rsplit(" ", 1)[1])
                seen = True
        if not seen:
            raise RuntimeError("/metrics has no feedsync_outbox_pending")
        return int(total)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        code = self.proc.wait(30)
        self.err.close()
        return code

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        return self.proc.returncode


def converge(sim, daemon, timeout):
    """Polls until /_sim/check (with the Heading/title drift check) is ok and the outbox is empty."""
    deadline = time.monotonic() + timeout
    report = None
    while time.monotonic() < deadline:
        report = sim.check()
        if report["ok"]:
            try:
                if daemon.outbox_pending() == 0:
                    return True, report
            except RuntimeError:
                pass
        if daemon.proc.poll() is not None:
            fail(f"feedsyncd exited with {daemon.proc.returncode} while converging:\n{daemon.stderr_text()[-3000:]}")
        time.sleep(1)
    return False, report


def summarize_check(report):
    c = report["counts"]
    return (f"ok={report['ok']} live={c['live_articles']} deleted_feed={c['deleted_feed_articles']} "
            f"items={c['cms_items']} items_deleted={c['cms_items_deleted']} "
            f"duplicates={len(report['duplicates'])} missing={len(report['missing_in_cms'])} "
            f"stale={len(report['stale_in_cms'])} drift={len(report['drift'])}")
