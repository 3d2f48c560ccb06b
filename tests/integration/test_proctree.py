# SPDX-License-Identifier: MIT
"""A process tree under the library: the first process writes block.pprof
and mutex.pprof, a forked child and an exec'd program write
block.PID.pprof and mutex.PID.pprof, and no samples cross processes.

usage: test_proctree.py FORKTREE"""

import os
import sys

import lptest


def main():
    prog = os.path.abspath(sys.argv[1])
    d = lptest.tmpdir()
    env = lptest.preload_env(dict(lptest.RECORD_ALL))
    # The tree runs in another directory: files still go where it started
    # (the default LOCKPROF_DIR is the first process's working directory).
    p = lptest.run([prog], env=env, cwd=d)
    pids = {}
    for line in p.stdout.splitlines():
        kind, pid, status = line.split()
        lptest.check(status == "0", "%s process exited 0" % kind)
        pids[kind] = pid
    names = sorted(os.listdir(d))
    print("files:", names)
    expected = sorted(["block.pprof", "mutex.pprof",
                       "block.%s.pprof" % pids["child"], "mutex.%s.pprof" % pids["child"],
                       "block.%s.pprof" % pids["exec"], "mutex.%s.pprof" % pids["exec"]])
    lptest.check(names == expected, "one pair of files per process, named by role and pid")
    own = {"": "parent_site", pids["child"]: "child_site", pids["exec"]: "exec_site"}
    for pid, site in own.items():
        suffix = ".%s" % pid if pid else ""
        for kind in ("block", "mutex"):
            prof = lptest.agree(os.path.join(d, "%s%s.pprof" % (kind, suffix)))
            seen = prof.stack_functions() & set(own.values())
            lptest.check(seen == {site}, "%s%s.pprof holds %s only (saw %s)"
                         % (kind, suffix, site, sorted(seen)))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
