# SPDX-License-Identifier: MIT
"""The numbers must be true: a program that times its own waits, site by
site, against its profiles.

exact:   LOCKPROF_BLOCK_RATE=1 LOCKPROF_MUTEX_FRACTION=1; per waiting site the
         block delay and count within 10% of the program's own measurement;
         per holding site the mutex delay within 10% of what its waiter
         waited; the mutex total within 10% of the block total of locks and
         semaphores (conservation).
sampled: LOCKPROF_BLOCK_RATE=500us LOCKPROF_MUTEX_FRACTION=5; the same
         estimates within 20% (Go's bias correction makes them unbiased).

usage: test_accuracy.py exact|sampled SELFTIMED"""

import os
import sys

import lptest

# Who makes each waiting site wait (its function in the mutex profile).
HOLDER = {
    "wait_mutex": "hold_mutex",
    "wait_mutex_timed": "hold_mutex",
    "wait_rwlock_wr": "hold_rwlock_rd",
    "wait_rwlock_rd": "hold_rwlock_wr",
    "wait_sem": "post_sem",
    "wait_cond": None,
}
# Sites run together: no two share a holder function.
GROUPS = [["wait_mutex", "wait_rwlock_wr", "wait_sem"],
          ["wait_mutex_timed", "wait_rwlock_rd", "wait_cond"]]


def measure(prog, sites, rounds, env):
    d = lptest.tmpdir()
    p = lptest.run([prog, str(rounds), ",".join(sites)],
                   env=lptest.preload_env(dict(env, LOCKPROF_DIR=d)), timeout=300)
    truth = {}
    for line in p.stdout.splitlines():
        _, site, count, total = line.split()
        truth[site] = (int(count), int(total))
    return truth, os.path.join(d, "block.pprof"), os.path.join(d, "mutex.pprof")


def main():
    mode, prog = sys.argv[1], os.path.abspath(sys.argv[2])
    if mode == "exact":
        env = dict(lptest.RECORD_ALL)
        rounds, tol = 300, 0.10
    else:
        env = {"LOCKPROF_BLOCK_RATE": "500us", "LOCKPROF_MUTEX_FRACTION": "5"}
        rounds, tol = 5000, 0.20
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    for sites in GROUPS:
        truth, block_path, mutex_path = measure(prog, sites, rounds, env)
        block = lptest.agree(block_path)
        mutex = lptest.agree(mutex_path)
        held_block = 0
        for site in sites:
            count, waited = truth[site]
            delay = block.by_frame(site, 1)
            contentions = block.by_frame(site, 0)
            print("%s: measured %d waits, %.1f ms; block profile %d, %.1f ms"
                  % (site, count, waited / 1e6, contentions, delay / 1e6))
            lptest.check(lptest.within(delay, waited, tol),
                         "%s: block delay within %d%% of the measured wait" % (site, tol * 100))
            lptest.check(lptest.within(contentions, count, tol),
                         "%s: block contentions within %d%% of the measured count" % (site, tol * 100))
            holder = HOLDER[site]
            if holder is None:
                # A condvar wait is never charged to a release. What may show
                # under the waiter is a real mutex contention: the signaller's
                # lock finding the waiter preempted between its own lock and
                # the wait; the waiter's next unlock is charged with it.
                stray = mutex.by_frame(site, 1)
                print("%s: mutex profile %.3f ms under the waiter" % (site, stray / 1e6))
                lptest.check(stray < tol * waited,
                             "%s: condvar waits charge no release (%.3f ms of %.1f ms)"
                             % (site, stray / 1e6, waited / 1e6))
                continue
            held_block += delay
            charged = mutex.by_frame(holder, 1)
            print("%s: mutex profile %d releases, %.1f ms"
                  % (holder, mutex.by_frame(holder, 0), charged / 1e6))
            lptest.check(lptest.within(charged, waited, tol),
                         "%s: charged within %d%% of what %s waited" % (holder, tol * 100, site))
            lptest.check(lptest.within(mutex.by_frame(holder, 0), count, tol),
                         "%s: sampled releases estimate the contended ones within %d%%"
                         % (holder, tol * 100))
        lptest.check(lptest.within(mutex.total(1), held_block, tol),
                     "mutex total %.1f ms within %d%% of the lock and semaphore block total %.1f ms"
                     % (mutex.total(1) / 1e6, tol * 100, held_block / 1e6))
    print("%d passed, 0 failed" % 1)


if __name__ == "__main__":
    main()
