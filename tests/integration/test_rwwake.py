# SPDX-License-Identifier: MIT
"""Which release of a rwlock the mutex profile charges
(tests/progs/rwwake.c), at LOCKPROF_BLOCK_RATE=1 LOCKPROF_MUTEX_FRACTION=1:
the one that wakes the waiters, as Go charges the last reader's RUnlock
and the writer's Unlock (docs/profiles.md, "What a release is charged").

- Three readers hold the lock and release it 1 ms apart while a writer
  waits: the last release (release_last) is charged the writer's waits,
  within 10% of what the writer measured; the two before it, which wake
  nobody, less than 2% of that.
- The writer holds it while the three readers wait: its release
  (writer_release) is charged the readers' waits, within 10%.
- The writer holds it while a second writer waits: its release
  (writer_handover) is charged the second writer's waits, within 10%.
- The mutex total equals the block total (every ns charged once).
- The locks taken while the lock is free (the readers' in reader, the
  writer's in write_hold) are no waits: the read lock's try (a timed read
  lock with a deadline long past, interpose/rwlock.c) takes a free lock.
  At most one wait per reader_wait call.

Run for both kinds of rwlock: readers preferred (the default: a waiting
writer sleeps on __writers_futex, uncounted) and writers preferred
(`prefer-writer`: waiting writers are counted in __writers).

Read with `go tool pprof -raw` and our decoder.

usage: test_rwwake.py RWWAKE default|prefer-writer"""

import os
import sys

import lptest


def main():
    prog, kind = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    d = lptest.tmpdir()
    p = lptest.run([prog, "40", kind], env=lptest.preload_env({**lptest.RECORD_ALL,
                                                              "LOCKPROF_DIR": d}))
    truth = {}
    for line in p.stdout.splitlines():
        name, count, total = line.split()
        truth[name] = (int(count), int(total))
    block = lptest.agree(os.path.join(d, "block.pprof"))
    mutex = lptest.agree(os.path.join(d, "mutex.pprof"))
    writer_waited = truth["writer_waits"][1]
    readers_waited = truth["reader_waits"][1]
    charged = {site: mutex.by_frame(site)
               for site in ("release_first", "release_second", "release_last",
                            "writer_release", "writer_handover")}
    for site, ns in sorted(charged.items()):
        print("%s: charged %.2f ms" % (site, ns / 1e6))
    writer2_waited = truth["writer2_waits"][1]
    print("the writer waited %.2f ms, the readers %.2f ms, the second writer %.2f ms"
          % (writer_waited / 1e6, readers_waited / 1e6, writer2_waited / 1e6))
    lptest.check(lptest.within(charged["release_last"], writer_waited, 0.10),
                 "the last reader's release is charged the writer's waits, within 10%")
    lptest.check(charged["release_first"] + charged["release_second"] < 0.02 * writer_waited,
                 "the readers' releases that wake nobody are charged under 2% of them")
    lptest.check(lptest.within(charged["writer_release"], readers_waited, 0.10),
                 "the writer's release is charged the readers' waits, within 10%")
    lptest.check(lptest.within(charged["writer_handover"], writer2_waited, 0.10),
                 "the writer's release is charged the second writer's waits, within 10%")
    free_takes = (block.by_frame("reader", 0) - block.by_frame("reader_wait", 0)
                  + block.by_frame("write_hold", 0))
    lptest.check(free_takes == 0,
                 "no wait where the lock was free (reader, write_hold): %d" % free_takes)
    lptest.check(0 < block.by_frame("reader_wait", 0) <= truth["reader_waits"][0],
                 "the readers' waits: %d, at most one a call (%d calls)"
                 % (block.by_frame("reader_wait", 0), truth["reader_waits"][0]))
    lptest.check(mutex.total(1) == block.total(1),
                 "mutex total %d ns equals block total %d ns" % (mutex.total(1), block.total(1)))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
