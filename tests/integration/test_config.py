# SPDX-License-Identifier: MIT
"""Configuration through the environment: defaults, units, bad values (one
stderr line each, the default used, the program unharmed), LOCKPROF=0,
profiles off but files still written, the stack-depth and stack-table
limits, unwritable directories, and the headers Go writes.

usage: test_config.py SELFTIMED"""

import os
import sys

import lptest


def run_site(prog, extra, sites="wait_mutex"):
    d = lptest.tmpdir()
    env = lptest.preload_env(dict({"LOCKPROF_DIR": d}, **extra))
    p = lptest.run([prog, "40", sites], env=env, check_rc=False)
    return p, d


def main():
    prog = os.path.abspath(sys.argv[1])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")

    p, d = run_site(prog, dict(lptest.RECORD_ALL))
    lptest.check(p.returncode == 0 and p.stderr == "", "a good configuration says nothing")
    raw = lptest.run(["go", "tool", "pprof", "-raw", os.path.join(d, "block.pprof")]).stdout
    lptest.check("PeriodType: contentions count" in raw and "Period: 1" in raw
                 and "contentions/count delay/nanoseconds" in raw,
                 "sample types and period type are Go's")
    lptest.check("Duration:" in raw, "duration_nanos is set")
    lptest.check("selftimed.c:" in raw, "locations carry source file:line from DWARF")
    listing = lptest.run(["go", "tool", "pprof", "-list", "^wait_mutex$",
                          os.path.join(d, "block.pprof")]).stdout
    lptest.check("pthread_mutex_lock(&s->mutex);" in listing,
                 "go tool pprof -list shows the waiting source line")

    bad = {"LOCKPROF_BLOCK_RATE": "fast", "LOCKPROF_MUTEX_FRACTION": "-3",
           "LOCKPROF_STACK_DEPTH": "9999", "LOCKPROF_MAX_STACKS": "many", "LOCKPROF": "yes"}
    p, d = run_site(prog, bad)
    lines = p.stderr.splitlines()
    print("\n".join(lines))
    lptest.check(p.returncode == 0, "bad values: the program runs on and exits 0")
    lptest.check(len(lines) == len(bad), "one stderr line per bad variable")
    for name, value in bad.items():
        line = [l for l in lines if ("%s='%s'" % (name, value)) in l]
        lptest.check(len(line) == 1 and "using" in line[0],
                     "%s: the line names the variable, the value and the default" % name)
    lptest.check(lptest.go_raw(os.path.join(d, "block.pprof")).total(1) > 0,
                 "bad values: profiling goes on with the defaults")

    p, d = run_site(prog, {"LOCKPROF": "0", "LOCKPROF_BLOCK_RATE": "1"})
    lptest.check(p.returncode == 0 and os.listdir(d) == [] and p.stderr == "",
                 "LOCKPROF=0 records and writes nothing")

    p, d = run_site(prog, {"LOCKPROF_BLOCK_RATE": "0", "LOCKPROF_MUTEX_FRACTION": "0"})
    for kind in ("block", "mutex"):
        prof = lptest.agree(os.path.join(d, "%s.pprof" % kind))
        lptest.check(prof.samples == [], "profiling off: %s.pprof written, empty" % kind)

    p, d = run_site(prog, {"LOCKPROF_BLOCK_RATE": "2ms", "LOCKPROF_MUTEX_FRACTION": "0"})
    lptest.check(p.stderr == "", "durations take units (2ms)")

    p, d = run_site(prog, {"LOCKPROF_BLOCK_RATE": "1", "LOCKPROF_STACK_DEPTH": "2"})
    prof = lptest.agree(os.path.join(d, "block.pprof"))
    lptest.check(all(len(prof.stack(s)) <= 3 for s in prof.samples) and
                 any(prof.stack(s)[-1] == "[lockprof: truncated stack]" for s in prof.samples),
                 "LOCKPROF_STACK_DEPTH=2: two frames and a truncation mark at the root")

    p, d = run_site(prog, {**lptest.RECORD_ALL,
                           "LOCKPROF_MAX_STACKS": "1"}, "wait_mutex,wait_sem,wait_cond")
    full = lptest.agree(os.path.join(d, "block.pprof"))
    overflow = [s for s in full.samples if full.stack(s) == ["[lockprof: stack table full]"]]
    lptest.check(len(full.samples) == 2 and len(overflow) == 1,
                 "LOCKPROF_MAX_STACKS=1: one stack, the rest in one overflow sample")
    truth = sum(int(line.split()[3]) for line in p.stdout.splitlines())
    lptest.check(lptest.within(full.total(1), truth, 0.10),
                 "the totals stay right past the limit")

    d = lptest.tmpdir()
    env = lptest.preload_env({"LOCKPROF_DIR": os.path.join(d, "missing"), "LOCKPROF_BLOCK_RATE": "1"})
    p = lptest.run([prog, "10", "wait_mutex"], env=env, check_rc=False)
    lines = p.stderr.splitlines()
    print("\n".join(lines))
    lptest.check(p.returncode == 0, "unwritable directory: exit status unchanged")
    lptest.check(len(lines) == 1 and lines[0].startswith("lockprof: cannot write"),
                 "unwritable directory: one line on stderr")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
