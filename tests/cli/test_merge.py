# SPDX-License-Identifier: MIT
"""merge: every file named, never its own input, one run at a time (the
run named by lockprof's comment) unless --force; the docs/baseline.md
recipe keeps the first process's samples."""
import os

from clitest import check, done, run, run_json, tmpdir
from pprof_writer import Profile

d = tmpdir()
W = ["main", "worker", "pthread_mutex_lock"]


def part(name, delay, root=7, start=1000, pid_time=0):
    p = Profile(duration_ns=1_000_000_000, time_ns=10_000_000_000 + pid_time)
    p.comments.append(f"lockprof kind=block root={root} start={start}")
    p.add(W, 1, delay)
    return p.write(os.path.join(d, name))


first = part("block.pprof", 1_000)
part("block.8.pprof", 20_000)
part("block.9.pprof", 300_000)
os.chdir(d)

# The recipe of docs/baseline.md, as written.
run("merge", "-o", "block-all.pprof", "block.pprof", *sorted(f for f in os.listdir(".")
                                                              if f.startswith("block.") and f[6].isdigit()),
    expect=0)
t = run_json("top", "block-all.pprof")
check(t.get("total", {}).get("delay_ns") == 321_000, f"every file merged: {t.get('total')}")
check(t.get("kind") == "block", "the merge says its kind")

# The old recipe's mistake: the output among the inputs is refused, and the
# file is left as it was.
before = open(first, "rb").read()
for args in (["-o", "block.pprof", "block.pprof", "block.8.pprof"],
             ["-o", "./block.pprof", "block.8.pprof", "block.pprof"]):
    p = run("merge", *args, expect=2)
    check(len(p.stderr.splitlines()) == 1 and "one of the inputs" in p.stderr, f"output is an input: {p.stderr!r}")
check(open(first, "rb").read() == before, "block.pprof untouched")
p = run("merge", "-o", "x.pprof", "block.8.pprof", "./block.8.pprof", expect=2)
check("named twice" in p.stderr, f"a file named twice: {p.stderr!r}")

# Two runs in one directory: another root, or the same pid at another start.
part("other-root.pprof", 5, root=99)
part("other-start.pprof", 5, start=2000)
for other in ("other-root.pprof", "other-start.pprof"):
    p = run("merge", "-o", "x.pprof", "block.pprof", other, expect=2)
    check(len(p.stderr.splitlines()) == 1 and "different runs" in p.stderr and "--force" in p.stderr,
          f"{other}: refused: {p.stderr!r}")
    run("merge", "--force", "-o", "x.pprof", "block.pprof", other, expect=0)
# Merged runs name no run; files of one run keep theirs, so merges merge.
run("merge", "-o", "y.pprof", "block-all.pprof", "block.pprof", expect=0)
# A profile that names no run (Go's) merges with any.
Profile(duration_ns=10**9).add(W, 1, 5).write("go.pprof")
run("merge", "-o", "z.pprof", "block.pprof", "go.pprof", expect=0)
done()
