# SPDX-License-Identifier: MIT
"""fork from a multi-threaded program while threads hammer locks; vfork,
posix_spawn and exec with the library still preloaded; daemon(). Every
child finishes, writes block.<pid>.pprof/mutex.<pid>.pprof with its own
samples only, and nobody overwrites the first process's files.
usage: test_fork.py FORKER"""

import os
import time

from safelib import ARGS, SANITIZED, check, env, fail, folded, run, tmpdir, total_with

forker = ARGS[0]


def children(stdout):
    return [int(l.split()[1]) for l in stdout.splitlines() if l.startswith("child ")]


def own_samples_only(d, pid, mine, theirs):
    block = folded("%s/block.%d.pprof" % (d, pid))
    folded("%s/mutex.%d.pprof" % (d, pid))
    if total_with(block, mine) <= 0:
        fail("child %d: no %s samples" % (pid, mine))
    if total_with(block, theirs) > 0:
        fail("child %d: has the parent's %s samples" % (pid, theirs))


modes = [("fork", [forker, "fork", "20"]), ("spawn", [forker, "spawn", forker])]
if SANITIZED:
    # GCC 12's ASan allocator has no fork handlers: a child forked while
    # another thread is in malloc deadlocks in ASan itself, not here.
    # daemon() forks too, with the library's own threads running.
    print("note: multi-threaded fork and daemon() not run under ASan")
    modes = modes[1:]
for mode, argv in modes:
    d = tmpdir()
    p = run(argv, env(block_rate="1us", mutex_fraction=1), d, timeout=240)
    pids = children(p.stdout)
    for pid in pids:
        own_samples_only(d, pid, "child_work", "hammer")
    check(len(pids) >= 9, "%s: %d children finished, each wrote its own profiles"
          % (mode, len(pids)))
    root = folded(d + "/block.pprof")
    check(total_with(root, "hammer") > 0 and total_with(root, "child_work") == 0,
          "%s: the first process's block.pprof is its own" % mode)

if SANITIZED:
    raise SystemExit(0)
d = tmpdir()
p = run([forker, "daemon"], env(block_rate="1us", mutex_fraction=1), d, timeout=60)
pids = children(p.stdout)
check(len(pids) == 1, "daemon: started as %s" % pids)
path = "%s/mutex.%d.pprof" % (d, pids[0])
deadline = time.monotonic() + 60
while not os.path.exists(path) and time.monotonic() < deadline:
    time.sleep(0.1)
own_samples_only(d, pids[0], "child_work", "hammer")
check(not os.path.exists(d + "/block.pprof"),
      "daemon: profiles written by the daemon, none by the parent that left with _exit")
