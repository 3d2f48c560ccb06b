# SPDX-License-Identifier: MIT
"""The C API, in a program linked with -llockprof: rates set and read,
stop and start, dumps to paths and file descriptors (the hold profile's
too, LOCKPROF_HOLD_FRACTION=1).

usage: test_api.py APIUSER"""

import os
import sys

import lptest


def main():
    prog = os.path.abspath(sys.argv[1])
    d = lptest.tmpdir()
    env = dict(os.environ, LOCKPROF_DIR=d, LOCKPROF_HOLD_FRACTION="1")
    env.pop("LD_PRELOAD", None)
    p = lptest.run([prog, d], env=env)
    lptest.check("api ok" in p.stdout, "every API call answered as documented")
    for kind in ("block", "mutex", "hold"):
        by_path = lptest.agree(os.path.join(d, "%s-path.pprof" % kind))
        by_fd = lptest.agree(os.path.join(d, "%s-fd.pprof" % kind))
        lptest.check("contend_recorded" in by_path.stack_functions(), "%s by path: the recorded site" % kind)
        lptest.check("contend_while_stopped" not in by_fd.stack_functions(),
                     "%s by fd: nothing recorded while stopped" % kind)
        lptest.check(by_fd.total(1) == by_path.total(1),
                     "%s: the cumulative profile did not change while stopped" % kind)
        # At normal exit the linked library writes the files too.
        lptest.agree(os.path.join(d, "%s.pprof" % kind))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
