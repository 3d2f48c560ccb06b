# SPDX-License-Identifier: MIT
"""Preloaded allocators that lock inside malloc (jemalloc, tcmalloc), in
both orders around the library: the examples and allocstress complete with
the native results, and both profiles are valid and not empty.
usage: test_allocators.py CONTENTION ALLOCSTRESS"""


from safelib import ARGS, SANITIZED, check, env, find_lib, folded, run, skip, tmpdir

contention, allocstress = ARGS[:2]
if SANITIZED:
    skip("the sanitizer's allocator replaces the preloaded one")
allocs = [(n, find_lib(n)) for n in ("libjemalloc.so.2", "libtcmalloc_minimal.so.4")]
allocs = [(n, p) for n, p in allocs if p]
if not allocs:
    skip("neither libjemalloc2 nor libtcmalloc-minimal4 is installed")
for name in ("libjemalloc.so.2", "libtcmalloc_minimal.so.4"):
    if name not in [n for n, _ in allocs]:
        print("note: %s not installed, not tested" % name)

progs = [("contention", [contention, "4", "400", "500"]),
         ("allocstress", [allocstress, "4", "20000"])]
native = run(progs[1][1], env(preload=False), tmpdir()).stdout
for name, path in allocs:
    for order in ("before", "after"):
        for prog, argv in progs:
            d = tmpdir()
            kw = {order: [path]}
            p = run(argv, env(block_rate="1us", mutex_fraction=1, **kw), d)
            what = "%s with %s %s the library" % (prog, name, order)
            if prog == "allocstress":
                check(p.stdout == native, what + ": same output as without the library")
            block, mutex = folded(d + "/block.pprof"), folded(d + "/mutex.pprof")
            check(sum(block.values()) > 0 and sum(mutex.values()) > 0,
                  what + ": both profiles valid, %d block and %d mutex stacks"
                  % (len(block), len(mutex)))
