#!/usr/bin/env python3
"""soak: `feedd run` over many poll cycles on feeds that keep changing.

Usage: soak.py FEEDD CORPUS_DIR FEEDS_DIR   (bench/soak.sh runs it)

The daemon polls FEEDS_DIR's N feeds (bench/realfeeds.py's corpus,
copied) served by a private nginx, with interval = 1m, for C cycles.
Between cycles the feeds change as real ones do (realfeeds.churn): a
share gain new items at the top (real items of other captures, fresh
ids, links and dates) and lose as many at the bottom, some edit an item
in place, some fail for a cycle or two (404, 500, a transfer too slow
to finish, a truncated body) and recover, and the rest answer 304.
Meanwhile readers and an admin use it: /feed.xml with and without
If-None-Match, /feed.json, /metrics, `feedd feeds`, `search`,
`stories`, `items`, `alerts`, `status`; a SIGHUP every few cycles (one
with a changed alert rule) and the alert log rotated once (mv + HUP).

Before the daemon starts, `feedd once` stores the feeds under faketime
two days back (retention = 1d), then the feeds churn two days' worth:
the daemon's start-up prune must drop the old items, and the ones that
fell off the feeds must not come back.

A cycle ends when every feed due in it has been fetched again (its
`fetches` in `feedd feeds --json` moved; feeds backing off after an
error are not due) and the daemon has flushed since the last of those
fetches (feedd_last_cycle_timestamp_seconds in /metrics).  After each
cycle it samples /proc/PID (VmRSS, VmHWM, RssAnon, the main arena's
[heap] from smaps, fds, threads, CPU, bytes written) and the files
(database, WAL, alert logs), counts the outputs' rewrites, prints one
row, and at the end a verdict: growth after the warm-up cycles (1-3),
CPU per cycle beside the fetches and renders it paid for, file growth
against items added.

Environment: SOAK_FEEDS (set by soak.sh), SOAK_CYCLES (15),
SOAK_HOSTS ("feed": a host name each, fI.localhost; "4": 127.0.0.1-4),
SOAK_CHANGE (0.25: share of feeds changing per cycle), SOAK_FAIL (0.03:
share starting to fail per cycle), SOAK_SEED (15), SOAK_PRUNE (1),
SOAK_KEEP (keep the work directory), SOAK_PERF=FILE (`perf record` the
daemon into FILE; `perf report --time 10%-30%` against `80%-100%`).
"""
import datetime
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realfeeds  # noqa: E402

INTERVAL = 60
DUE_SLACK = INTERVAL * 1.1 + 1      # interval + its 10% jitter
FAULTS = ("404", "500", "slow", "truncated")
HUP_EVERY = 4
WORDS = ("government", "open source", "climate", "election", "music",
         "新", "police", "robot*", "market AND price", "apple OR google")


def env(name, dflt, kind=int):
    v = os.environ.get(name)
    return kind(v) if v else dflt


def now():
    return time.time()


def rfc3339(s):
    if not s:
        return 0.0
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def wait_for(what, pred, timeout, step=0.2):
    """Polls pred until it returns true; fails the soak after timeout."""
    end = now() + timeout
    while now() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    sys.exit("soak: timed out waiting for %s" % what)


class Nginx:
    """The feeds' server: static files, plus a map of faulty URLs
    (404, 500, or slow: 1 byte/s, which curl's low-speed limit ends)."""

    def __init__(self, tmp, www, port):
        self.tmp, self.port = tmp, port
        self.map = os.path.join(tmp, "faults.map")
        open(self.map, "w").close()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""worker_processes 1;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 1000000;
	types { application/rss+xml xml; }
	map $uri $soak_fault { default ""; include %(map)s; }
	server {
		listen 127.0.0.1:%(port)d; listen 127.0.0.2:%(port)d;
		listen 127.0.0.3:%(port)d; listen 127.0.0.4:%(port)d;
		listen [::1]:%(port)d;
		root %(www)s;
		if ($soak_fault = 404) { return 404; }
		if ($soak_fault = 500) { return 500; }
		if ($soak_fault = slow) { set $limit_rate 1; }
	}
}
""" % {"tmp": tmp, "map": self.map, "port": port, "www": www})
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-p", tmp, "-c", conf, "-e",
                        os.path.join(tmp, "nginx-error.log")], check=True)
        self.pid = int(wait_for("nginx's pid file", lambda: self._pid(), 10))

    def _pid(self):
        try:
            return open(os.path.join(self.tmp, "nginx.pid")).read().strip()
        except OSError:
            return None

    def set_faults(self, faults, probe):
        """faults: {path: code}; probe: (path, code) to see it applied."""
        with open(self.map, "w") as f:
            for path, code in sorted(faults.items()):
                f.write('"%s" %s;\n' % (path, code))
        os.kill(self.pid, signal.SIGHUP)
        if probe is None:
            return
        path, want = probe
        url = "http://127.0.0.1:%d%s" % (self.port, path)
        wait_for("nginx to apply the fault map", lambda: http_status(
            url, method="HEAD") == want, 10)

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            pass


def http_status(url, headers=None, method="GET"):
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def http_get(url, headers=None):
    """(status, headers, body) of a GET; (0, {}, b"") when unreachable."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), b""
    except OSError:
        return 0, {}, b""


