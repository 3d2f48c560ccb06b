# SPDX-License-Identifier: MIT
"""The primitive as the leaf frame (issue 12): every block sample ends in
the call the program waited in, every mutex sample in the release, each a
location and function of its own named exactly as the primitive, with
lockprof's own frames removed: the next frame is the program's caller.
Read with `go tool pprof -raw`, `-top` and `-ignore`, and with our decoder.

usage: test_leaf.py PRIMS"""

import json
import os
import re
import sys

import lptest

WAITS = ["pthread_mutex_lock", "pthread_mutex_timedlock", "pthread_mutex_clocklock",
         "pthread_rwlock_rdlock", "pthread_rwlock_timedrdlock", "pthread_rwlock_clockrdlock",
         "pthread_rwlock_wrlock", "pthread_rwlock_timedwrlock", "pthread_rwlock_clockwrlock",
         "sem_wait", "sem_timedwait", "sem_clockwait",
         "pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_clockwait"]
RELEASES = {"pthread_mutex_unlock": "release_mutex", "pthread_rwlock_unlock": "release_rwlock",
            "sem_post": "post_sem"}


def leaves(prof):
    """{(leaf function, the next frame's function): delay} of go tool
    pprof -raw's samples, and the leaf locations' functions."""
    out, leaf_functions = {}, {}
    for s in prof.samples:
        frames = prof.frames(s)
        if len(frames) < 2:
            continue
        key = (frames[0][-1], frames[1][-1])
        out[key] = out.get(key, 0) + s.values[1]
        leaf_functions[frames[0][-1]] = frames[0]
    return out, leaf_functions


def check_leaves(path, want):
    """Each (leaf, caller) of `want` has delay, as go tool pprof and our
    decoder read the file, and a primitive's location names it alone."""
    got, leaf_functions = leaves(lptest.agree(path))
    ours = lptest.folded(path)
    for leaf, caller in want:
        lptest.check(got.get((leaf, caller), 0) > 0,
                     "%s: a sample ends in %s called by %s (go tool pprof; got %s)"
                     % (os.path.basename(path), leaf, caller, sorted(got)))
        lptest.check(leaf_functions.get(leaf) == [leaf],
                     "%s: %s is a location of its own (%s)"
                     % (os.path.basename(path), leaf, leaf_functions.get(leaf)))
        lptest.check(any(stack.endswith(";%s;%s" % (caller, leaf)) and v > 0
                         for stack, v in ours.items()),
                     "%s: our decoder sees ...;%s;%s" % (os.path.basename(path), caller, leaf))
    leaf_names = {leaf for leaf, _ in got}
    lptest.check(not [n for n in leaf_names if "lockprof" in n or n.startswith("lp_")],
                 "%s: no frame of the library at the leaf: %s" % (os.path.basename(path), leaf_names))


def flat(path, *args):
    """{function: flat ns} of `go tool pprof -top` (ns via -unit=ns)."""
    p = lptest.run(["go", "tool", "pprof", "-top", "-unit=ns", "-nodefraction=0"] + list(args)
                   + [path])
    out = {}
    for line in p.stdout.splitlines():
        m = re.match(r"\s*(\d+)ns\s+[\d.]+%\s+[\d.]+%\s+\d+ns\s+[\d.]+%\s+(.+)$", line)
        if m:
            out[m.group(2)] = int(m.group(1))
    return out


def top_sites(path):
    p = lptest.run([lptest.CLI, "top", "--json", "-n", "0", path])
    return json.loads(p.stdout)["sites"]


def main():
    prog = os.path.abspath(sys.argv[1])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    d = lptest.tmpdir()
    env = lptest.preload_env({**lptest.RECORD_ALL,
                              "LOCKPROF_DIR": d})
    p = lptest.run([prog], env=env, timeout=120)
    lptest.check(p.stdout.split() == WAITS, "prims made every call: %s" % p.stdout.split())
    block, mutex = os.path.join(d, "block.pprof"), os.path.join(d, "mutex.pprof")

    check_leaves(block, [(w, "call_" + w) for w in WAITS])
    check_leaves(mutex, list(RELEASES.items()))

    # As Go's block profile ends in sync.(*Mutex).Lock: the primitives are
    # the flat column, and -ignore drops a primitive's waits by its name.
    top = flat(block)
    for w in WAITS:
        lptest.check(top.get(w, 0) > 0, "go tool pprof -top: %s is flat (%s)" % (w, top))
    cond = sum(top.get(w, 0) for w in WAITS if w.startswith("pthread_cond_"))
    ignored = flat(block, "-ignore=pthread_cond_wait")
    lptest.check(not [f for f in ignored if f.startswith("pthread_cond_wait")]
                 and "call_pthread_cond_wait" not in ignored
                 and ignored.get("pthread_mutex_lock") == top.get("pthread_mutex_lock"),
                 "-ignore=pthread_cond_wait drops the condvar wait only: %s" % ignored)
    lptest.check(cond > 0 and sum(ignored.values()) < sum(top.values()),
                 "-ignore=pthread_cond_wait: less delay than without")
    for r in RELEASES:
        lptest.check(flat(mutex).get(r, 0) > 0, "go tool pprof -top mutex.pprof: %s is flat" % r)

    # lockprof top's sites are the program's functions with the primitive.
    sites = {s["site"] for s in top_sites(block)}
    for w in WAITS:
        lptest.check("%s in call_%s" % (w, w) in sites, "lockprof top: %s in call_%s (%s)"
                     % (w, w, sorted(sites)))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
