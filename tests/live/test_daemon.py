# SPDX-License-Identifier: MIT
"""Daemons against the live endpoint (issue 17). A program that closes every
descriptor above 2 at start and opens its own sockets on the freed numbers
(some on the very numbers the endpoint held) keeps all of its connections
and data, and is as idle as natively; the endpoint listens again, or, when
it cannot, says so once and is gone. A storm of forks during continuous scrapes: every child
exits 0. Each program runs natively and under the library; every wait is
bounded."""
import os
import shutil
import socket
import tempfile
import threading
import time

from livelib import Service, check, done, get, read_answer

HOSTILE = os.environ.get("LIVE_HOSTILE", "")
CONNS, CONN_BYTES = 10, 10000


def clients(port):
    """CONNS clients at once, each sending CONN_BYTES then reading the
    program's answer. Returns the answers."""
    answers = [None] * CONNS
    data = bytes(ord("a") + i % 26 for i in range(CONN_BYTES))

    def one(i):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=15)
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            s.close()
            answers[i] = got.decode("latin-1")
        except OSError as e:
            answers[i] = repr(e)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(CONNS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    return answers


def closefrom_run(preload, d, mode=None):
    """One run of `hostile closefrom [mode]`. Returns its results."""
    env = {"LOCKPROF_DIR": d} if preload else {"LD_PRELOAD": ""}
    svc = Service(argv=[HOSTILE, "closefrom"] + ([mode] if mode else []), env=env,
                  http="127.0.0.1:0" if preload else None, cwd=d)
    r = {}
    held = []
    try:
        if preload:
            # Connections the endpoint holds when the program closes its
            # descriptors: one kept alive after an answer, one halfway
            # through its request head.
            kept = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
            kept.sendall(b"GET /debug/pprof/mutex HTTP/1.1\r\nHost: x\r\n\r\n")
            r["before"] = read_answer(kept)[0]
            half = socket.create_connection(("127.0.0.1", svc.port), timeout=10)
            half.sendall(b"GET /debug/pprof/mutex HTTP/1.1\r\n")
            held = [kept, half]
            r["before"] = (r["before"], get(svc.port, "/debug/pprof/")[0])
        port = int(svc.cmd("go", "port").split()[1])
        r["answers"] = clients(port)
        r["idle"] = int(svc.expect("idle_cpu_us", 30).split()[1])
        r["accepted"] = svc.expect("accepted", 30)
        r["pair"] = svc.expect("pair", 30)
        if preload:
            # Listening again takes at most one turn of the endpoint's
            # loop (a second) after the program closed its socket.
            r["endpoint"] = None
            deadline = time.time() + 5
            while time.time() < deadline and r["endpoint"] != 200:
                try:
                    r["endpoint"] = get(svc.port, "/debug/pprof/mutex", timeout=5)[0]
                except OSError as e:
                    r["endpoint"] = type(e).__name__
                    if mode == "no-room":
                        break
                    time.sleep(0.1)
        r["rc"] = svc.stop()
        r["err"] = list(svc.err)
    finally:
        for s in held:
            s.close()
        if svc.proc.poll() is None:
            svc.proc.kill()
    return r


def test_closefrom(d):
    native = closefrom_run(False, d)
    lib = closefrom_run(True, d)
    check(native["rc"] == 0 and native["accepted"] == "accepted 10 bytes 100000" and
          native["pair"] == "pair 3000 back 0", "native run: %r" % native)
    check(lib["before"] == (200, 200), "the endpoint served before: %r" % (lib["before"],))
    check(lib["answers"] == ["ok %d\n" % CONN_BYTES] * CONNS,
          "every connection reached the program, whole: %r" % lib["answers"])
    check(lib["accepted"] == native["accepted"], "the program accepted: %s" % lib["accepted"])
    check(lib["pair"] == native["pair"], "its socketpair: %s" % lib["pair"])
    check(lib["rc"] == 0, "exit %d" % lib["rc"])
    gone = [l for l in lib["err"] if "listening again failed" in l]
    check(lib["endpoint"] == 200 and gone == [],
          "the endpoint listens again: %r %r" % (lib["endpoint"], lib["err"]))
    others = [l for l in lib["err"] if "serving profiles at" not in l and l not in gone]
    check(others == [], "nothing else on stderr: %r" % others)
    # A spinning endpoint would use the whole second; its once-a-second
    # turn takes well under a millisecond.
    print("idle CPU over 1 s: native %d us, under the library %d us"
          % (native["idle"], lib["idle"]))
    check(lib["idle"] <= native["idle"] + 10000,
          "idle CPU %d us, native %d us" % (lib["idle"], native["idle"]))


def test_closefrom_no_room(d):
    """The endpoint cannot listen again (no descriptor to spare): it says
    so once and is gone, without spinning; the program is unharmed."""
    native = closefrom_run(False, d, "no-room")
    lib = closefrom_run(True, d, "no-room")
    check(native["rc"] == 0 and native["accepted"] == "accepted 10 bytes 100000",
          "no-room, native run: %r" % native)
    check(lib["answers"] == ["ok %d\n" % CONN_BYTES] * CONNS and
          lib["accepted"] == native["accepted"] and lib["pair"] == native["pair"] and
          lib["rc"] == 0, "no-room: the program's connections and data whole: %r" % lib)
    gone = [l for l in lib["err"] if "listening again failed" in l]
    others = [l for l in lib["err"] if "serving profiles at" not in l and l not in gone]
    check(len(gone) == 1 and "Too many open files" in gone[0] and others == [],
          "no-room: one line saying the endpoint is gone: %r" % lib["err"])
    check(lib["endpoint"] == "ConnectionRefusedError",
          "no-room: nothing listens on its port: %r" % lib["endpoint"])
    print("no-room, idle CPU over 2 s: native %d us, under the library %d us"
          % (native["idle"], lib["idle"]))
    check(lib["idle"] <= native["idle"] + 10000,
          "no-room: idle CPU %d us, native %d us" % (lib["idle"], native["idle"]))


def scraper(port, path, stop, results, keep_alive):
    """Scrape `path` until `stop`, over one kept-alive connection or a new
    connection each time; paced, so that the forks get the CPU too and
    closed connections do not use up the local ports."""
    req = ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode()
    s = None
    while not stop.is_set():
        try:
            if s is None:
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(req)
            st, hs, _ = read_answer(s)
            results.append(st)
            if not keep_alive or dict(hs).get("Connection") == "close":
                s.close()
                s = None
            time.sleep(0.001 if keep_alive else 0.005)
        except OSError as e:
            results.append(repr(e))
            if s is not None:
                s.close()
            s = None
    if s is not None:
        s.close()


def forkstorm_run(preload, d, n):
    env = {"LOCKPROF_DIR": d} if preload else {"LD_PRELOAD": ""}
    svc = Service(argv=[HOSTILE, "forkstorm", str(n)], env=env,
                  http="127.0.0.1:0" if preload else None, cwd=d)
    stop = threading.Event()
    scrapes = []
    ts = []
    if preload:
        ts = [threading.Thread(target=scraper, args=(svc.port, p, stop, scrapes, k))
              for p, k in (("/debug/pprof/mutex", True), ("/debug/pprof/delta_mutex", True),
                           ("/debug/pprof/mutex?debug=1", False))]
    try:
        for t in ts:
            t.start()
        line = svc.cmd("go", "children", timeout=150)
    finally:
        stop.set()
        for t in ts:
            t.join(15)
        rc = svc.stop()
    return line, rc, scrapes, [l for l in svc.err if "hangs" in l]


def test_forkstorm(d, n=1000):
    line, rc, _, hung = forkstorm_run(False, d, n)
    check(line == "children %d exit0 %d" % (n, n) and rc == 0 and not hung,
          "native: %s, exit %d %r" % (line, rc, hung))
    t0 = time.time()
    line, rc, scrapes, hung = forkstorm_run(True, d, n)
    print("fork storm under the library: %.1f s, %d scrapes" % (time.time() - t0, len(scrapes)))
    check(line == "children %d exit0 %d" % (n, n) and rc == 0 and not hung,
          "under the library, scraped meanwhile: %s, exit %d %r" % (line, rc, hung))
    failed = [s for s in scrapes if s != 200]
    check(len(scrapes) > 0 and not failed,
          "every scrape answered: %d of %d, %r" % (len(scrapes) - len(failed), len(scrapes),
                                                   sorted(set(map(str, failed)))[:5]))


def main():
    if not HOSTILE:
        print("LIVE_HOSTILE must be set")
        return 1
    d = tempfile.mkdtemp()
    try:
        test_closefrom(d)
        test_closefrom_no_room(d)
        test_forkstorm(d)
    finally:
        shutil.rmtree(d)
    done()


if __name__ == "__main__":
    main()
