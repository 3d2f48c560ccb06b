# SPDX-License-Identifier: MIT
"""Profiles written by Go's runtime: read, ranked and compared like ours,
and `lockprof top` agrees with `go tool pprof -top` on the same files.
argv: GOPROG_MAIN_GO [FIXTURES_DIR]"""
import os
import subprocess
import sys

from clitest import check, close, done, go_env, pprof_agree, run, run_json, tmpdir

main_go = sys.argv[1]
fixtures = sys.argv[2] if len(sys.argv) > 2 else ""
d = tmpdir()
env = go_env(d)
exe = os.path.join(d, "goprog")
p = subprocess.run(["go", "build", "-o", exe, main_go], capture_output=True, text=True, env=env)
if p.returncode:
    print(p.stderr)
    sys.exit(1)


def profiles(name, a):
    out = os.path.join(d, name)
    os.mkdir(out)
    p = subprocess.run([exe, "-a", a, "-b", "2ms", "-rounds", "30", "-dir", out],
                       check=True, capture_output=True, text=True, timeout=120)
    waited = {k: int(v) for k, v in (kv.split("=") for kv in p.stdout.split())}
    return os.path.join(out, "block.pprof"), os.path.join(out, "mutex.pprof"), waited


def measured(a, b, site):
    """The factor between two runs of `site` by the program's own clock."""
    return b[site] / a[site]


base_b, base_m, base_w = profiles("base", "2ms")
same_b, _, same_w = profiles("same", "2ms")
slow_b, slow_m, slow_w = profiles("slow", "4ms")

for f in (base_b, base_m, slow_b):
    pprof_agree(f, env)
if fixtures and os.path.isdir(fixtures):
    for name in ("block.pprof", "mutex.pprof", "block-delta.pprof", "mutex-delta.pprof"):
        pprof_agree(os.path.join(fixtures, name), env)
else:
    print("note: tests/fixtures/go not found: Go 1.19 reference files not compared")

# Go writes no duration_nanos: totals are compared (the default), and
# --per-second is refused.
df = run_json("diff", base_b, slow_b)
rows = df.get("sites", [])
check(df.get("per_second") is False and df.get("rates") is None, "diff of Go profiles compares totals")
p = run("diff", "--per-second", base_b, slow_b, expect=2)
check("no duration_nanos" in p.stderr, f"--per-second of Go profiles: {p.stderr}")
check(rows and rows[0]["site"] == "sync.(*Mutex).Lock in main.waitA", f"Go diff ranks waitA first: {rows}")
if rows:
    close(rows[0]["factor"], measured(base_w, slow_w, "waitA"), 0.05, "Go waitA factor")
# check's verdicts follow what the program measured; a run whose sleeps a
# loaded machine stretched near the 30% line proves nothing either way.
p = run("check", "--max-increase", "30", base_b, slow_b, expect=1)
check("main.waitA" in p.stdout, f"Go check names waitA:\n{p.stdout}")
if measured(base_w, slow_w, "waitB") < 1.2:
    check("main.waitB" not in p.stdout, f"Go check names waitA only:\n{p.stdout}")
if max(measured(base_w, same_w, s) for s in ("waitA", "waitB")) < 1.2:
    run("check", "--max-increase", "30", base_b, same_b, expect=0)
else:
    print(f"note: the two alike runs differed by 20% or more by the program's own clock "
          f"({base_w} vs {same_w}): check of them not judged")

# Go's mutex profile charges the holder's Unlock in main.hold.
mt = run_json("top", base_m)
check(mt.get("kind") == "contention" and mt.get("sites", [{}])[0].get("site") ==
      "sync.(*Mutex).Unlock in main.hold", f"Go mutex top: {mt.get('sites')}")
# Go's profiles do not say their kind: any two compare, as in go tool pprof.
run("diff", base_b, base_m, expect=0)
done()
