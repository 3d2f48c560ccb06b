# SPDX-License-Identifier: MIT
"""Labels (issue 12): a program with a static lock, a lock inside a static
table, a heap lock from new_account's pthread_mutex_init, a zeroed heap
lock, a heap semaphore from new_signal's sem_init, named threads (pthread_setname_np and prctl) and waits of known
lengths, run with LOCKPROF_LABELS=lock,thread,wait at rate 1: every wait is
in its bucket as the program timed it, each lock and thread has its name,
in the block profile the waiter's and in the mutex profile the releaser's;
read with our decoder, `go tool pprof -tags`, `-traces` and `-tagfocus`,
and `lockprof top --by`. Without LOCKPROF_LABELS there are none; with a
subset, only those. A stripped copy, run twice, names its static locks by
object and offset, the same in both runs.

usage: test_labels.py LABELLED"""

import json
import os
import re
import shutil
import sys

import lptest
import testlib

SRC = os.path.join(os.path.dirname(__file__), "..", "progs", "labelled.c")
BUCKETS = [(10_000, "<10us"), (100_000, "10us-100us"), (1_000_000, "100us-1ms"),
           (10_000_000, "1ms-10ms"), (100_000_000, "10ms-100ms"), (1_000_000_000, "100ms-1s")]
HOLDER = {"teller": "auditor", "clerk": "banker", "scanner": "janitor", "hurried": "rusher"}


def bucket(ns):
    for bound, name in BUCKETS:
        if ns < bound:
            return name
    return ">=1s"


def run(prog, d, labels=None, rounds="20"):
    os.makedirs(d)
    extra = {**lptest.RECORD_ALL, "LOCKPROF_DIR": d}
    if labels is not None:
        extra["LOCKPROF_LABELS"] = labels
    p = lptest.run([prog, rounds], env=lptest.preload_env(extra), timeout=120)
    lptest.check(p.stderr == "", "nothing on stderr: %r" % p.stderr)
    return p.stdout, os.path.join(d, "block.pprof"), os.path.join(d, "mutex.pprof")


def ours(path):
    """{frozenset(labels.items()): [contentions, delay]} by our decoder."""
    out = {}
    for s in testlib.Profile.read(path).samples:
        v = out.setdefault(frozenset(s.labels.items()), [0, 0])
        v[0] += s.values[0]
        v[1] += s.values[1]
    return out


def go_traces(path, *args):
    """{frozenset(labels.items()): [contentions, delay]} from
    `go tool pprof -traces` (one run per sample type)."""
    out = {}
    for i, index in enumerate(("contentions", "delay")):
        p = lptest.run(["go", "tool", "pprof", "-traces", "-unit=ns", "-sample_index=" + index]
                       + list(args) + [path])
        labels = {}
        for line in p.stdout.splitlines():
            if line.startswith("-----------+"):
                labels = {}
                continue
            m = re.match(r"\s+(\w+):\s+(.*)$", line)
            if m and not re.match(r"\s+\d", line):
                labels[m.group(1)] = m.group(2).strip()
                continue
            m = re.match(r"\s*(\d+)(?:ns)?\s+\S", line)
            if m:
                out.setdefault(frozenset(labels.items()), [0, 0])[i] += int(m.group(1))
    return out


def by_key(samples, key, of=lambda labels: True):
    """{label value: [contentions, delay]} summed over samples."""
    out = {}
    for labels, (c, d) in samples.items():
        labels = dict(labels)
        if of(labels):
            v = out.setdefault(labels.get(key), [0, 0])
            v[0] += c
            v[1] += d
    return out


def check_buckets(truth, samples):
    """Each thread's waits, by bucket, as the program timed them. The
    profile times a wait from inside the call: a few microseconds less,
    so a wait timed within 15% (and 2us) above a bound may be in either
    bucket, and one under 5us may not have blocked at all. A wait whose
    thread was preempted around it (the program says so) may be in any
    bucket up to its own, or not blocked at all: the preemption may have
    come after the profile's clock read."""
    for thread in HOLDER:
        got = by_key(samples, "wait", lambda l, t=thread: l.get("thread") == t)
        waits = [(ns, preempted) for t, ns, preempted in truth if t == thread]
        options = []
        for ns, preempted in waits:
            low = 0 if preempted else max(0, ns - max(2000, ns * 0.15))
            o = {bucket(x) for x in [low, ns] + [bound for bound, _ in BUCKETS]
                 if low <= x <= ns}
            if ns < 5000 or preempted:
                o.add(None)
            options.append(o)
        counts = {b: v[0] for b, v in got.items()}
        for b in set(counts) | {bucket(ns) for ns, _ in waits}:
            least = sum(1 for o in options if o == {b})
            most = sum(1 for o in options if b in o)
            lptest.check(least <= counts.get(b, 0) <= most,
                         "%s: %d waits in %s, the program timed %d to %d there"
                         % (thread, counts.get(b, 0), b, least, most))
        lptest.check(None not in counts, "%s: every wait has its bucket: %s" % (thread, counts))


