"""Shared pieces of the live tests: start tests/live/service under the
profiler, talk to it, read pprof files (a small protobuf reader, stdlib
only), and count results. Every wait is bounded."""
import gzip
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time

from pbwire import fields, ints

LIB = os.environ.get("LOCKPROF_LIB", "")
SERVICE = os.environ.get("LIVE_SERVICE", "")
FIXTURES = os.environ.get("LIVE_FIXTURES", "")

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, flush=True)
    return cond


def done():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


# ---- pprof ----

def _signed(x):
    return x - (1 << 64) if x >= 1 << 63 else x


class Profile:
    """The fields the tests look at."""

    def __init__(self, data):
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        self.strings, self.samples, self.types = [], [], []
        self.locations, self.functions = {}, {}
        self.time_nanos = self.duration_nanos = self.period = 0
        self.period_type = None
        funcs = {}
        for num, wire, v in fields(raw):
            if num == 6:
                self.strings.append(v.decode())
            elif num == 1:
                self.types.append(dict((n, x) for n, _, x in fields(v)))
            elif num == 11:
                self.period_type = dict((n, x) for n, _, x in fields(v))
            elif num == 2:
                locs, vals = [], []
                for n, w, x in fields(v):
                    if n == 1:
                        locs += ints(w, x)
                    elif n == 2:
                        vals += [_signed(y) for y in ints(w, x)]
                self.samples.append((locs, vals))
            elif num == 4:
                lid, addr, fids = 0, 0, []
                for n, w, x in fields(v):
                    if n == 1:
                        lid = x
                    elif n == 3:
                        addr = x
                    elif n == 4:
                        fids += [y for m, _, y in fields(x) if m == 1]
                self.locations[lid] = (addr, fids)
            elif num == 5:
                d = dict((n, x) for n, _, x in fields(v))
                funcs[d.get(1, 0)] = d.get(2, 0)
            elif num == 9:
                self.time_nanos = v
            elif num == 10:
                self.duration_nanos = v
            elif num == 12:
                self.period = v
        self.functions = {k: self.strings[s] for k, s in funcs.items()}
        self.types = [(self.strings[t.get(1, 0)], self.strings[t.get(2, 0)])
                      for t in self.types]
        if self.period_type is not None:
            self.period_type = (self.strings[self.period_type.get(1, 0)],
                                self.strings[self.period_type.get(2, 0)])

    def names(self, locs):
        out = []
        for lid in locs:
            out += [self.functions.get(f, "?") for f in self.locations[lid][1]]
        return out

    def by_addresses(self):
        """{tuple of location addresses: [contentions, delay]}, as Alloy
        keys samples across scrapes."""
        out = {}
        for locs, vals in self.samples:
            k = tuple(self.locations[l][0] for l in locs)
            acc = out.setdefault(k, [0, 0])
            acc[0] += vals[0]
            acc[1] += vals[1]
        return out

    def total(self, func=None):
        """Contentions and delay of the samples whose stack has `func`."""
        c = d = 0
        for locs, vals in self.samples:
            if func is None or func in self.names(locs):
                c += vals[0]
                d += vals[1]
        return c, d


# ---- the service ----

class Service:
    def __init__(self, env=None, http="127.0.0.1:0", cwd=None, need_url=True,
                 argv=None):
        e = dict(os.environ)
        e.update({"LD_PRELOAD": LIB, "LOCKPROF_BLOCK_RATE": "1",
                  "LOCKPROF_MUTEX_FRACTION": "1"})
        if http:
            e["LOCKPROF_HTTP"] = http
        e.update(env or {})
        self.cwd = cwd
        self.proc = subprocess.Popen(argv or [SERVICE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=e, cwd=cwd,
                                     text=True, bufsize=1)
        self.out, self.err = queue.Queue(), []
        self.port = None
        self.url = None
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.out),
                         daemon=True).start()
        threading.Thread(target=self._errs, daemon=True).start()
        line = self.expect("ready", 10)
        self.pid = int(line.split()[1])
        if http and not need_url:
            time.sleep(0.5)  # for stderr to be read
        elif http:
            deadline = time.time() + 10
            while self.url is None and time.time() < deadline:
                time.sleep(0.02)
            if self.url is None:
                raise RuntimeError("no endpoint: %r" % self.err)
            m = re.match(r"http://127\.0\.0\.1:(\d+)/", self.url)
            if m:
                self.port = int(m.group(1))

    @staticmethod
    def _pump(f, q):
        for line in f:
            q.put(line.rstrip("\n"))
        q.put(None)

    def _errs(self):
        for line in self.proc.stderr:
            self.err.append(line.rstrip("\n"))
            m = re.search(r"serving profiles at (\S+)", line)
            if m:
                self.url = m.group(1)

    def expect(self, prefix, timeout=30):
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise RuntimeError("service: no %r in %ss" % (prefix, timeout))
            try:
                line = self.out.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("service ended waiting for %r" % prefix)
            if line.startswith(prefix):
                return line

    def cmd(self, line, answer, timeout=30):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.expect(answer, timeout)

    def stop(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
        except OSError:
            pass
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


# ---- HTTP, by hand: the tests look at the exact bytes ----

def request(port, raw, timeout=10, host="127.0.0.1"):
    """Send raw bytes, read until the server closes or the answer (with its
    Content-Length) is whole. Returns (status, [(name, value)], body)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(raw)
        return read_answer(s, timeout)
    finally:
        s.close()


def read_answer(s, timeout=10, head=False):
    buf = b""
    deadline = time.time() + timeout
    while b"\r\n\r\n" not in buf:
        s.settimeout(max(0.01, deadline - time.time()))
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = [tuple(l.split(": ", 1)) for l in lines[1:] if ": " in l]
    length = 0 if head else int(dict(headers).get("Content-Length", -1))
    while length >= 0 and len(body) < length and time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def get(port, path, timeout=30, method="GET"):
    """A request as curl and Go's client send it (kept alive: the answer
    then has exactly Go's headers)."""
    return request(port, ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "User-Agent: lockprof-test\r\nAccept: */*\r\n\r\n"
                          % (method, path)).encode(), timeout)
