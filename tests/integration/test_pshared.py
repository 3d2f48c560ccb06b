# SPDX-License-Identifier: MIT
"""Locks and semaphores shared between processes (issue 15): the process
that releases is charged the waits of another process, in its own
mutex.PID.pprof, within 5% of what the waiting process measured itself, at
LOCKPROF_BLOCK_RATE=1 LOCKPROF_MUTEX_FRACTION=1. Read with go tool pprof
and our own decoder.

locks:  a process-shared mutex (holder_unlock) and semaphore (holder_post)
rwlock: a process-shared rwlock (holder_rwunlock)
cond:   a process-shared condition variable: its waits are in the waiter's
        block profile and charged to no release; the holder's waits for
        the mutex the waiter then holds are charged to waiter_unlock
kill:   as locks, and a third process killed (SIGKILL) while it waits on
        the mutex: the holder is charged what the waiter measured, no more

usage: test_pshared.py locks|rwlock|cond|kill PSHARED"""

import os
import sys

import lptest

TOL = 0.05

# mode: [(release site, who released, waited-as, who waited)]
CHARGES = {
    "locks": [("holder_unlock", "holder", "mutex", "waiter"),
              ("holder_post", "holder", "sem", "waiter")],
    "rwlock": [("holder_rwunlock", "holder", "rw", "waiter")],
    "cond": [("waiter_unlock", "waiter", "mutex", "holder")],
    "kill": [("holder_unlock", "holder", "mutex", "waiter")],
}
# mode: [(waiting site, who waited, the kinds of waits it made)]
WAITS = {
    "locks": [("wait_locks", "waiter", ["mutex", "sem"])],
    "rwlock": [("wait_rwlock", "waiter", ["rw"])],
    "cond": [("wait_cond", "waiter", ["cond"]), ("signal_cond", "holder", ["mutex"])],
    "kill": [("wait_locks", "waiter", ["mutex"])],
}


def main():
    mode, prog = sys.argv[1], os.path.abspath(sys.argv[2])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    d = lptest.tmpdir()
    env = lptest.preload_env({**lptest.RECORD_ALL,
                              "LOCKPROF_DIR": d})
    p = lptest.run([prog, mode], env=env, timeout=120)
    out = p.stdout
    if p.stderr:
        print("stderr:", p.stderr.strip())
    pids, waited = {}, {}
    for line in out.splitlines():
        words = line.split()
        if words[0] == "waited":
            waited[words[1]] = int(words[2])
        else:
            pids[words[0]] = words[1]
    print(out.strip())
    if mode == "kill":
        lptest.check(waited.pop("victim") == 1, "the victim was killed blocked in its lock")
    print("files:", sorted(os.listdir(d)))
    mutex = {who: lptest.agree(os.path.join(d, "mutex.%s.pprof" % pids[who]))
             for who in ("holder", "waiter")}
    block = {who: lptest.agree(os.path.join(d, "block.%s.pprof" % pids[who]))
             for who in ("holder", "waiter")}
    charged_all = 0
    for site, releaser, kind, waiter in CHARGES[mode]:
        charged = mutex[releaser].by_frame(site)
        other = [w for w in mutex if w != releaser][0]
        print("%s: charged %.2f ms in the %s's file; the %s measured %.2f ms"
              % (site, charged / 1e6, releaser, waiter, waited[kind] / 1e6))
        lptest.check(lptest.within(charged, waited[kind], TOL),
                     "%s within %d%% of the %s's own measurement" % (site, TOL * 100, waiter))
        lptest.check(mutex[other].by_frame(site) == 0,
                     "%s is in the releasing process's file only" % site)
        charged_all += charged
    # Nothing else is charged: not the killed waiter's wait, not a
    # condition variable's.
    total = sum(p.total() for p in mutex.values())
    lptest.check(lptest.within(total, charged_all, TOL),
                 "the mutex profiles hold the measured waits only (%.2f ms of %.2f ms)"
                 % (total / 1e6, charged_all / 1e6))
    # The waiting processes' block profiles are exact.
    for site, who, kinds in WAITS[mode]:
        ns = sum(waited[k] for k in kinds)
        lptest.check(lptest.within(block[who].by_frame(site), ns, TOL),
                     "%s's block profile (%s) within %d%% of its own %s waits, %.2f ms"
                     % (who, site, TOL * 100, "+".join(kinds), ns / 1e6))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
