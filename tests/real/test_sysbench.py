# SPDX-License-Identifier: MIT
"""sysbench mutex and sysbench threads, natively and under liblockprof:
same exit status and event count, profiles with the contention sysbench
makes, read by lockprof top and go tool pprof."""
import os

from realtest import (check, go_pprof, native_env, need, preload_env,
                      profiles_in, run, say, show_top, tmpdir)

sysbench = need("sysbench", "sysbench")

RUNS = {
    # 4 threads taking 2 mutexes: every lock is fought over.
    "mutex": ["mutex", "--threads=4", "--mutex-num=2", "--mutex-locks=2000000",
              "--mutex-loops=10"],
    # 8 threads yielding while holding one of 2 mutexes.
    "threads": ["threads", "--threads=8", "--thread-locks=2", "--thread-yields=100",
                "--events=4000", "--time=60"],
}


def events(out):
    for line in out.splitlines():
        if "total number of events" in line:
            return int(line.split(":")[1])
    return None


for name, args in RUNS.items():
    rc0, out0, err0, t0 = run([sysbench, *args, "run"], 120, env=native_env())
    d = tmpdir(name)
    rc1, out1, err1, t1 = run([sysbench, *args, "run"], 120, env=preload_env(d))
    check(rc0 == rc1 == 0, f"sysbench {name}: exit {rc0} natively, {rc1} under lockprof")
    check(events(out0) == events(out1) and events(out1),
          f"sysbench {name}: {events(out1)} events both ways")
    check(err1.strip() == err0.strip(), f"sysbench {name}: same stderr")
    check(profiles_in(d) == ["block.pprof", "mutex.pprof"],
          f"sysbench {name}: both profiles written")
    for f in profiles_in(d):
        path = os.path.join(d, f)
        say(f"--- sysbench {name}, {f}: {os.path.getsize(path)} bytes")
        t = show_top(path)
        check(t["total"]["contentions"] > 0, f"sysbench {name}, {f}: contention recorded")
        if go_pprof(path) is not None:
            say(f"sysbench {name}, {f}: go tool pprof reads it")
    say(f"sysbench {name}: {t0:.2f}s natively, {t1:.2f}s under lockprof")
say("PASS")
