# SPDX-License-Identifier: MIT
"""Slow, huge, malformed and numerous clients stall neither the program
nor the endpoint (docs/live.md, Safety and limits). Bounded in time: the
longest wait is the 10 s request-head deadline."""
import os
import random
import resource
import socket
import threading
import time

from livelib import Profile, Service, check, done, get, read_answer


def quick_get(svc, what, limit=2.0):
    t0 = time.time()
    try:
        st, _, body = get(svc.port, "/debug/pprof/mutex", timeout=limit + 5)
    except OSError as e:
        st, body = 0, repr(e).encode()
    took = time.time() - t0
    check(st == 200 and took < limit, "%s: a normal request took %.2fs (status %d)" % (what, took, st))
    return st == 200 and Profile(body)


def program_runs(svc, what, limit=2.0):
    t0 = time.time()
    svc.cmd("b 200", "done b", timeout=30)
    took = time.time() - t0
    check(took < limit, "%s: the program's 200 ms of work took %.2fs" % (what, took))


def closed_within(s, limit):
    """Seconds until the server closes `s` (reading whatever it sends)."""
    t0 = time.time()
    s.settimeout(0.5)
    while time.time() - t0 < limit:
        try:
            if s.recv(65536) == b"":
                return time.time() - t0
        except socket.timeout:
            continue
        except OSError:
            return time.time() - t0
    return None


def test_slowloris(svc):
    s = socket.create_connection(("127.0.0.1", svc.port))
    s.sendall(b"GET /debug/pprof/mutex HTTP/1.1\r\n")
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                s.send(b"X")
            except OSError:
                return
            time.sleep(0.3)
    t0 = time.time()
    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    time.sleep(0.5)
    quick_get(svc, "slowloris")
    program_runs(svc, "slowloris")
    took = closed_within(s, 15)
    stop.set()
    check(took is not None and time.time() - t0 < 12.5,
          "slowloris closed by the head deadline (after %.1fs)" % (time.time() - t0))
    s.close()


def test_huge_header(svc):
    s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
    sent = [0]

    def send():
        try:
            s.sendall(b"GET /debug/pprof/mutex HTTP/1.1\r\nX-Big: ")
            chunk = b"a" * 65536
            for _ in range(16):
                s.sendall(chunk)
                sent[0] += len(chunk)
        except OSError:
            pass
    t = threading.Thread(target=send, daemon=True)
    t.start()
    st, hs, body = read_answer(s, 10)
    check(st == 431, "1 MB header: 431 (got %d %r)" % (st, body[:40]))
    check(closed_within(s, 5) is not None, "1 MB header: connection closed")
    s.close()
    quick_get(svc, "after a 1 MB header")


def test_garbage(svc):
    rnd = random.Random(5)
    for i, raw in enumerate([b"\x00\x01\x02\x03garbage\r\n\r\n",
                             b"HELLO\r\n\r\n",
                             b"GET /debug/pprof/mutex\r\n\r\n",
                             b"GET /debug/pprof/mutex HTTP/1.1\r\nNo colon here\r\n\r\n",
                             b"GET  /debug/pprof/mutex HTTP/1.1\r\n\r\n",
                             b"GET /debug/pprof/%zz HTTP/1.1\r\n\r\n",
                             b"GET /debug/pprof/mutex HTTP/1.1\r\n folded: x\r\n\r\n",
                             bytes(rnd.randrange(256) for _ in range(3000))]):
        s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
        try:
            s.sendall(raw)
        except OSError:
            pass
        t0 = time.time()
        st, hs, body = read_answer(s, 5)
        check(st == 400 and time.time() - t0 < 1 and dict(hs).get("Connection") == "close",
              "garbage %d: 400 at once (got %d)" % (i, st))
        check(closed_within(s, 3) is not None, "garbage %d: closed" % i)
        s.close()
    st, _, _ = request_raw(svc, b"GET /debug/pprof/mutex HTTP/2.0\r\n\r\n")
    check(st == 505, "HTTP/2.0 request line: 505 (got %d)" % st)
    quick_get(svc, "after garbage")


def request_raw(svc, raw):
    s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
    try:
        s.sendall(raw)
        return read_answer(s, 5)
    finally:
        s.close()


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def test_many_connections(svc):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    base = fd_count(svc.pid)
    socks = []
    t0 = time.time()
    for _ in range(1000):
        try:
            socks.append(socket.create_connection(("127.0.0.1", svc.port), timeout=5))
        except OSError:
            break
    check(len(socks) == 1000, "1000 connections opened (%d) in %.1fs" % (len(socks), time.time() - t0))
    time.sleep(0.3)
    check(fd_count(svc.pid) <= base + 70,
          "the program holds %d descriptors more, not 1000" % (fd_count(svc.pid) - base))
    quick_get(svc, "1000 idle connections")
    program_runs(svc, "1000 idle connections")
    for s in socks:
        s.close()
    # 100 clients at once, 5 requests each: all answered, none waits long.
    results = []

    def client():
        for _ in range(5):
            try:
                st, _, body = get(svc.port, "/debug/pprof/block", timeout=20)
                results.append(st == 200 and len(body) > 0)
            except OSError:
                results.append(False)
    t0 = time.time()
    ts = [threading.Thread(target=client) for _ in range(100)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    check(sum(results) == 500, "500 concurrent requests answered: %d" % sum(results))
    check(time.time() - t0 < 30, "in %.1fs" % (time.time() - t0))


def test_waits(svc):
    """?seconds=N waits are bounded in number, and a client that leaves
    frees its slot."""
    waiting = []
    for _ in range(8):
        s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
        s.sendall(b"GET /debug/pprof/mutex?seconds=60 HTTP/1.1\r\nHost: x\r\n\r\n")
        waiting.append(s)
    time.sleep(0.3)
    st, _, body = get(svc.port, "/debug/pprof/block?seconds=1")
    check(st == 503, "a 9th delta in progress: 503 (got %d)" % st)
    quick_get(svc, "8 deltas waiting")
    for s in waiting:
        s.close()
    time.sleep(0.5)
    st, _, body = get(svc.port, "/debug/pprof/block?seconds=1")
    check(st == 200, "clients that left freed their deltas (got %d)" % st)


def test_slow_reader(svc):
    """A client that asks and never reads: the others are served."""
    s = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /debug/pprof/block?debug=1 HTTP/1.1\r\nHost: x\r\n\r\n" * 50)
    time.sleep(0.3)
    quick_get(svc, "slow reader")
    program_runs(svc, "slow reader")
    s.close()


def main():
    svc = Service()
    try:
        svc.cmd("a 300", "done a")
        test_garbage(svc)
        test_huge_header(svc)
        test_waits(svc)
        test_slow_reader(svc)
        test_many_connections(svc)
        test_slowloris(svc)
        check(svc.proc.poll() is None, "the program is still running")
        check(svc.stop() == 0, "service exits 0")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()
    done()


if __name__ == "__main__":
    main()
