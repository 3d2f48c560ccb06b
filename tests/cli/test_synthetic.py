# SPDX-License-Identifier: MIT
"""Known answers on profiles encoded by the test itself: every number the
commands print is computed here independently."""
import gzip
import os
import shutil
import subprocess

from clitest import check, close, done, run, run_json, tmpdir
from pprof_writer import Profile

d = tmpdir()
W, L, H = (["main", "worker", "pthread_mutex_lock"],
           ["main", "logger", "pthread_cond_wait"],
           ["main", "worker", "helper", "pthread_mutex_lock"])
C = ["main", "cache", "pthread_rwlock_wrlock"]

base = Profile(duration_ns=2_000_000_000)
base.add(W, 30, 600_000_000).add(L, 10, 300_000_000).add(H, 5, 100_000_000)
base_path = base.write(os.path.join(d, "base.pprof"))

# NEW lasts 1 s: worker's total is unchanged, so its rate doubles; logger's
# rate is unchanged; helper vanished; cache appeared.
new = Profile(duration_ns=1_000_000_000)
new.add(W, 30, 600_000_000).add(L, 5, 150_000_000).add(C, 2, 50_000_000)
new_path = new.write(os.path.join(d, "new.pprof"))

# --- top ---------------------------------------------------------------
t = run_json("top", base_path)
sites = {s["site"]: s for s in t.get("sites", [])}
check(list(sites) == ["pthread_mutex_lock in worker", "pthread_cond_wait in logger",
                      "pthread_mutex_lock in helper"], f"top sites/order: {list(sites)}")
w = sites.get("pthread_mutex_lock in worker", {})
check(w.get("delay_ns") == 600_000_000 and w.get("contentions") == 30, f"top worker values: {w}")
close(w.get("share"), 0.6, 1e-9, "top worker share")
close(w.get("avg_wait_ns"), 20_000_000, 1e-9, "top worker average wait")
close(w.get("delay_ns_per_s"), 300_000_000, 1e-9, "top worker delay per second")
close(w.get("contentions_per_s"), 15, 1e-9, "top worker contentions per second")
close(t.get("total", {}).get("delay_ns_per_s"), 500_000_000, 1e-9, "top total per second")
check(t.get("duration_ns") == 2_000_000_000, "top duration")

leaf = run_json("top", "--by", "leaf", base_path)
check([(s["site"], s["delay_ns"]) for s in leaf.get("sites", [])] ==
      [("pthread_mutex_lock", 700_000_000), ("pthread_cond_wait", 300_000_000)],
      f"top --by leaf: {leaf.get('sites')}")
stack = run_json("top", "--by", "stack", base_path)
check(stack.get("sites", [{}])[0].get("site") == "main;worker;pthread_mutex_lock",
      f"top --by stack: {stack.get('sites')}")
line = run("top", "--by", "line", base_path, expect=0).stdout
check("pthread_mutex_lock in worker (app/worker.c:" in line, f"top --by line:\n{line}")
cont = run_json("top", "--type", "contentions", "-n", "1", base_path)
check(len(cont.get("sites", [])) == 1 and cont.get("sites_total") == 3, "top -n 1")
close(cont["sites"][0]["share"], 30 / 45, 1e-9, "top --type contentions share")
text = run("top", "-n", "1", base_path, expect=0).stdout
check("(2 more sites: 40.0% of delay)" in text and "300.0ms/s" in text, f"top text:\n{text}")

# A file without duration_nanos says so and prints no rates.
nodur = Profile().add(W, 1, 5_000_000).write(os.path.join(d, "nodur.pprof"))
text = run("top", nodur, expect=0).stdout
check("not recorded" in text and "delay/s" not in text, f"top without duration:\n{text}")
check(run_json("top", nodur).get("total", {}).get("delay_ns_per_s", 0) is None,
      "top --json without duration: null rates")

