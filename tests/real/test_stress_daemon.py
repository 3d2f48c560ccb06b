# SPDX-License-Identifier: MIT
"""The ordinary moments of a daemon, by stress-ng's stressors: processes
forked, vforked and cloned by the thousand, descriptors closed and
duplicated under the program's feet, signals (nested, fatal ones caught,
SIGCHLD, sigsuspend), exit_group from a thread, futexes. Each stressor
runs natively and under liblockprof with every part of it running: the
live endpoint (LOCKPROF_HTTP), the hang watchdog (LOCKPROF_HANG) and
interval dumps (LOCKPROF_INTERVAL) in every process of the tree. Checked:
the same exit status and stress-ng's own verdict both ways, and nothing
from lockprof on stderr but its endpoint's address."""
import os

from realtest import check, native_env, need, preload_env, run, say, tmpdir

stress = need("stress-ng", "stress-ng")
SECS = os.environ.get("REAL_STRESS_SECS", "1")
STRESSORS = ("fork", "vfork", "clone", "exit-group", "close", "dup", "signal",
             "signest", "sigsegv", "sigchld", "sigsuspend", "kill", "futex")

for stressor in STRESSORS:
    args = [stress, f"--{stressor}", "2", "-t", f"{SECS}s", "--metrics-brief"]
    rc0, _, err0, t0 = run(args, 120, env=native_env(), quiet=True)
    d = tmpdir(stressor)
    rc1, _, err1, t1 = run(args, 120, quiet=True,
                           env=preload_env(d, LOCKPROF_HTTP="127.0.0.1:0", LOCKPROF_HANG="1s",
                                           LOCKPROF_INTERVAL="200ms"))
    verdict0 = "successful run completed" in err0
    check(rc1 == rc0, f"stress-ng --{stressor}: exit {rc0} natively, {rc1} under lockprof")
    check("successful run completed" in err1 or not verdict0,
          f"stress-ng --{stressor}: 'successful run completed' under lockprof as natively")
    ours = [l for l in err1.splitlines() if "lockprof" in l]
    check(len(ours) == 1 and "serving profiles at http://127.0.0.1:" in ours[0],
          f"stress-ng --{stressor}: lockprof said only where it serves: {ours}")
    left = [f for f in os.listdir(d) if not f.endswith(".pprof")]
    if left:
        say(f"note: stress-ng --{stressor} left {left} (an _exit() during an "
            "interval dump, on a file system without O_TMPFILE)")
    say(f"stress-ng --{stressor}: exit {rc1}, {'successful' if verdict0 else 'no verdict'}; "
        f"{t0:.2f}s natively, {t1:.2f}s under lockprof")
say("PASS")
