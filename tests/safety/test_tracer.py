# SPDX-License-Identifier: MIT
"""A lock tracer preloaded after the library (tests/safety/rwtracer.c)
interposes the classic rwlock calls and not the timed ones. The library
tries a read lock with the timed form only where that reaches the same
code as the classic calls (interpose/real.c): here it must fall back to
the trylock, so that the tracer sees every lock taken, as without the
library. The program: tests/safety/tsanlocks.c, built plain (4 threads,
20,000 rwlock locks each, contended).
usage: test_tracer.py RWLOCKS LIBRWTRACER"""

from safelib import ARGS, check, env, run, tmpdir

prog, tracer = ARGS


def counts(preload):
    d = tmpdir()
    p = run([prog], env(preload=preload, after=[tracer], DIR=d), d)
    line = [x for x in p.stderr.splitlines() if x.startswith("rwtracer:")]
    check(len(line) == 1, "the tracer reported: %r" % p.stderr[-2000:])
    words = line[0].split()
    return int(words[2]), int(words[4])


# The program's own locks; preloaded, the library's exit dump takes a few
# more (242 here; none without a dump): the tracer counts every call in the
# process, and the dump is over before the tracer's destructor reports.
expected = 4 * 20000
for preload in (False, True):
    taken, released = counts(preload)
    check(taken == released and (taken >= expected if preload else taken == expected),
          "%s: the tracer saw %d locks taken and %d released, the program's %d"
          % ("preloaded" if preload else "natively", taken, released, expected))
print("ok")