# --- diff --------------------------------------------------------------
# Totals by default: worker is unchanged, logger halved.
df = run_json("diff", base_path, new_path)
rows = df.get("sites", [])
check(df.get("per_second") is False and df.get("note") is None, "diff compares totals")
check(df.get("totals", {}).get("new", {}).get("delay_ns") == 800_000_000, f"diff totals: {df.get('totals')}")
close(df.get("rates", {}).get("new", {}).get("delay_ns"), 800_000_000, 1e-9, "diff rates of NEW (1 s)")
close(df.get("rates", {}).get("base", {}).get("delay_ns"), 500_000_000, 1e-9, "diff rates of BASE (2 s)")
status = {r["site"]: r["status"] for r in rows}
check(status == {"pthread_mutex_lock in worker": "same", "pthread_cond_wait in logger": "changed",
                 "pthread_mutex_lock in helper": "gone", "pthread_rwlock_wrlock in cache": "new"},
      f"diff statuses (totals): {status}")
text = run("diff", base_path, new_path, expect=0).stdout
check("Total delay: 1.000s -> 800.0ms" in text and "Delay per second: 500.0ms/s -> 800.0ms/s" in text
      and "Note:" not in text and "4 sites:" in text, f"diff text prints both:\n{text}")

# --per-second: worker's rate doubles, logger's is unchanged.
df = run_json("diff", "--per-second", base_path, new_path)
rows = df.get("sites", [])
check(df.get("per_second") is True, "diff --per-second compares rates")
check(rows and rows[0]["site"] == "pthread_mutex_lock in worker", f"diff ranks worker first: {rows}")
if rows:
    close(rows[0]["factor"], 2.0, 1e-9, "diff worker factor")
    close(rows[0]["change"], 300_000_000, 1e-9, "diff worker change (ns per s)")
status = {r["site"]: r["status"] for r in rows}
check(status == {"pthread_mutex_lock in worker": "changed", "pthread_cond_wait in logger": "same",
                 "pthread_mutex_lock in helper": "gone", "pthread_rwlock_wrlock in cache": "new"},
      f"diff statuses: {status}")
text = run("diff", "--per-second", base_path, new_path, expect=0).stdout
check("x2.00" in text and "gone" in text and "new" in text, f"diff text:\n{text}")

# Durations more than 2x apart: one line says so, unless --per-second.
long_ = Profile(duration_ns=5_000_000_000).add(W, 30, 600_000_000)
long_path = long_.write(os.path.join(d, "long.pprof"))
text = run("diff", base_path, long_path, expect=0).stdout
notes = [x for x in text.splitlines() if x.startswith("Note:")]
check(len(notes) == 1 and "--per-second" in notes[0] and "x2.5" in notes[0], f"diff 2.5x note:\n{text}")
check("Note:" not in run("diff", "--per-second", base_path, long_path, expect=0).stdout,
      "no note with --per-second")
check("note: " in run("check", "--max-increase", "10", base_path, long_path).stdout, "check notes 2.5x too")

nd = run_json("diff", nodur, nodur)
check(nd.get("per_second") is False and nd.get("note") is None and nd.get("rates") is None,
      "diff without durations compares totals")
p = run("diff", "--per-second", nodur, base_path, expect=2)
check("no duration_nanos" in p.stderr and len(p.stderr.splitlines()) == 1, f"--per-second needs durations: {p.stderr}")

# --- check -------------------------------------------------------------
p = run("check", "--per-second", "--max-increase", "50", base_path, new_path, expect=1)
check("pthread_mutex_lock in worker" in p.stdout and "FAIL: 3 regressions" in p.stdout,
      f"check output:\n{p.stdout}")
# The new site (50 ms/s) is under a 100 ms/s floor; worker's +100% is within 150%.
run("check", "--per-second", "--max-increase", "150", "--min-delay", "100ms", base_path, new_path, expect=0)
run("check", "--per-second", "--max-increase", "150", "--min-delay", "10ms", base_path, new_path, expect=1)
run("check", "--max-increase", "0", base_path, base_path, expect=0)
cj = run_json("check", "--per-second", "--max-increase", "50", base_path, new_path, expect=1)
check(cj.get("ok") is False and {r["site"] for r in cj.get("regressions", [])} ==
      {"pthread_mutex_lock in worker", "pthread_rwlock_wrlock in cache"}, f"check --json: {cj}")
run("check", "--per-second", "--max-increase", "50", "--type", "contentions", base_path, new_path, expect=1)
# In totals only the new site grew: one regression, said in the singular.
p = run("check", "--max-increase", "50", base_path, new_path, expect=1)
check("FAIL: 1 regression beyond" in p.stdout and "cache" in p.stdout, f"check totals:\n{p.stdout}")

