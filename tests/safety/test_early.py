# SPDX-License-Identifier: MIT
"""Lock calls before the library's constructor and while it resolves the
real functions: a linked library (libearly) whose constructor starts
threads that lock, and this program's own constructor threads; the
library preloaded in every order around libearly and behind jemalloc.
usage: test_early.py EARLY LIBEARLY"""


from safelib import ARGS, SANITIZED, check, env, find_lib, folded, run, tmpdir

early, libearly = ARGS[:2]
native = run([early], env(preload=False), tmpdir()).stdout
cases = [("linked", {}), ("preloaded before", {"before": [libearly]}),
         ("preloaded after", {"after": [libearly]})]
jemalloc = find_lib("libjemalloc.so.2")
if jemalloc and not SANITIZED:
    cases.append(("linked, jemalloc first", {"before": [jemalloc]}))
for what, kw in cases:
    for i in range(5):  # the start-up race differs from run to run
        d = tmpdir()
        p = run([early], env(block_rate=1, mutex_fraction=1, **kw), d, timeout=60)
        if p.stdout != native:
            check(False, "libearly %s: same output as without the library" % what)
        block = folded(d + "/block.pprof")
        folded(d + "/mutex.pprof")
    check(True, "libearly %s, 5 runs: same output, valid profiles" % what)
    print("   block profile sites: early_round %d ns, ctor_round %d ns"
          % (sum(v for s, v in block.items() if "early_round" in s),
             sum(v for s, v in block.items() if "ctor_round" in s)))
