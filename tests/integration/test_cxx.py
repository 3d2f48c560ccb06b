# SPDX-License-Identifier: MIT
"""C++ programs' std::mutex, std::timed_mutex, std::shared_mutex and
std::condition_variable (wait, wait_for) reach the profiles through the
same pthread calls: each waiting site's block delay within 10% of what the
program measured, and the mutex profile's total within 10% of the lock
sites' block total.

usage: test_cxx.py CXXLOCKS"""

import os
import sys

import lptest

LOCK_SITES = ("cxx_mutex_wait", "cxx_timed_mutex_wait", "cxx_shared_wait")


def main():
    prog = os.path.abspath(sys.argv[1])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    d = lptest.tmpdir()
    env = lptest.preload_env({**lptest.RECORD_ALL,
                              "LOCKPROF_DIR": d})
    p = lptest.run([prog, "150"], env=env, timeout=120)
    block = lptest.agree(os.path.join(d, "block.pprof"))
    mutex = lptest.agree(os.path.join(d, "mutex.pprof"))
    lock_total = 0
    for line in p.stdout.splitlines():
        _, site, count, waited = line.split()
        count, waited = int(count), int(waited)
        delay = block.by_frame(site, 1)
        print("%s: measured %d waits %.1f ms, profile %d waits %.1f ms"
              % (site, count, waited / 1e6, block.by_frame(site, 0), delay / 1e6))
        lptest.check(lptest.within(delay, waited, 0.10), "%s: block delay within 10%%" % site)
        lptest.check(lptest.within(block.by_frame(site, 0), count, 0.10),
                     "%s: block contentions within 10%%" % site)
        if site in LOCK_SITES:
            lock_total += delay
    lptest.check(lptest.within(mutex.total(1), lock_total, 0.10),
                 "mutex total %.1f ms within 10%% of the lock sites' %.1f ms"
                 % (mutex.total(1) / 1e6, lock_total / 1e6))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