# A fixed-work regression of +70%: the same work took longer, so the rate
# of a saturated lock hardly moved (4 threads waiting all the time: 3.4 s/s
# both), but the total grew by 70%. Totals fail it; rates would not.
fixed_b = Profile(duration_ns=570_000_000).add(W, 1000, 1_940_000_000)
fixed_n = Profile(duration_ns=950_000_000).add(W, 2000, 3_298_000_000)
fb, fn = fixed_b.write(os.path.join(d, "fixed-base.pprof")), fixed_n.write(os.path.join(d, "fixed-new.pprof"))
p = run("check", "--max-increase", "20", "--min-delay", "20ms", fb, fn, expect=1)
check("total delay: 1.940s -> 3.298s (+70.0%)" in p.stdout, f"fixed-work regression fails check:\n{p.stdout}")
run("check", "--per-second", "--max-increase", "20", "--min-delay", "20ms", fb, fn, expect=0)
# Runs of equal length: --per-second fails the same +70%.
eq_n = Profile(duration_ns=570_000_000).add(W, 2000, 3_298_000_000)
en = eq_n.write(os.path.join(d, "equal-new.pprof"))
p = run("check", "--per-second", "--max-increase", "20", "--min-delay", "20ms", fb, en, expect=1)
check("(+70.0%)" in p.stdout and "/s" in p.stdout, f"per-second regression of equal runs:\n{p.stdout}")

# --- folded ------------------------------------------------------------
out = run("folded", base_path, expect=0).stdout
check(out == "main;logger;pthread_cond_wait 300000000\n"
             "main;worker;helper;pthread_mutex_lock 100000000\n"
             "main;worker;pthread_mutex_lock 600000000\n", f"folded:\n{out}")
out = run("folded", "--type", "contentions", base_path, expect=0).stdout
check("main;worker;pthread_mutex_lock 30\n" in out, f"folded contentions:\n{out}")
# Plain (not gzip) and standard input read the same.
plain = base.write(os.path.join(d, "plain.pprof"), compress=False)
with open(plain, "rb") as f:
    p = subprocess.run([os.environ["LOCKPROF_CLI"], "folded", "-"], stdin=f, capture_output=True, text=True)
check(p.returncode == 0 and p.stdout == run("folded", base_path).stdout, "folded of plain protobuf on stdin")

# --- diff -o: NEW minus BASE scaled to NEW's duration --------------------
dpath = os.path.join(d, "diff.pprof")
run("diff", "--per-second", "-o", dpath, base_path, new_path, expect=0)
out = run("folded", dpath, expect=0).stdout
check(out == "main;cache;pthread_rwlock_wrlock 50000000\n"
             "main;worker;helper;pthread_mutex_lock -50000000\n"
             "main;worker;pthread_mutex_lock 300000000\n", f"diff -o folded:\n{out}")

# --- merge: per-process files, each binary at its own load address -------
p1 = Profile(duration_ns=1_000_000_000, time_ns=10_000_000_000, mapping_start=0x555500000000)
p1.add(W, 3, 30_000_000).add(L, 1, 10_000_000)
p2 = Profile(duration_ns=1_000_000_000, time_ns=10_500_000_000, mapping_start=0x561200000000)
p2.add(W, 4, 40_000_000).add(C, 1, 5_000_000)
a, b = p1.write(os.path.join(d, "block.1.pprof")), p2.write(os.path.join(d, "block.2.pprof"))
m = os.path.join(d, "merged.pprof")
run("merge", "-o", m, a, b, expect=0)
out = run("folded", m, expect=0).stdout
check(out == "main;cache;pthread_rwlock_wrlock 5000000\n"
             "main;logger;pthread_cond_wait 10000000\n"
             "main;worker;pthread_mutex_lock 70000000\n", f"merge folded:\n{out}")
