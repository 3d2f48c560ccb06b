# SPDX-License-Identifier: MIT
"""The profiler's own locks are invisible: thousands of short-lived threads
contend and exit (liburcu's thread-exit handler takes liburcu's mutexes);
no sample may pass through liburcu or the thread-exit machinery, and every
sample is the program's own contention.

usage: test_selflocks.py CHURN"""

import os
import sys

import lptest

FOREIGN = ("urcu", "unw", "__nptl_deallocate_tsd", "[lockprof")


def main():
    prog = os.path.abspath(sys.argv[1])
    d = lptest.tmpdir()
    env = lptest.preload_env({**lptest.RECORD_ALL,
                              "LOCKPROF_DIR": d})
    lptest.run([prog, "3000", "16"], env=env, timeout=120)
    for kind in ("block", "mutex"):
        prof = lptest.agree(os.path.join(d, kind + ".pprof"))
        lptest.check(prof.samples, "%s: the program's contention is there" % kind)
        foreign = [s for s in prof.samples
                   if any(x in f for f in prof.stack(s) for x in FOREIGN)]
        for s in foreign:
            print("foreign sample:", s.values, prof.stack(s), prof.frames(s))
        lptest.check(not foreign, "%s: no sample of the profiler's own locks" % kind)
        lptest.check(all(any(lptest.base(f) == "short_life" for f in prof.stack(s)) for s in prof.samples),
                     "%s: every sample is under short_life" % kind)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
