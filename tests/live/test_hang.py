# SPDX-License-Identifier: MIT
"""The hang view (docs/live.md): tests/live/hang.c deadlocks two threads
ABBA, blocks one on a condition variable nobody signals, one on a semaphore
nobody posts, one behind a holder that sleeps, and two readers behind a
writer. The endpoint's /debug/pprof/waiting (read by our decoder and by
`go tool pprof -traces`), its ?debug=1 text, `lockprof waiting`, the
LOCKPROF_HANG watchdog's files and line, the LOCKPROF_SIGNAL dump and the
C API's lockprof_dump_waiting must
all name every waiting thread, its primitive, its lock, its owner where it
has one, and exactly one deadlock cycle. With every wait shorter than the
watchdog's duration: no report, and the program runs as it does natively.
The deadlocked program is ended by SIGKILL once read."""
import gzip
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import livelib
from livelib import check, done
from pbwire import fields, ints

HANG = os.environ.get("LIVE_HANG", "")
CLI = os.environ.get("LOCKPROF_CLI", "")

# name: (primitive, lock, owner's name or None)
EXPECTED = {
    "abba-1": ("pthread_mutex_lock", "lock_b", "abba-2"),
    "abba-2": ("pthread_mutex_lock", "lock_a", "abba-1"),
    "cond-waiter": ("pthread_cond_wait", "never_signalled", None),
    "sem-waiter": ("sem_wait", "never_posted", None),
    "behind-sleeper": ("pthread_mutex_lock", "sleepy_lock", "sleeper"),
    "rw-reader-1": ("pthread_rwlock_rdlock", "rw_lock", "rw-writer"),
    "rw-reader-2": ("pthread_rwlock_rdlock", "rw_lock", "rw-writer"),
}
# The function each thread waits from: its stack's first frame.
CALLER = {"abba-1": "abba", "abba-2": "abba", "cond-waiter": "cond_waiter",
          "sem-waiter": "sem_waiter", "behind-sleeper": "behind_sleeper",
          "rw-reader-1": "rw_reader", "rw-reader-2": "rw_reader"}


class Run:
    """The program's own account: its pid, each thread's tid."""

    def __init__(self, svc):
        self.tids = {}
        while True:
            line = svc.expect("", 30)
            if line.startswith("thread "):
                _, name, tid = line.split()
                self.tids[name] = int(tid)
            elif line == "all blocked":
                break
        self.names = {tid: name for name, tid in self.tids.items()}
        self.pid = svc.pid

    def lock_ok(self, shown, name):
        """The lock as shown: its symbol (they are all static), as the
        lock label names it."""
        return shown == name


def labelled_samples(data):
    """[(values, {label: value}, [location ids])] of a pprof profile."""
    raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    strings, samples = [], []
    for num, _, v in fields(raw):
        if num == 6:
            strings.append(v.decode())
        elif num == 2:
            samples.append(v)
    out = []
    for v in samples:
        vals, labels, locs = [], {}, []
        for n, w, x in fields(v):
            if n == 1:
                locs += ints(w, x)
            elif n == 2:
                vals += ints(w, x)
            elif n == 3:
                m = {k: y for k, _, y in fields(x)}
                labels[strings[m.get(1, 0)]] = strings[m.get(2, 0)]
        out.append((vals, labels, locs))
    return out


def check_pprof(run, data, where):
    prof = livelib.Profile(data)
    check(prof.types == [("waiting", "count"), ("waited", "nanoseconds")],
          "%s: sample types [waiting/count, waited/nanoseconds]: %r" % (where, prof.types))
    by_name = {}
    for (vals, labels, locs), s in zip(labelled_samples(data), prof.samples):
        by_name[labels.get("thread")] = (vals, labels, prof.stack(s))
    check(set(by_name) == set(EXPECTED),
          "%s: one sample per waiting thread: %r" % (where, sorted(by_name, key=str)))
    for name, (prim, lock, owner) in EXPECTED.items():
        if name not in by_name:
            continue
        vals, labels, stack = by_name[name]
        check(vals[0] == 1 and vals[1] > 0,
              "%s: %s: waiting 1, waited %r ns" % (where, name, vals[1:]))
        check(labels.get("tid") == str(run.tids[name]),
              "%s: %s: tid label %r" % (where, name, labels.get("tid")))
        check(labels.get("primitive") == prim and stack[:1] == [prim],
              "%s: %s: primitive %r, leaf %r" % (where, name, labels.get("primitive"), stack[:1]))
        check(run.lock_ok(labels.get("lock", ""), lock),
              "%s: %s: lock %r is %s" % (where, name, labels.get("lock"), lock))
        want = "%d %s" % (run.tids[owner], owner) if owner else None
        check(labels.get("owner") == want,
              "%s: %s: owner %r, expected %r" % (where, name, labels.get("owner"), want))
        check(livelib.testlib.base(stack[1]) == CALLER[name] if len(stack) > 1 else False,
              "%s: %s: its stack goes through %s: %r" % (where, name, CALLER[name], stack))