mt = run_json("top", m)
check(mt.get("duration_ns") == 1_500_000_000, f"merged duration spans both: {mt.get('duration_ns')}")
raw = gzip.decompress(open(m, "rb").read())
check(raw.count(b"/opt/app/app") == 1, "merged profile has one mapping of the binary")
if shutil.which("go"):
    r = subprocess.run(["go", "tool", "pprof", "-raw", m], capture_output=True, text=True)
    check(r.returncode == 0 and "70000000" in r.stdout, f"go tool pprof reads the merge: {r.stderr}")
    r = subprocess.run(["go", "tool", "pprof", "-top", dpath], capture_output=True, text=True)
    check(r.returncode == 0 and "300ms" in r.stdout, f"go tool pprof reads diff -o: {r.stdout}{r.stderr}")
else:
    print("note: go not installed: go tool pprof checks of merge/diff -o skipped")

# --- kinds: said by a "lockprof kind=..." comment, as lockprof writes -------
def kind_profile(kind, name):
    p = Profile(duration_ns=1_000_000_000)
    if kind:
        p.comments.append(f"lockprof kind={kind} root=42 start=1000")
    p.add(["main", "worker"], 3, 1_000_000)
    return p.write(os.path.join(d, name))


bpath, mpath = kind_profile("block", "kb.pprof"), kind_profile("mutex", "km.pprof")
hpath, gpath = kind_profile("hold", "kh.pprof"), kind_profile(None, "kg.pprof")
for cmd in (["diff"], ["check", "--max-increase", "10"], ["flame", "--base"], ["folded", "--diff"],
            ["merge", "-o", os.path.join(d, "x.pprof")]):
    p = run(*cmd, bpath, mpath, expect=2)
    check(p.stderr.count("\n") == 1 and "block profile" in p.stderr and "mutex profile" in p.stderr
          and "one kind" in p.stderr, f"{cmd[0]}: kind mismatch refused: {p.stderr!r}")
    run(*cmd, mpath, hpath, expect=2)
    # A profile that does not say its kind (Go's) goes with any.
    run(*cmd, bpath, gpath, expect=0)
    run(*cmd, gpath, gpath, expect=0 if cmd[0] != "merge" else 2)
check(run_json("top", gpath).get("kind") == "contention", "no comment: kind contention")
check(run_json("top", hpath).get("kind") == "hold", "a kind lockprof does not know yet is shown")
check("Type: mutex profile, 1 site by function" in run("top", mpath).stdout, "top: kind, one site")
# The CLI's own outputs say the kind.
run("merge", "-o", os.path.join(d, "mb.pprof"), bpath, expect=0)
check(run_json("top", os.path.join(d, "mb.pprof")).get("kind") == "block", "merge writes the kind")
run("diff", "-o", os.path.join(d, "db.pprof"), bpath, bpath, expect=0)
check(run_json("top", os.path.join(d, "db.pprof")).get("kind") == "block", "diff -o writes the kind")

# --help on every command, exit 0, mentions its options.
for cmd, opt in [("top", "--by"), ("diff", "-o"), ("check", "--max-increase"),
                 ("folded", "--type"), ("flame", "--base"), ("merge", "-o")]:
    p = run(cmd, "--help", expect=0)
    check(opt in p.stdout and p.stdout.startswith("usage: lockprof " + cmd), f"{cmd} --help")
# --- sites: only lock and wait wrappers are skipped ------------------------
# The C++ standard library's lock wrappers are part of the primitive; other
# std:: functions hold the program's code (a lambda inlined into
# std::thread's invoker), so a site can be one of them.
cxx = Profile(duration_ns=1_000_000_000)
cxx.add(["start_thread", "std::thread::_State_impl<L>::_M_run", "Hidden::go",
         "std::lock_guard<std::mutex>::lock_guard", "std::mutex::lock",
         "__gthread_mutex_lock", "pthread_mutex_lock"], 3, 30_000_000)
cxx.add(["start_thread", "std::thread::_State_impl<L>::_M_run",
         "std::condition_variable::wait", "pthread_cond_wait"], 2, 20_000_000)
t = run_json("top", cxx.write(os.path.join(d, "cxx.pprof")))
check([s["site"] for s in t.get("sites", [])] ==
      ["std::lock_guard<std::mutex>::lock_guard in Hidden::go",
       "std::condition_variable::wait in std::thread::_State_impl<L>::_M_run"],
      f"sites skip only lock and wait wrappers: {[s['site'] for s in t.get('sites', [])]}")

done()
