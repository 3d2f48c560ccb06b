"""Cancellation in every cancellable wrapper, a robust mutex's owner dying,
thousands of short-lived threads; then the wait state must be intact:
uncontended releases are not charged, and contended releases are charged
exactly what their waiters waited (block and mutex profiles agree to the
nanosecond, both sampled at 1).
usage: test_cancel.py CANCEL"""


from safelib import ARGS, check, env, fail, folded, run, tmpdir, total_with

cancel = ARGS[0]
run([cancel, "2000"], env(preload=False), tmpdir(), timeout=120)
d = tmpdir()
p = run([cancel, "4000"], env(block_rate=1, mutex_fraction=1), d, timeout=240)
print(p.stdout)
block, mutex = folded(d + "/block.pprof"), folded(d + "/mutex.pprof")
stray = {s: v for s, v in mutex.items()
         if ("after_cancel_sem" in s or "after_cancel_mutex" in s) and "flush_release" not in s}
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