def check_text(run, text, where):
    """The text view: a block per waiting thread, the owners not waiting,
    exactly one deadlock cycle."""
    heads = re.findall(r'^thread (\d+) "([^"]*)" waiting \S+ in (\S+) on (\S+?)'
                       r'(?:, held by thread (\d+) "([^"]*)")?\n((?:#.*\n)*)', text, re.M)
    seen = {h[1]: h for h in heads}
    check(set(seen) == set(EXPECTED), "%s: a block per waiting thread: %r" % (where, sorted(seen)))
    for name, (prim, lock, owner) in EXPECTED.items():
        if name not in seen:
            continue
        tid, _, p, l, otid, oname, stack = seen[name]
        check(int(tid) == run.tids[name] and p == prim and run.lock_ok(l, lock),
              "%s: %s: tid, primitive and lock: %r" % (where, name, seen[name][:4]))
        want = (str(run.tids[owner]), owner) if owner else ("", "")
        check((otid, oname) == want, "%s: %s: held by %r" % (where, name, (otid, oname)))
        check(re.search(r"\b%s\b" % CALLER[name], stack) is not None,
              "%s: %s: its stack names %s" % (where, name, CALLER[name]))
    hold = re.findall(r'^thread (\d+) "([^"]*)" holds (\S+)$', text, re.M)
    check(sorted(h[1] for h in hold) == ["rw-writer", "sleeper"],
          "%s: the owners not waiting: %r" % (where, hold))
    cycles = re.findall(r"^deadlock: (.*)$", text, re.M)
    a, b = run.tids["abba-1"], run.tids["abba-2"]
    first, second = ("abba-1", "abba-2") if a < b else ("abba-2", "abba-1")
    lock_of = {"abba-1": "lock_b", "abba-2": "lock_a"}
    m = re.match(r"thread (\d+) -> (\S+) \(held by (\d+)\) -> thread (\d+) -> (\S+) "
                 r"\(held by (\d+)\)$", cycles[0]) if len(cycles) == 1 else None
    check(m is not None and
          [int(m.group(i)) for i in (1, 3, 4, 6)] ==
          [run.tids[first], run.tids[second], run.tids[second], run.tids[first]] and
          run.lock_ok(m.group(2), lock_of[first]) and run.lock_ok(m.group(5), lock_of[second]),
          "%s: exactly one deadlock cycle, abba-1 and abba-2's: %r" % (where, cycles))


def go_traces(run, path):
    if not shutil.which("go"):
        livelib.skip("go is not installed: cannot read the profile with go tool pprof")
        return
    out = subprocess.run(["go", "tool", "pprof", "-traces", path], capture_output=True,
                         text=True, timeout=120)
    check(out.returncode == 0, "go tool pprof -traces reads waiting.pprof: %s" % out.stderr[-300:])
    for name, (prim, _, owner) in EXPECTED.items():
        block = [b for b in out.stdout.split("-----------+") if "thread:  %s\n" % name in b]
        check(len(block) == 1 and prim in block[0] and CALLER[name] in block[0] and
              (owner is None or "owner:  %d %s" % (run.tids[owner], owner) in block[0]),
              "go tool pprof -traces: %s's trace, labels and stack" % name)


def endpoint_and_watchdog(d):
    """Profiles off (rates 0): the waits are shown all the same."""
    svc = livelib.Service(argv=[HANG], cwd=d, env={
        "LOCKPROF_BLOCK_RATE": "0", "LOCKPROF_MUTEX_FRACTION": "0",
        "LOCKPROF_HANG": "1s", "LOCKPROF_DIR": d})
    try:
        run = Run(svc)
        # every wait past 20 ms has its stack; the watchdog looks every 250 ms
        deadline = time.time() + 20
        while time.time() < deadline and not any("deadlock" in l for l in svc.err):
            time.sleep(0.1)
        status, _, body = livelib.get(svc.port, "/debug/pprof/waiting")
        check(status == 200, "GET /debug/pprof/waiting: %d" % status)
        check_pprof(run, body, "endpoint pprof")
        status, _, text = livelib.get(svc.port, "/debug/pprof/waiting?debug=1")
        check(status == 200, "GET /debug/pprof/waiting?debug=1: %d" % status)
        check_text(run, text.decode(), "endpoint text")
        lines = [l for l in svc.err if "waiting" in l and "serving" not in l]
        check(len(lines) == 1 and "deadlock: thread" in lines[0] and
              re.search(r'^lockprof: thread \d+ "(abba-[12]|behind-sleeper|rw-reader-[12])" '
                        r'waiting', lines[0]) and "waiting.txt" in lines[0],
              "one line on stderr naming the longest lock wait and the cycle: %r" % lines)
        txt, pb = os.path.join(d, "waiting.txt"), os.path.join(d, "waiting.pprof")
        check(os.path.exists(txt) and os.path.exists(pb), "the watchdog wrote waiting.txt and waiting.pprof")
        if os.path.exists(txt) and os.path.exists(pb):
            with open(txt) as f:
                check_text(run, f.read(), "waiting.txt")
            with open(pb, "rb") as f:
                check_pprof(run, f.read(), "waiting.pprof")
            go_traces(run, pb)
            if CLI:
                for argv in ([CLI, "waiting", pb], [CLI, "top", pb],
                             [CLI, "waiting", "http://127.0.0.1:%d" % svc.port]):
                    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                    check(out.returncode == 0, "%s: exit 0: %s" % (" ".join(argv[1:2]), out.stderr))
                    check_text(run, out.stdout, "lockprof " + " ".join(argv[1:2]))
                url = "http://127.0.0.1:%d/debug/pprof/block" % svc.port
                out = subprocess.run([CLI, "waiting", url], capture_output=True, text=True,
                                     timeout=60)
                # the fetch says what it fetches, as every URL read does
                check(out.returncode == 2 and
                      out.stderr.splitlines()[-1:] == ["lockprof waiting: %s: not a waiting "
                                                       "profile (sample types waiting/count, "
                                                       "waited/nanoseconds)" % url],
                      "lockprof waiting of a block profile: one line, exit 2: %r" % out.stderr)
        time.sleep(1.5)
        check(len([l for l in svc.err if "deadlock" in l]) == 1,
              "no second report while the reported waits go on")
    finally:
        os.kill(svc.pid, signal.SIGKILL)
        svc.proc.wait(10)


