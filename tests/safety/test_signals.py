# SPDX-License-Identifier: MIT
"""Signals: a handler calling sem_post while the interrupted threads are
inside the wrappers, hammered; SA_RESTART and EINTR behaviour of sem_wait,
sem_timedwait, sem_clockwait identical with and without the library.
usage: test_signals.py SIGPOST"""


from safelib import ARGS, check, env, folded, run, tmpdir

sigpost = ARGS[0]
for rate, frac in ((1, 1), ("10us", 10)):
    d = tmpdir()
    p = run([sigpost, "hammer", "100000"], env(block_rate=rate, mutex_fraction=frac), d,
            timeout=240)
    check("consumed" in p.stdout, "hammer, rate %s fraction %s: %s"
          % (rate, frac, p.stdout.strip()))
    folded(d + "/block.pprof")
    folded(d + "/mutex.pprof")
native = run([sigpost, "restart"], env(preload=False), tmpdir(), timeout=60).stdout
print(native)
for i in range(3):
    profiled = run([sigpost, "restart"], env(block_rate=1, mutex_fraction=1),
                   tmpdir(), timeout=60).stdout
    check(profiled == native, "restart/EINTR behaviour identical to the native run (%d)" % i)
