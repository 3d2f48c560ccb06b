# SPDX-License-Identifier: MIT
"""Shared pieces of the live tests: start tests/live/service under the
profiler, talk to it; checks are counted (testlib.Tally) and profiles
read with testlib.Profile. Every wait is bounded."""
import os
import queue
import re
import socket
import subprocess
import threading
import time

import testlib
from testlib import Profile  # noqa: F401 (the tests import it from here)

LIB = os.environ.get("LOCKPROF_LIB", "")
SERVICE = os.environ.get("LIVE_SERVICE", "")
FIXTURES = os.environ.get("LIVE_FIXTURES", "")

_checks = testlib.Tally()
check, done, skip = _checks.check, _checks.done, _checks.skip


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
