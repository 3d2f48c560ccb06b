# SPDX-License-Identifier: MIT
"""Stacks walked again from the same place come from the thread's stack memo
(src/record/stackmemo.h) once they repeat: a program that waits, and
releases, from two call chains in turn, which differ in one frame far
from the lock call, at the same stack addresses otherwise. Recording
everything, every wait and every charged release is in the profiles under
its own chain, as many times as the program made it: a memo that answered
for the other chain would move counts from one to the other.

usage: test_stackmemo.py TWOCHAINS"""

import os
import sys

import lptest

ROUNDS = 400
CHAINS = {"block": ("waits", "from_a", "from_b", ["pthread_mutex_lock", "wait_site"]),
          "mutex": ("releases", "release_a", "release_b", ["pthread_mutex_unlock", "release_site"])}


def main():
    prog = os.path.abspath(sys.argv[1])
    d = lptest.tmpdir()
    env = lptest.preload_env({**lptest.RECORD_ALL,
                              "LOCKPROF_DIR": d})
    p = lptest.run([prog, str(ROUNDS)], env=env, timeout=120)
    made = {k: int(v) for k, v in (line.split() for line in p.stdout.splitlines())}
    for kind, (what, a, b, leaf) in CHAINS.items():
        prof = lptest.agree(os.path.join(d, kind + ".pprof"))
        for s in prof.samples:
            names = [lptest.base(f) for f in prof.stack(s)]
            lptest.check(names[:2] == leaf and (a in names) != (b in names),
                         "%s: a sample's stack starts at %s and goes through one of %s, %s: %s"
                         % (kind, leaf, a, b, names))
        for chain, suffix in ((a, "_a"), (b, "_b")):
            count = sum(s.values[0] for s in prof.samples
                        if chain in [lptest.base(f) for f in prof.stack(s)])
            lptest.check(count == made[what + suffix],
                         "%s: %d %s under %s, as the program made them (profile: %d)"
                         % (kind, made[what + suffix], what, chain, count))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
