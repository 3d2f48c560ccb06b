# SPDX-License-Identifier: MIT
"""The endpoint answers as Go's net/http/pprof does (docs/live.md,
tests/fixtures/go/http/), deltas hold only their window, and two
cumulative scrapes (what Alloy and Parca do) differ consistently."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from livelib import (FIXTURES, Profile, Service, check, done, get, read_answer,
                     request)


def fixture_headers(name):
    with open(os.path.join(FIXTURES, "http", name + ".headers.txt"), "rb") as f:
        lines = f.read().decode().split("\r\n")
    return int(lines[0].split()[1]), [tuple(l.split(": ", 1)) for l in lines[1:] if l]


def fixture_body(name):
    with open(os.path.join(FIXTURES, "http", name + ".body.txt"), "rb") as f:
        return f.read()


def same_head(got_status, got, name, via=""):
    """Status, header names in order and values, but Date and
    Content-Length, which vary."""
    want_status, want = fixture_headers(name)
    name += via
    norm = lambda hs: [(k, "*" if k in ("Date", "Content-Length") else v) for k, v in hs]
    ok = check(got_status == want_status, "%s: status %d, want %d" % (name, got_status, want_status))
    return check(norm(got) == norm(want), "%s: headers\n  %s\nwant\n  %s" % (name, got, want)) and ok


def length_ok(headers, body, what):
    check(int(dict(headers)["Content-Length"]) == len(body), what + ": Content-Length")


def test_fixtures(svc):
    p = svc.port
    st, hs, body = get(p, "/debug/pprof/mutex")
    same_head(st, hs, "mutex_http")
    length_ok(hs, body, "mutex")
    prof = Profile(body)
    check(prof.period_type == ("contentions", "count"), "period type %s" % (prof.period_type,))
    check(prof.types == [("contentions", "count"), ("delay", "nanoseconds")], "types %s" % prof.types)
    check(prof.totals("contend_a")[1] > 0, "cumulative mutex has contend_a")

    st, hs, body = get(p, "/debug/pprof/mutex?debug=1")
    same_head(st, hs, "mutex_debug1")
    check(body.startswith(b"--- mutex:\ncycles/second="), "mutex debug=1 text: %r" % body[:40])
    check(b"contend_a" in body, "debug=1 names contend_a")
    st, hs, body = get(p, "/debug/pprof/block?debug=1")
    check(st == 200 and body.startswith(b"--- contention:\n"), "block debug=1 text")

    st, hs, body = get(p, "/debug/pprof/mutex?seconds=1")
    same_head(st, hs, "mutex_delta")
    st, hs, body = get(p, "/debug/pprof/block?seconds=1")
    same_head(st, hs, "block_delta")
    Profile(body)

    for path, name in (("/debug/pprof/block?seconds=1&debug=1", "err1"),
                       ("/debug/pprof/mutex?seconds=2&debug=1", "err1"),
                       ("/debug/pprof/block?seconds=0", "err2"),
                       ("/debug/pprof/block?seconds=x", "err2"),
                       ("/debug/pprof/mutex?seconds=-3", "err2"),
                       ("/debug/pprof/mutex?seconds=x&debug=1", "err2"),
                       ("/debug/pprof/mutex?seconds=99999999999999999999", "err2"),
                       ("/debug/pprof/heap", "err3"),
                       ("/debug/pprof/goroutine?debug=1", "err3"),
                       ("/debug/pprof/block/x", "err3")):
        st, hs, body = get(p, path)
        same_head(st, hs, name)
        check(body == fixture_body(name), "%s: body %r" % (path, body))
        length_ok(hs, body, path)


def test_curl(svc):
    """The same answers as curl reads them (the fixtures were taken so)."""
    if not shutil.which("curl"):
        print("note: curl is not installed (Debian curl): curl checks not run")
        return
    for path, name in (("/debug/pprof/mutex", "mutex_http"),
                       ("/debug/pprof/mutex?debug=1", "mutex_debug1"),
                       ("/debug/pprof/block?seconds=1", "block_delta"),
                       ("/debug/pprof/block?seconds=1&debug=1", "err1"),
                       ("/debug/pprof/block?seconds=0", "err2"),
                       ("/debug/pprof/nosuch", "err3")):
        r = subprocess.run(["curl", "-s", "-m", "20", "-D", "-", "-o", "/dev/null",
                            "http://127.0.0.1:%d%s" % (svc.port, path)],
                           capture_output=True, timeout=30)
        lines = r.stdout.decode("latin-1").split("\r\n")
        st = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
        same_head(st, [tuple(l.split(": ", 1)) for l in lines[1:] if ": " in l],
                  name, " (curl)")


def test_other_answers(svc):
    p = svc.port
    st, hs, body = get(p, "/debug/pprof/")
    check(st == 200 and dict(hs).get("Content-Type") == "text/html; charset=utf-8",
          "index: %d %s" % (st, hs))
    check(b"block?debug=1" in body and b"mutex?debug=1" in body, "index lists block and mutex")
    st, hs, body = get(p, "/debug/pprof")
    check(st == 301 and dict(hs).get("Location") == "/debug/pprof/", "redirect: %d %s" % (st, hs))
    st, hs, body = get(p, "/")
    check(st == 404 and body == b"404 page not found\n", "404 outside: %d %r" % (st, body))
    st, hs, body = get(p, "/debug/pprof/mutex", method="POST")
    check(st == 405 and dict(hs).get("Allow") == "GET, HEAD", "POST: %d %s" % (st, hs))
    # Percent-encoded path and keys, absolute form, HTTP/1.0.
    st, hs, body = get(p, "/debug/pprof/%6Dutex?%73econds=&debug=1")
    check(st == 200 and body.startswith(b"--- mutex:"), "escaped path and keys: %d" % st)
    st, hs, body = request(p, ("GET http://127.0.0.1:%d/debug/pprof/block HTTP/1.1\r\n\r\n" % p).encode())
    check(st == 200 and dict(hs).get("Content-Disposition") == 'attachment; filename="block"',
          "absolute-form target: %d" % st)
    s = socket.create_connection(("127.0.0.1", p), timeout=10)
    s.sendall(b"GET /debug/pprof/block HTTP/1.0\r\n\r\n")
    st, hs, body = read_answer(s)
    s.settimeout(5)
    check(st == 200 and s.recv(1) == b"", "HTTP/1.0: answered, then closed")
    s.close()
    # HEAD, then two pipelined requests on one kept-alive connection.
    s = socket.create_connection(("127.0.0.1", p), timeout=10)
    s.sendall(b"HEAD /debug/pprof/mutex HTTP/1.1\r\nHost: x\r\n\r\n")
    st, hs, body = read_answer(s, 5, head=True)
    check(st == 200 and int(dict(hs)["Content-Length"]) > 0 and body == b"",
          "HEAD: length, no body (%d %r)" % (st, body[:20]))
    s.sendall(b"GET /debug/pprof/block?debug=1 HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /debug/pprof/nosuch HTTP/1.1\r\nHost: x\r\n\r\n")
    st1, hs1, body1 = read_answer(s, 5)
    check(st1 == 200 and body1.startswith(b"--- contention:") and b"Unknown" not in body1,
          "pipelined 1: %d" % st1)
    rest = body1[int(dict(hs1)["Content-Length"]):]
    if rest:  # the second answer came in the same read
        check(rest.startswith(b"HTTP/1.1 404"), "pipelined 2 follows: %r" % rest[:20])
    else:
        st2, _, body2 = read_answer(s, 5)
        check(st2 == 404 and body2 == b"Unknown profile\n", "pipelined 2: %d" % st2)
    s.close()


def fetch_later(port, path, out):
    out.append(get(port, path, timeout=30))


def test_delta_window(svc, kind):
    """?seconds=2 while contend_b runs inside the window; contend_a ran
    before it and must not show."""
    res = []
    t = threading.Thread(target=fetch_later, args=(svc.port, "/debug/pprof/%s?seconds=2" % kind, res))
    t0 = time.time()
    t.start()
    time.sleep(0.4)
    svc.cmd("b 500", "done b")
    t.join(30)
    elapsed = time.time() - t0
    check(res and res[0][0] == 200, "%s delta answered" % kind)
    if not res or res[0][0] != 200:
        return
    prof = Profile(res[0][2])
    check(1.9 <= elapsed < 5, "%s delta took %.2fs" % (kind, elapsed))
    check(1.8e9 <= prof.duration_nanos <= 3e9, "%s delta duration %d" % (kind, prof.duration_nanos))
    check(abs(prof.time_nanos / 1e9 - time.time()) < 5, "%s delta time_nanos is now" % kind)
    check(prof.totals("contend_b")[1] > 0, "%s delta has contend_b" % kind)
    check(prof.totals("contend_a") == (0, 0), "%s delta has no contend_a: %s" % (kind, prof.totals("contend_a")))
    check(all(s.values[0] != 0 or s.values[1] != 0 for s in prof.samples), "%s delta: no all-zero samples" % kind)
    # Nothing happens: an empty delta.
    st, _, body = get(svc.port, "/debug/pprof/%s?seconds=1" % kind)
    check(st == 200 and Profile(body).samples == [], "%s quiet delta is empty" % kind)


def test_alloy_scrapes(svc):
    """Two cumulative scrapes keyed by location addresses, as Alloy does:
    nothing shrinks, the same stacks keep their addresses, and only what
    ran in between grows."""
    for kind in ("mutex", "block"):
        st1, _, b1 = get(svc.port, "/debug/pprof/" + kind)
        svc.cmd("b 300", "done b")
        st2, _, b2 = get(svc.port, "/debug/pprof/" + kind)
        p1, p2 = Profile(b1), Profile(b2)
        k1, k2 = p1.by_addresses(), p2.by_addresses()
        check(st1 == st2 == 200 and k1, "%s scrapes" % kind)
        check(all(k in k2 for k in k1), "%s: every stack keeps its addresses" % kind)
        check(all(k2[k][0] >= v[0] and k2[k][1] >= v[1] for k, v in k1.items() if k in k2),
              "%s: nothing shrinks" % kind)
        grew = [k for k in k2 if k2[k] != k1.get(k, [0, 0])]
        b_addrs = set()
        for locs, *_ in p2.samples:
            if "contend_b" in p2.names(locs):
                b_addrs.add(tuple(p2.locations[l][0] for l in locs))
        check(grew and all(k in b_addrs for k in grew),
              "%s: only contend_b stacks grew (%d grew)" % (kind, len(grew)))
        check(p2.time_nanos > p1.time_nanos and p2.duration_nanos > p1.duration_nanos,
              "%s: time and duration advance" % kind)


def test_since_last(svc):
    """Pyroscope's delta_mutex / delta_block: each answer holds what
    happened since the previous request to that path."""
    for kind in ("mutex", "block"):
        st, hs, b = get(svc.port, "/debug/pprof/delta_" + kind)
        check(st == 200 and dict(hs).get("Content-Type") == "application/octet-stream",
              "delta_%s: %d" % (kind, st))
        first = Profile(b)
        check(first.totals("contend_a")[1] > 0, "delta_%s first: everything so far" % kind)
        svc.cmd("b 300", "done b")
        second = Profile(get(svc.port, "/debug/pprof/delta_" + kind)[2])
        check(second.totals("contend_b")[1] > 0 and second.totals("contend_a") == (0, 0),
              "delta_%s second: only contend_b" % kind)
        third = Profile(get(svc.port, "/debug/pprof/delta_" + kind)[2])
        check(third.samples == [], "delta_%s third: empty" % kind)


def test_unix_socket():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "pprof.sock")
    svc = Service(http="unix:" + path)
    try:
        check(svc.url == "unix:" + path, "unix url %s" % svc.url)
        svc.cmd("a 200", "done a")
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(path)
        s.sendall(b"GET /debug/pprof/mutex HTTP/1.1\r\nHost: x\r\n\r\n")
        st, hs, body = read_answer(s)
        s.close()
        check(st == 200 and Profile(body).totals("contend_a")[1] > 0, "unix socket profile")
    finally:
        svc.stop()
    # A socket file left by a dead process is replaced.
    svc = Service(http="unix:" + path)
    check(svc.url == "unix:" + path, "stale socket file replaced")
    svc.stop()


def test_config_errors():
    svc = Service(http="not an address", need_url=False)
    try:
        check(svc.url is None and any("LOCKPROF_HTTP='not an address'" in l for l in svc.err),
              "bad LOCKPROF_HTTP: one warning, no endpoint: %s" % svc.err)
        check(svc.cmd("a 50", "done a"), "the program runs on")
    finally:
        svc.stop()
    first = Service(http="127.0.0.1:0")
    try:
        svc = Service(http="127.0.0.1:%d" % first.port, need_url=False)
        check(svc.url is None and any("cannot listen" in l for l in svc.err),
              "address in use: said on stderr: %s" % svc.err)
        svc.stop()
        # A process started by a profiled one: its ancestor serves.
        svc = Service(http="127.0.0.1:%d" % first.port, env={"LOCKPROF_ROOT_PID": "1"},
                      need_url=False)
        check(svc.url is None and not any("LOCKPROF_HTTP" in l for l in svc.err),
              "address in use in a child process: quiet: %s" % svc.err)
        svc.stop()
        svc = Service(http=":0")
        check(svc.url and svc.url.startswith("http://127.0.0.1:"), "':0' is loopback: %s" % svc.url)
        svc.stop()
    finally:
        first.stop()


def main():
    svc = Service()
    try:
        svc.cmd("a 400", "done a")
        test_fixtures(svc)
        test_curl(svc)
        test_other_answers(svc)
        test_delta_window(svc, "mutex")
        test_delta_window(svc, "block")
        test_alloy_scrapes(svc)
        test_since_last(svc)
        check(svc.stop() == 0, "service exits 0")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()
    test_unix_socket()
    test_config_errors()
    done()


if __name__ == "__main__":
    main()
