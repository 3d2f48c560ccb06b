# SPDX-License-Identifier: MIT
"""The host program comes first: the semantics probe (return codes, errno,
cancellation, signals of every interposed call) prints the same lines
natively and under the library, at record-all and at default settings, and
recording all with every label, with the hang view on (LOCKPROF_HANG:
every wait shown, and a mutex or rwlock wait that outlives 20 ms cut in two
to take its stack), and the profiles of the run are valid.

usage: test_semantics.py PROBE"""

import os
import sys

import lptest


def main():
    prog = os.path.abspath(sys.argv[1])
    native = lptest.run([prog], env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"},
                        timeout=60)
    lptest.check(native.stdout.count("\n") > 50, "the probe ran natively")
    for settings in (dict(lptest.RECORD_ALL), {},
                     {**lptest.RECORD_ALL,
                      "LOCKPROF_LABELS": "lock,thread,wait"},
                     {"LOCKPROF_HANG": "10s", "LOCKPROF_BLOCK_RATE": "0",
                      "LOCKPROF_MUTEX_FRACTION": "0"}):
        d = lptest.tmpdir()
        env = lptest.preload_env(dict(settings, LOCKPROF_DIR=d))
        pre = lptest.run([prog], env=env, timeout=60)
        if pre.stdout != native.stdout:
            for a, b in zip(native.stdout.splitlines(), pre.stdout.splitlines()):
                if a != b:
                    print("native:    " + a)
                    print("preloaded: " + b)
        lptest.check(pre.stdout == native.stdout,
                     "identical output under the library %s" % (settings or "(defaults)"))
        lptest.check(pre.stderr == "", "nothing on stderr")
        if lptest.have_go():
            for kind in ("block", "mutex"):
                lptest.agree(os.path.join(d, kind + ".pprof"))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
