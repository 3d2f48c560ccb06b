# SPDX-License-Identifier: MIT
"""lockprof run: the program with the library preloaded, its exit status
and signals its own, files where --dir says, bad options refused.

usage: test_run.py SELFTIMED"""

import os
import signal
import subprocess
import sys

import lptest


def main():
    prog = os.path.abspath(sys.argv[1])
    env = lptest.run_env()
    d = lptest.tmpdir()
    p = lptest.run([lptest.CLI, "run", "--block-rate", "1", "--mutex-fraction", "1",
                    "--dir", d, "--", prog, "30", "wait_mutex"], env=env)
    lptest.check(sorted(os.listdir(d)) == ["block.pprof", "mutex.pprof"],
                 "profiles written to --dir by the program, named as the first process")
    if lptest.have_go():
        prof = lptest.agree(os.path.join(d, "block.pprof"))
        lptest.check(prof.by_frame("wait_mutex", 1) > 0, "the run was profiled")

    p = lptest.run([lptest.CLI, "run", "--dir", d, "sh", "-c", "exit 7"], env=env, check_rc=False)
    lptest.check(p.returncode == 7, "the program's exit status comes back (7)")
    p = lptest.run([lptest.CLI, "run", "--dir", d, "sh", "-c", "kill -TERM $$"], env=env, check_rc=False)
    lptest.check(p.returncode == -signal.SIGTERM, "death by a signal is the program's own")
    p = lptest.run([lptest.CLI, "run", "--dir", d, "sh", "-c", 'echo "$LD_PRELOAD"'], env=env)
    lptest.check(any(os.path.basename(x).startswith("liblockprof.so")
                     for x in p.stdout.strip().split(":")), "the library is preloaded")
    for bad in (["--block-rate", "fast"], ["--mutex-fraction", "x"], ["--stack-depth", "0"],
                ["--dir", "/nonexistent/x"], []):
        p = lptest.run([lptest.CLI, "run"] + bad + ["true"] * (1 if bad else 0), check_rc=False)
        lptest.check(p.returncode == 2 and p.stderr.strip() != "", "refused: run %s" % " ".join(bad))
    p = lptest.run([lptest.CLI, "run", "--dir", d, "/nonexistent/program"], env=env, check_rc=False)
    lptest.check(p.returncode == 127 and "nonexistent" in p.stderr, "a missing program: 127")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
