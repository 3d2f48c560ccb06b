# SPDX-License-Identifier: MIT
"""Scale: 64 threads over 10,000 locks; one million heap locks created
and destroyed (half freed without destroy, memory reused and fresh); the
same with LOCKPROF_MAX_LOCKS far below the number of locks. Peak RSS with
the library may exceed the native run by at most BOUND_MIB (docs/safety.md).
usage: test_scale.py SCALE"""

import os
import subprocess

from safelib import ARGS, SANITIZED, check, env, fail, folded, tmpdir

BOUND_MIB = 48
scale = ARGS[0]


def peak_rss(argv, e, cwd):
    """Run; returns (stdout, peak RSS in KiB)."""
    p = subprocess.Popen(argv, env=e, cwd=cwd, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        fail("%s exited %d" % (argv, p.returncode))
    return out, ru.ru_maxrss


cases = [("wide", [scale, "wide", "64", "10000", "20000"], {}),
         ("churn", [scale, "churn", "1000000"], {}),
         ("churn, max_locks 1024, every event", [scale, "churn", "1000000"],
          {"max_locks": 1024, "block_rate": 1, "mutex_fraction": 1})]
for what, argv, cfg in cases:
    out, native = peak_rss(argv, env(preload=False), tmpdir())
    d = tmpdir()
    out2, profiled = peak_rss(argv, env(**cfg), d)
    check(out == out2, "%s: %s" % (what, out.strip()))
    block, mutex = folded(d + "/block.pprof"), folded(d + "/mutex.pprof")
    check(sum(block.values()) > 0 and sum(mutex.values()) > 0,
          "%s: valid profiles, %d block and %d mutex stacks" % (what, len(block), len(mutex)))
    extra = (profiled - native) / 1024.0
    print("   peak RSS %.1f MiB native, %.1f MiB with the library (+%.1f MiB)"
          % (native / 1024.0, profiled / 1024.0, extra))
    if not SANITIZED:
        check(extra <= BOUND_MIB, "%s: the library adds at most %d MiB" % (what, BOUND_MIB))
