# SPDX-License-Identifier: MIT
"""Cancellation in every cancellable wrapper, asynchronous cancellation in
lock waits, time-outs in every timed wait, a robust mutex's owner dying,
thousands of short-lived threads; then the wait state must be intact.

- A wait that ended by cancellation or a time-out is in the block profile
  at its own function, as many waits as the program made, as long as the
  program measured them (within 10%);
- the releases that follow them wake nobody and are charged nothing, nor
  are uncontended releases later on;
- contended releases are charged exactly what their waiters waited (block
  and mutex profiles agree to the nanosecond, both sampled at 1).
usage: test_cancel.py CANCEL"""


from safelib import ARGS, check, env, fail, folded, run, tmpdir, total_with

cancel = ARGS[0]
run([cancel, "2000"], env(preload=False), tmpdir(), timeout=120)
d = tmpdir()
p = run([cancel, "4000"], env(block_rate=1, mutex_fraction=1), d, timeout=240)
print(p.stdout)
block, mutex = folded(d + "/block.pprof"), folded(d + "/mutex.pprof")
block_count = folded(d + "/block.pprof", "contentions")

measured = [line.split()[1:] for line in p.stdout.splitlines()
            if line.startswith("measured ")]
check(len(measured) == 6 + 3 + 8, "the program measured %d kinds of waits" % len(measured))
for frame, ns, calls in measured:
    ns, calls = int(ns), int(calls)
    recorded, count = total_with(block, frame), total_with(block_count, frame)
    # The wrapper times a part of what the program times: a little less.
    check(count == calls and 0.9 * ns <= recorded <= ns,
          "%s: %d waits of %d ns in all in the block profile (measured: %d, %d ns)"
          % (frame, count, recorded, calls, ns))

for frame in ("release_after_cancel", "release_after_async_cancel",
              "release_after_timeout"):
    charged = total_with(mutex, frame)
    check(charged == 0, "%s, which woke nobody, charged %d ns" % (frame, charged))

stray = {s: v for s, v in mutex.items()
         if ("after_cancel_sem" in s or "after_cancel_mutex" in s) and "flush_robust" not in s}
if stray:
    fail("uncontended releases after the cancellations were charged "
         "(a waiter stayed registered): %s" % stray)
check(True, "no charge on the 3000 uncontended releases after the cancellations")
for rel, acq in (("contended_sem_post", "contended_sem_wait"),
                 ("contended_unlock", "contended_lock")):
    charged, waited = total_with(mutex, rel), total_with(block, acq)
    check(waited > 0 and charged == waited,
          "%s charged %d ns, %s waited %d ns" % (rel, charged, acq, waited))
check(total_with(block, "robust_waiter") > 0,
      "the robust mutex's waiters are in the block profile")