class Feeds:
    """The served feeds: the current text of each, its faults, churn."""

    def __init__(self, corpus, src, www, n, rng):
        self.www, self.n, self.rng = www, n, rng
        tpl = realfeeds.captures(corpus)
        raw = [open(os.path.join(corpus, f), "rb").read() for f in tpl]
        self.donors = realfeeds.Donors(raw)
        self.tpl = [i % len(tpl) for i in range(n)]
        self.cur = []
        for i in range(n):
            with open(os.path.join(src, "feed-%d.xml" % i), "rb") as f:
                self.cur.append(f.read())
            self.write(i, self.cur[i])
        self.fault = {}         # i -> [mode, cycles left]

    def path(self, i):
        return "/feed-%d.xml" % i

    def write(self, i, data):
        p = os.path.join(self.www, "feed-%d.xml" % i)
        with open(p + ".tmp", "wb") as f:
            f.write(data)
        os.rename(p + ".tmp", p)

    def items(self):
        return sum(realfeeds.count_items(d) for d in self.cur)

    def churn(self, i, tag, add, edit):
        data, a, e = realfeeds.churn(self.cur[i], self.tpl[i], self.donors,
                                     tag, now(), self.rng, add, edit)
        self.cur[i] = data
        if i not in self.fault or self.fault[i][0] != "truncated":
            self.write(i, data)
        return a, e

    def step(self, cycle, change, fail):
        """Between two cycles: faults end or start, a share changes.
        Returns (changed, added, edited, failing) and the map's probe."""
        for i in list(self.fault):
            self.fault[i][1] -= 1
            if self.fault[i][1] <= 0:
                if self.fault[i][0] == "truncated":
                    self.write(i, self.cur[i])
                del self.fault[i]
        healthy = [i for i in range(self.n) if i not in self.fault]
        for i in self.rng.sample(healthy, int(len(healthy) * fail)):
            mode = FAULTS[self.rng.randrange(len(FAULTS))]
            self.fault[i] = [mode, self.rng.choice((1, 1, 2))]
            if mode == "truncated":
                d = self.cur[i]
                self.write(i, d[:int(len(d) * 0.6)])
        changed = added = edited = 0
        for i in self.rng.sample(range(self.n), int(self.n * change)):
            a, e = self.churn(i, b"f%d-c%d-" % (i, cycle),
                              self.rng.choice((1, 1, 2, 3)),
                              self.rng.choice((0, 0, 1)))
            changed, added, edited = changed + 1, added + a, edited + e
        mapped = {self.path(i): m for i, (m, _) in self.fault.items()
                  if m in ("404", "500", "slow")}
        probe = next(((p, int(m)) for p, m in mapped.items()
                      if m in ("404", "500")), None)
        if probe is None and healthy:
            probe = (self.path(healthy[0]), 200)
        return (changed, added, edited, len(self.fault)), mapped, probe

    def age(self, rounds):
        """Two days of changes at once: about a third of every feed's
        items replaced per round."""
        added = 0
        for r in range(rounds):
            for i in range(self.n):
                k = realfeeds.count_items(self.cur[i])
                added += self.churn(i, b"f%d-a%d-" % (i, r),
                                    max(1, k // 3), 0)[0]
        return added


def feed_url(i, port, hosts):
    """Feed i's URL: on a host of its own (fI.localhost, which curl
    resolves to loopback: curl's connection and DNS caches see as many
    hosts as feeds, as with real subscriptions), or on one of 4."""
    if hosts == "feed":
        return "http://f%d.localhost:%d/feed-%d.xml" % (i, port, i)
    return "http://127.0.0.%d:%d/feed-%d.xml" % (i % 4 + 1, port, i)


def write_config(path, state, port, listen, n, rule, hosts):
    with open(path, "w") as f:
        f.write("[daemon]\nstate_dir = %s\ninterval = 1m\n" % state)
        f.write("concurrency = 16\nper_host = %d\ntimeout = 30s\n" %
                (2 if hosts == "feed" else 4))
        f.write("log_level = info\nretention = 1d\n\n")
        f.write("[output]\natom = feed.xml\njson = feed.json\n")
        f.write("max_entries = 200\nalert_feeds = alerts\n")
        f.write("listen = 127.0.0.1:%d\n\n" % listen)
        f.write("[alerts]\nlog = alerts.log\n\n")
        f.write('[alert "agents"]\nmatch = agent AND robotics\n\n')
        f.write('[alert "ai-cn"]\nmatch = 人工智能 OR "open source"\n\n')
        f.write('[alert "news"]\nmatch = %s\n\n' % rule)
        for i in range(n):
            f.write('[feed "feed %d"]\nurl = %s\n\n' % (
                i, feed_url(i, port, hosts)))


class Daemon:
    def __init__(self, feedd, conf, state, listen):
        self.feedd, self.conf, self.state = feedd, conf, state
        self.base = "http://127.0.0.1:%d" % listen
        self.log = os.path.join(state, "run.log")
        self.proc = None
        self.tck = os.sysconf("SC_CLK_TCK")

    def cmd(self, *args, check=True):
        r = subprocess.run([self.feedd, "-c", self.conf] + list(args),
                           capture_output=True)
        if check and r.returncode != 0:
            raise RuntimeError("feedd %s: exit %d: %s" % (
                " ".join(args), r.returncode, r.stderr[:200]))
        return r

    def start(self):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([self.feedd, "run", "-c", self.conf],
                                     stdout=self.logf, stderr=self.logf)
        wait_for("the daemon's /healthz", lambda: self.alive() and
                 http_status(self.base + "/healthz") == 200, 30)

    def alive(self):
        if self.proc.poll() is not None:
            sys.exit("soak: feedd run exited %d (see %s)" %
                     (self.proc.returncode, self.log))
        return True

    def log_count(self, pat):
        with open(self.log, "rb") as f:
            return len(re.findall(pat, f.read()))

    def hup(self):
        """SIGHUP, then wait for its 'reloaded' line."""
        before = self.log_count(rb"reloaded: \d+ feeds")
        os.kill(self.proc.pid, signal.SIGHUP)
        wait_for("the reload", lambda: self.log_count(
            rb"reloaded: \d+ feeds") > before, 30)

    def feeds(self):
        out = self.cmd("feeds", "--json").stdout.decode()
        return {o["name"]: o for o in map(json.loads, out.splitlines())}

    def metrics(self):
        st, _, body = http_get(self.base + "/metrics")
        m = {}
        for line in body.decode().splitlines():
            if line.startswith("#") or " " not in line:
                continue
            k, v = line.rsplit(" ", 1)
            m[k] = float(v)
        return m

    def proc_sample(self):
        pid = self.proc.pid
        s = {}
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "Threads"):
                    s[k] = int(v.split()[0])
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        s["cpu"] = (int(st[11]) + int(st[12])) / self.tck
        s["fds"] = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/%d/io" % pid) as f:
            io = dict(line.split(": ") for line in f.read().splitlines())
        s["wbytes"] = int(io["write_bytes"])
        return s

    def memmap(self):
        """Resident KB of the main arena ([heap]: the loop thread's
        allocations, SQLite's page cache among them) and of the other
        anonymous mappings (the threads' arenas, large blocks)."""
        heap = anon = 0
        name = None
        with open("/proc/%d/smaps" % self.proc.pid) as f:
            for line in f:
                p = line.split()
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    name = p[5] if len(p) > 5 else ""
                elif p[0] == "Rss:":
                    if name == "[heap]":
                        heap += int(p[1])
                    elif name == "":
                        anon += int(p[1])
        return heap, anon

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9


class Readers:
    """What people do while it runs; counts what failed."""

    def __init__(self, d):
        self.d, self.etag, self.n, self.failed = d, None, 0, []

    def once(self, cycle, rng):
        b = self.d.base
        st, h, body = http_get(b + "/feed.xml")
        self.check("GET /feed.xml", st == 200 and b"<feed" in body[:2000])
        etag = h.get("ETag")
        if etag:
            st2, _, _ = http_get(b + "/feed.xml", {"If-None-Match": etag})
            # 200 only if a flush rewrote it in between
            self.check("GET /feed.xml If-None-Match", st2 in (200, 304))
        if self.etag:
            st3, _, _ = http_get(b + "/feed.xml", {"If-None-Match": self.etag})
            self.check("GET /feed.xml old ETag", st3 in (200, 304))
        self.etag = etag
        self.check("GET /feed.json", http_status(b + "/feed.json") == 200)
        self.check("GET /metrics", http_status(b + "/metrics") == 200)
        self.check("GET /alerts/news.xml",
                   http_status(b + "/alerts/news.xml") in (200, 404))
        for args in (("feeds",), ("search", WORDS[cycle % len(WORDS)]),
                     ("stories", "--limit", "20"), ("items", "--limit", "20"),
                     ("alerts", "--limit", "10"), ("status",)):
            r = self.d.cmd(*args, check=False)
            # status exits 1 when feeds fail, which the soak makes happen
            ok = r.returncode == 0 or (args[0] == "status" and
                                       r.returncode == 1 and r.stdout)
            self.check("feedd " + " ".join(args), ok)

    def check(self, what, ok):
        self.n += 1
        if not ok:
            self.failed.append(what)


def files(state):
    def size(p):
        try:
            return os.path.getsize(os.path.join(state, p))
        except OSError:
            return 0
    alog = [p for p in os.listdir(state) if p.startswith("alerts.log")]
    lines = 0
    for p in alog:
        with open(os.path.join(state, p), "rb") as f:
            lines += f.read().count(b"\n")
    return {"db": size("feedd.db"), "wal": size("feedd.db-wal"),
            "alog": sum(size(p) for p in alog), "alines": lines}


def db_items(state, older_than=None):
    con = sqlite3.connect("file:%s/feedd.db?mode=ro" % state, uri=True,
                          timeout=30)
    try:
        if older_than is None:
            return con.execute("SELECT count(*) FROM items").fetchone()[0]
        return con.execute("SELECT count(*) FROM items WHERE first_seen < ?",
                           (int(older_than),)).fetchone()[0]
    finally:
        con.close()


class Renders:
    """Counts the outputs' rewrites: feed.xml's mtime, looked at every
    poll of wait_cycle (2 s; the daemon renders at most every 5 s)."""

    def __init__(self, path):
        self.path, self.last, self.n = path, None, 0

    def look(self):
        try:
            m = os.stat(self.path).st_mtime_ns
        except OSError:
            return
        if m != self.last:
            self.n += self.last is not None
            self.last = m

    def take(self):
        n, self.n = self.n, 0
        return n


def wait_cycle(d, base, t0, readers, cycle, rng, renders):
    """Until every feed due in this cycle was fetched after t0 and the
    daemon flushed after the last of those fetches."""
    read = False
    while True:
        d.alive()
        renders.look()
        fs = d.feeds()
        todo = [n for n, f in fs.items() if f["fetches"] <= base[n] and
                rfc3339(f["next_due"]) <= t0 + DUE_SLACK]
        if not read and len(todo) <= len(fs) // 2:
            readers.once(cycle, rng)    # mid-cycle, as people do
            read = True
        if not todo:
            break
        if now() > t0 + 4 * INTERVAL:
            sys.exit("soak: cycle %d: %d feeds not fetched in %ds: %s" % (
                cycle, len(todo), 4 * INTERVAL, todo[:5]))
        time.sleep(2)
    if not read:
        readers.once(cycle, rng)
    last = max(rfc3339(f["last_fetch"]) for f in fs.values()
               if f["fetches"] > base[f["name"]])
    wait_for("the flush after the cycle", lambda: d.metrics().get(
        "feedd_last_cycle_timestamp_seconds", 0) >= last, 2 * INTERVAL, 1)
    renders.look()
    return fs


def fetch_counts(m):
    return {k.split('"')[1]: v for k, v in m.items()
            if k.startswith("feedd_fetches_total{")}


def main():
    feedd, corpus, src = sys.argv[1:4]
    n = env("SOAK_FEEDS", 300)
    cycles = env("SOAK_CYCLES", 15)
    change = env("SOAK_CHANGE", 0.25, float)
    fail = env("SOAK_FAIL", 0.03, float)
    rng = random.Random(env("SOAK_SEED", 15))
    tmp = tempfile.mkdtemp(prefix="feedd-soak.")
    os.chmod(tmp, 0o755)
    www, state = os.path.join(tmp, "www"), os.path.join(tmp, "state")
    os.makedirs(www)
    os.makedirs(state)
    port = 20000 + os.getpid() % 20000
    listen = port + 1
    conf = os.path.join(tmp, "feedd.conf")
    rules = ["government OR election OR minister",
             "court OR police OR climate"]
    hosts = os.environ.get("SOAK_HOSTS", "feed")
    write_config(conf, state, port, listen, n, rules[0], hosts)
    ngx = Nginx(tmp, www, port)
    d = Daemon(feedd, conf, state, listen)
    try:
        run(d, ngx, Feeds(corpus, src, www, n, rng), conf, state, port,
            listen, n, cycles, change, fail, rng, rules, hosts)
    finally:
        if d.proc and d.proc.poll() is None:
            d.proc.kill()
        ngx.stop()
        if os.environ.get("SOAK_KEEP"):
            print("work directory kept: %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def seed_old(d, feeds):
    """`feedd once` two days back, then two days of changes."""
    if not shutil.which("faketime"):
        sys.exit("soak: faketime missing (scripts/install-deps --all)")
    env_ = dict(os.environ, FAKETIME="-2d", FAKETIME_DONT_FAKE_MONOTONIC="1")
    r = subprocess.run(["faketime", "-f", "-2d", d.feedd, "once", "-c",
                        d.conf], capture_output=True, env=env_)
    if r.returncode != 0:
        sys.exit("soak: feedd once under faketime: exit %d: %s" % (
            r.returncode, r.stderr[:300]))
    seeded = db_items(d.state)
    old = db_items(d.state, now() - 86400)
    gone = feeds.age(2)
    return seeded, old, gone


def run(d, ngx, feeds, conf, state, port, listen, n, cycles, change, fail,
        rng, rules, hosts):
    stat = open(os.path.join(os.path.dirname(os.path.abspath(sys.argv[3])),
                             "real-%d.stat" % n)).read().strip()
    print("corpus: %s" % stat)
    print("soak: %d feeds on %s, %d cycles of interval 1m, %.0f%% changing "
          "and %.0f%% starting to fail per cycle" % (
              n, "a host each" if hosts == "feed" else "4 hosts", cycles,
              change * 100, fail * 100))
    prune = None
    if env("SOAK_PRUNE", 1):
        prune = seed_old(d, feeds)
        print("prune: `feedd once` 2 days back stored %d items (%d older "
              "than 1d); then %d items replaced in the feeds" % prune)
    served0 = feeds.items()
    # what the database says before the daemon starts fetching
    base = {"feed %d" % i: 0 for i in range(n)}
    if prune:
        base.update({k: f["fetches"] for k, f in d.feeds().items()})
    t0 = now()
    d.start()
    perf = None
    if os.environ.get("SOAK_PERF"):
        # samples with times: `perf report --time A%-B%` compares parts
        perf = subprocess.Popen(["perf", "record", "-q", "-F", "99", "-g",
                                 "-p", str(d.proc.pid), "-o",
                                 os.environ["SOAK_PERF"]],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    readers = Readers(d)
    rows = []
    hup_rule = 2 * HUP_EVERY if cycles >= 2 * HUP_EVERY else HUP_EVERY
    rotate_at = max(2, cycles // 2 - 1)
    if rotate_at % HUP_EVERY == 0:
        rotate_at += 1
    events = {}
    step = (0, 0, 0, 0)
    prev = None
    renders = Renders(os.path.join(state, "feed.xml"))
    renders.look()
    for c in range(1, cycles + 1):
        fs = wait_cycle(d, base, t0, readers, c, rng, renders)
        m = d.metrics()
        s = d.proc_sample()
        s.update(files(state))
        s["items"] = db_items(state)
        s["old"] = db_items(state, now() - 86400)
        s["stored"] = m.get("feedd_items_stored_total", 0)
        s["alerts"] = sum(v for k, v in m.items()
                          if k.startswith("feedd_alerts_total"))
        fc = fetch_counts(m)
        s["fetch"] = fc
        s["secs"] = now() - t0
        s["renders"] = renders.take()
        s["heap"], s["anonmaps"] = d.memmap()
        s["change"] = step
        s["event"] = events.pop(c, "")
        s["fetched"] = sum(1 for name, f in fs.items()
                           if f["fetches"] > base[name])
        if prev is not None:
            s["d"] = {k: fc.get(k, 0) - prev["fetch"].get(k, 0) for k in fc}
        else:
            s["d"] = fc
        rows.append(s)
        print_row(c, s, prev)
        sys.stdout.flush()
        prev = s
        if c == cycles:
            break
        # the next cycle: the feeds change, the admin acts
        base = {name: f["fetches"] for name, f in fs.items()}
        step, mapped, probe = feeds.step(c, change, fail)
        ngx.set_faults(mapped, probe)
        nxt = c + 1
        if nxt == rotate_at:
            os.rename(os.path.join(state, "alerts.log"),
                      os.path.join(state, "alerts.log.1"))
            d.hup()
            events[nxt] = "rotate"
        elif nxt % HUP_EVERY == 0:
            if nxt == hup_rule:
                write_config(conf, state, port, listen, n, rules[1], hosts)
            d.hup()
            events[nxt] = "HUP+rule" if nxt == hup_rule else "HUP"
        t0 = now()
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait(60)
    rc = d.stop()
    verdict(rows, readers, prune, served0, feeds.items(), rc, state, d)


def print_row(c, s, prev):
    if prev is None:
        print("%-3s %4s %6s %6s %6s %5s %4s %4s %6s %6s %7s %6s %6s %6s %6s %6s "
              "%5s %3s %-18s %s" % ("cyc", "secs", "RSS", "HWM", "anon", "heap", "fds",
                                "thr", "cpu", "dCPU", "items", "new", "DB",
                                "WAL", "wrMB", "alogKB", "alrt", "rnd",
                                "200/304/err chg", "event"))
    d = s["d"]
    print("%-3d %4.0f %6.1f %6.1f %6.1f %5.1f %4d %4d %6.1f %6.2f %7d %6d %6.1f "
          "%6.1f %6.1f %6.0f %5d %3d %-18s %s" % (
              c, s["secs"], s["VmRSS"] / 1024, s["VmHWM"] / 1024,
              s["RssAnon"] / 1024, s["heap"] / 1024, s["fds"], s["Threads"], s["cpu"],
              s["cpu"] - (prev["cpu"] if prev else 0), s["items"],
              s["stored"] - (prev["stored"] if prev else 0),
              s["db"] / 2**20, s["wal"] / 2**20,
              (s["wbytes"] - (prev["wbytes"] if prev else 0)) / 2**20,
              s["alog"] / 1024,
              s["alerts"] - (prev["alerts"] if prev else 0), s["renders"],
              "%d/%d/%d %d" % (d.get("ok", 0), d.get("not_modified", 0),
                               sum(v for k, v in d.items()
                                   if k not in ("ok", "not_modified")),
                               s["change"][0]),
              s["event"]))


def slope(xs, ys):
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0


def verdict(rows, readers, prune, served0, served, rc, state, d):
    warm = rows[min(2, len(rows) - 1):]   # the warm-up is cycles 1-3
    c0 = len(rows) - len(warm) + 1
    print("\n== verdict (after the warm-up: cycles %d-%d)" % (c0, len(rows)))
    xs = list(range(c0, len(rows) + 1))

    def growth(key, scale, unit):
        ys = [r[key] / scale for r in warm]
        return "%s %.1f -> %.1f %s (min %.1f, max %.1f; slope %+.2f %s/cycle)" % (
            key, ys[0], ys[-1], unit, min(ys), max(ys), slope(xs, ys), unit)
    for key in ("VmRSS", "RssAnon", "heap", "anonmaps"):
        print("  " + growth(key, 1024, "MB"))
    print("  peak RSS (VmHWM) over the whole soak: %.1f MB  [<= 64]" %
          (rows[-1]["VmHWM"] / 1024))
    for key in ("fds", "Threads"):
        print("  " + growth(key, 1, ""))
    dcpu = [rows[i]["cpu"] - rows[i - 1]["cpu"] for i in range(1, len(rows))]
    new = [rows[i]["stored"] - rows[i - 1]["stored"] for i in
           range(1, len(rows))]
    fetched = [sum(rows[i]["d"].values()) for i in range(1, len(rows))]
    half = max(1, (len(dcpu) - 2) // 2)
    a, b = dcpu[2:2 + half], dcpu[2 + half:]
    if a and b:
        print("  CPU per cycle: cycle 1 (cold) %.2f s; cycles %d-%d mean %.2f s"
              ", cycles %d-%d mean %.2f s (ratio %.2f)" % (
                  rows[0]["cpu"], c0 + 1, c0 + len(a), sum(a) / len(a),
                  c0 + len(a) + 1, len(rows), sum(b) / len(b),
                  (sum(b) / len(b)) / (sum(a) / len(a)) if sum(a) else 0))
        na, nb = sum(new[2:2 + half]), sum(new[2 + half:])
        fa, fb = sum(fetched[2:2 + half]), sum(fetched[2 + half:])
        ra = sum(r["renders"] for r in rows[c0:c0 + len(a)])
        rb = sum(r["renders"] for r in rows[c0 + len(a):])
        print("  the same halves: %d then %d fetches (%.2f then %.2f ms of "
              "CPU per fetch), %d then %d new items, %d then %d renders" % (
                  fa, fb, 1000 * sum(a) / max(fa, 1),
                  1000 * sum(b) / max(fb, 1), na, nb, ra, rb))
    first, last = warm[0], rows[-1]
    added = last["stored"] - first["stored"]
    dbg = last["db"] - first["db"]
    # the WAL grows to its checkpoint threshold and stays at its size
    # limit: counted apart, or a small soak's per-item figure is the WAL's
    print("  database file: %.1f MB at cycle %d -> %.1f MB (%+.1f MB for %d "
          "new items: %.2f KB per item); WAL max %.1f MB, last %.1f MB" % (
              first["db"] / 2**20, c0, last["db"] / 2**20, dbg / 2**20,
              added, dbg / 1024 / max(added, 1),
              max(r["wal"] for r in rows) / 2**20, last["wal"] / 2**20))
    print("  items stored: %d at cycle %d -> %d; the feeds serve %d items "
          "(%d at the start)" % (first["items"], c0, last["items"], served,
                                 served0))
    wr = [(rows[i]["wbytes"] - rows[i - 1]["wbytes"]) / 2**20
          for i in range(c0, len(rows))]
    if wr:
        print("  disk writes per cycle after the warm-up: mean %.1f MB "
              "(min %.1f, max %.1f)" % (sum(wr) / len(wr), min(wr), max(wr)))
    al = last["alerts"] - rows[0]["alerts"]
    print("  alert log: %d lines, %.1f KB (%d alerts written after cycle 1, "
          "%.0f bytes per line)" % (last["alines"], last["alog"] / 1024, al,
                                     last["alog"] / max(last["alines"], 1)))
    if prune:
        print("  prune: %d items stored 2 days back; %d of them were older "
              "than 1d; after the start-up prune and cycle 1, %d items older "
              "than 1d are left (the outputs' newest 200 stories are kept); "
              "database %d items after cycle 1, served %d" % (
                  prune[0], prune[1], rows[0]["old"], rows[0]["items"],
                  served0))
    print("  readers: %d requests and commands, %d failed%s" % (
        readers.n, len(readers.failed),
        (": " + ", ".join(sorted(set(readers.failed)))) if readers.failed
        else ""))
    rot = os.path.exists(os.path.join(state, "alerts.log.1"))
    print("  alert log rotated: %s; reloads logged: %d; SIGTERM exit %d" % (
        "yes, alerts.log reopened" if rot and os.path.exists(
            os.path.join(state, "alerts.log")) else "no" if not rot
        else "alerts.log not recreated", d.log_count(rb"reloaded: \d+ feeds"),
        rc))
    print("  log: %d lines: %d feeds failing, %d ok again, %d other" % (
        d.log_count(rb"\n"), d.log_count(rb": failing: "),
        d.log_count(rb": ok again\n"), d.log_count(
            rb"(?m)^(?!.*(?:: failing: |: ok again$|reloading|reloaded:|"
            rb"running:|stopping$)).+$")))


if __name__ == "__main__":
    main()