def main():
    prog = os.path.abspath(sys.argv[1])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    d = lptest.tmpdir()
    out, block, mutex = run(prog, os.path.join(d, "all"), "lock,thread,wait")
    offset = re.search(r"^table_offset (0x[0-9a-f]+)$", out, re.M).group(1)
    truth = [(t, int(ns), bool(preempted)) for t, ns, preempted
             in re.findall(r"^wait (\w+) (\d+)( preempted)?$", out, re.M)]
    init = "new_account (init, labelled.c:%d)" % lptest.source_line(SRC, "pthread_mutex_init(&a->lock")
    locks = {"teller": re.escape("accounts_lock"), "clerk": re.escape(init),
             "scanner": re.escape("table+" + offset),
             "hurried": r"(hold|wait_turn) \(first seen, labelled\.c:\d+\)"}

    for path in (block, mutex):
        lptest.agree(path)
        name = os.path.basename(path)
        mine, go = ours(path), go_traces(path)
        lptest.check(mine == go, "%s: go tool pprof -traces reads our labels: %s vs %s"
                     % (name, sorted(mine.items()), sorted(go.items())))
        kind = "block" if path == block else "mutex"
        for waiter, holder in HOLDER.items():
            thread = waiter if kind == "block" else holder
            names = by_key(mine, "lock", lambda l, t=thread: l.get("thread") == t)
            lptest.check(len(names) == 1 and re.fullmatch(locks[waiter], str(list(names)[0])),
                         "%s: %s's lock is %s: %s" % (name, thread, locks[waiter], list(names)))
        waits = by_key(mine, "wait")
        lptest.check((kind == "block") == (None not in waits),
                     "%s: a wait label on %s samples: %s"
                     % (name, "every" if kind == "block" else "no", sorted(waits, key=str)))
        tags = lptest.run(["go", "tool", "pprof", "-tags", path]).stdout
        for key in ("lock", "thread") + (("wait",) if kind == "block" else ()):
            lptest.check(re.search(r"^ %s: Total" % key, tags, re.M),
                         "%s: go tool pprof -tags lists %s" % (name, key))
        lptest.check("accounts_lock" in tags and ("teller" if kind == "block" else "auditor") in tags,
                     "%s: -tags names the lock and the thread" % name)
    check_buckets(truth, ours(block))
    # The main thread renamed itself between waits: each under its name.
    renamed = by_key(ours(block), "thread", lambda l: l.get("lock") == "ready_sem")
    lptest.check({k: v[0] for k, v in renamed.items()} == {"one": 1, "two": 1, "three": 1},
                 "a renamed thread's waits carry each name: %s" % renamed)
    # A heap semaphore is named by its sem_init's caller, as a mutex.
    sem = "new_signal (init, labelled.c:%d)" % lptest.source_line(SRC, "sem_init(s, 0, 0)")
    on_sem = by_key(ours(block), "lock", lambda l: l.get("thread") == "three")
    lptest.check(set(on_sem) == {"ready_sem", sem} and on_sem[sem][0] == 1,
                 "the heap semaphore is %s: %s" % (sem, on_sem))

    # -tagfocus selects one lock's samples, as our decoder sums them.
    mine = by_key(ours(block), "lock")
    focused = go_traces(block, "-tagfocus=lock=accounts_lock")
    lptest.check(set(dict(k).get("lock") for k in focused) == {"accounts_lock"} and
                 sum(v[1] for v in focused.values()) == mine["accounts_lock"][1],
                 "-tagfocus=lock=accounts_lock: the static lock's %d ns" % mine["accounts_lock"][1])
    # lockprof top --by: the same sums.
    for key in ("lock", "thread", "wait"):
        p = lptest.run([lptest.CLI, "top", "--json", "-n", "0", "--by", key, block])
        top = {s["site"]: [s["contentions"], s["delay_ns"]] for s in json.loads(p.stdout)["sites"]}
        want = {k: v for k, v in by_key(ours(block), key).items()}
        lptest.check(top == want, "lockprof top --by %s: %s, want %s" % (key, top, want))

    # Stripped: no symbols, the static locks named [labelled]+0xOFF, the
    # same in two runs; the heap lock's init site [labelled]+0xOFF too.
    if shutil.which("objcopy"):
        stripped = os.path.join(d, "labelled")
        lptest.run(["objcopy", "--strip-all", prog, stripped])
        names = []
        for run_name in ("s1", "s2"):
            _, block, _ = run(stripped, os.path.join(d, run_name), "lock,thread", rounds="2")
            names.append(by_key(ours(block), "lock", lambda l: l.get("thread") in HOLDER))
        static = [n for n in names[0] if re.fullmatch(r"\[labelled\]\+0x[0-9a-f]+", n)]
        lptest.check(len(static) == 2 and "accounts_lock" not in names[0],
                     "stripped: the two static locks are [labelled]+0xOFF: %s" % sorted(names[0]))
        # (The zeroed lock's "first seen" may be its waiter or its holder.)
        stable = [{n for n in run_names if "(first seen" not in n} for run_names in names]
        lptest.check(len(stable[0]) == 3 and stable[0] == stable[1],
                     "stripped, run twice: the same static and init lock names: %s, %s"
                     % (sorted(names[0]), sorted(names[1])))

    # Off by default; a subset gives that subset only.
    for labels, keys in ((None, set()), ("off", set()), ("thread", {"thread"}),
                         ("wait,lock", {"wait", "lock"})):
        _, block, mutex = run(prog, os.path.join(d, str(labels)), labels, rounds="4")
        for path in (block, mutex):
            got = set().union(*(s.labels.keys() for s in testlib.Profile.read(path).samples))
            expect = keys - ({"wait"} if path == mutex else set())
            lptest.check(got == expect, "LOCKPROF_LABELS=%s: %s has labels %s"
                         % (labels, os.path.basename(path), sorted(got)))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
