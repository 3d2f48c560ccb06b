# SPDX-License-Identifier: MIT
"""A program built with ThreadSanitizer, preloaded (tests/safety/tsanlocks.c).

The library turns profiling off, with one line on stderr: otherwise the
program crashes at a thread's exit (libunwind frees the thread's cache
under a mutex, through ThreadSanitizer's interceptor, after
ThreadSanitizer let go of the thread). Its wrappers still stand in front
of every lock call, and must reach ThreadSanitizer's interceptors with
each: the race-free run reports nothing, as without the library, and the
racy run reports its race, as without the library.
usage: test_tsan.py TSANLOCKS"""

from safelib import ARGS, SANITIZED, check, env, run, skip, tmpdir

if SANITIZED:
    skip("ThreadSanitizer and AddressSanitizer cannot share a process")
prog = ARGS[0]
REPORT = "WARNING: ThreadSanitizer"


def tsan_run(preload, *args):
    d = tmpdir()
    p = run([prog, *args], env(preload=preload, DIR=d), d, status=None)
    return p.returncode, p.stderr


rc, err = tsan_run(False)
check(rc == 0 and REPORT not in err, "natively: exit 0, no report (%d)\n%s" % (rc, err[-2000:]))
rc, err = tsan_run(True)
check(rc == 0, "preloaded: exit 0 (%d)\n%s" % (rc, err[-2000:]))
check(REPORT not in err, "preloaded: ThreadSanitizer saw every lock: no report\n%s" % err[-3000:])
lines = [x for x in err.splitlines() if x.startswith("lockprof:")]
check(len(lines) == 1 and "ThreadSanitizer" in lines[0],
      "preloaded: one line from lockprof, naming ThreadSanitizer: %r" % lines)
for preload in (False, True):
    rc, err = tsan_run(preload, "racy")
    check(rc != 0 and REPORT in err and "worker" in err,
          "racy, %s: the race is reported (exit %d)"
          % ("preloaded" if preload else "natively", rc))
print("ok")