def signal_dump(d):
    """LOCKPROF_SIGNAL writes the waiting files too (no endpoint, no
    watchdog)."""
    svc = livelib.Service(argv=[HANG], cwd=d, http=None, env={
        "LOCKPROF_SIGNAL": "USR2", "LOCKPROF_DIR": d})
    try:
        run = Run(svc)
        time.sleep(1)  # every waiter in its wait, a loaded machine too
        os.kill(svc.pid, signal.SIGUSR2)
        txt = os.path.join(d, "waiting.txt")
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(txt):
            time.sleep(0.05)
        check(os.path.exists(txt), "LOCKPROF_SIGNAL wrote waiting.txt")
        if os.path.exists(txt):
            with open(txt) as f:
                check_text(run, f.read(), "signal's waiting.txt")
        check(not [l for l in svc.err if "deadlock" in l], "the signal dump says nothing on stderr")
    finally:
        os.kill(svc.pid, signal.SIGKILL)
        svc.proc.wait(10)


def c_api(d):
    """lockprof_dump_waiting(fd, 1) writes the same text."""
    out = os.path.join(d, "api.txt")
    svc = livelib.Service(argv=[HANG, "api", out], cwd=d, http=None, env={
        "LOCKPROF_HANG": "1h", "LOCKPROF_DIR": d})
    try:
        run = Run(svc)
        check(svc.expect("api", 30) == "api 0", "lockprof_dump_waiting returned 0")
        with open(out) as f:
            check_text(run, f.read(), "lockprof_dump_waiting")
    finally:
        os.kill(svc.pid, signal.SIGKILL)
        svc.proc.wait(10)


def short_waits(d):
    """Every wait shorter than the duration: no report; the program's output
    and exit status as natively. Profiles off, so that every lock wait
    longer than 20 ms is cut in two for its stack: a robust mutex's dead
    owner, PI and error-checking mutexes, timed locks that time out return
    what they return natively."""
    native = subprocess.run([HANG, "short"], capture_output=True, text=True, timeout=60)
    env = dict(os.environ, LD_PRELOAD=livelib.LIB, LOCKPROF_HANG="1s", LOCKPROF_DIR=d,
               LOCKPROF_BLOCK_RATE="0", LOCKPROF_MUTEX_FRACTION="0")
    pre = subprocess.run([HANG, "short"], capture_output=True, text=True, timeout=60, env=env)
    shape = lambda out: sorted(re.sub(r"0x[0-9a-f]+|\d+", "N", out).splitlines())
    check(native.returncode == 0 and pre.returncode == 0,
          "short waits: exit 0 natively and preloaded (%d, %d)" % (native.returncode, pre.returncode))
    check(shape(pre.stdout) == shape(native.stdout) and "done" in pre.stdout,
          "short waits: the same output as natively: %r" % pre.stdout.splitlines()[-7:])
    check("robust, owner died: Owner died" in native.stdout and
          "timed out: Connection timed out" in native.stdout and
          "error-checking, locked again: Resource deadlock avoided" in native.stdout,
          "short waits: the long lock waits return what they should natively")
    check(pre.stderr == "", "short waits: nothing on stderr: %r" % pre.stderr)
    check(not os.path.exists(os.path.join(d, "waiting.txt")), "short waits: no waiting files")


def main():
    for f in (endpoint_and_watchdog, signal_dump, c_api, short_waits):
        d = tempfile.mkdtemp(prefix="lockprof-hang-")
        try:
            f(d)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
