# SPDX-License-Identifier: MIT
"""The mutex profile's rate limit (LOCKPROF_MUTEX_MAX_RATE,
src/record/mutexrate.h), on a lock that four threads fight for, with
hundreds of thousands of contended releases a second.

- No limit (0): the fraction in force is the one set, 10; the mutex
  profile's second comment says "lockprof fraction=10".
- A limit of 500 a second: the fraction rises, by doublings of 10 and
  never past 65535, and the comment says the highest it reached; the
  profile is still one that go tool pprof and our decoder read alike,
  with its releases weighing that much more.

The block profile records every wait (rate 1): its count says whether the
program contended enough to matter (a machine that runs the threads one
at a time makes few waits; the test is skipped then).

usage: test_mutexrate.py HOTLOCK"""

import os
import re
import sys

import lptest

ROUNDS = 500000


def fraction_said(path):
    out = lptest.run(["go", "tool", "pprof", "-comments", path]).stdout
    m = re.search(r"^lockprof fraction=(\d+)$", out, re.M)
    lptest.check(m is not None, "%s: a comment says the fraction (%r)" % (path, out))
    return int(m.group(1))


def run(prog, limit):
    d = lptest.tmpdir()
    env = lptest.preload_env({"LOCKPROF_DIR": d, "LOCKPROF_BLOCK_RATE": "1",
                              "LOCKPROF_MUTEX_MAX_RATE": str(limit)})
    lptest.run([prog, "4", str(ROUNDS)], env=env, timeout=120)
    block = lptest.go_raw(os.path.join(d, "block.pprof"))
    if block.total(0) < 1000:
        lptest.skip("four threads made only %d waits: the machine ran them one at a time"
                    % block.total(0))
    return block, os.path.join(d, "mutex.pprof")


def main():
    prog = os.path.abspath(sys.argv[1])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")

    block, path = run(prog, 0)
    print("no limit: %d waits" % block.total(0))
    lptest.check(fraction_said(path) == 10, "no limit: the fraction stays 10")

    block, path = run(prog, 500)
    raised = fraction_said(path)
    mutex = lptest.agree(path)
    print("limit 500: %d waits, fraction up to %d, %d contentions and %.1f ms "
          "estimated in the mutex profile (%.1f ms of waits in the block profile)"
          % (block.total(0), raised, mutex.total(0), mutex.total(1) / 1e6,
             block.total(1) / 1e6))
    lptest.check(raised > 10 and raised <= 65535 and raised % 10 == 0 and
                 (raised // 10) & (raised // 10 - 1) == 0,
                 "limit 500: the fraction rose by doublings of 10, to %d" % raised)
    lptest.check(mutex.total(0) > 0 and mutex.total(1) > 0,
                 "limit 500: the mutex profile keeps releases")


if __name__ == "__main__":
    main()
