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
df = run_json("diff", base_path, new_path)
rows = df.get("sites", [])
check(df.get("per_second") is True and df.get("note") is None, "diff compares rates")
check(rows and rows[0]["site"] == "pthread_mutex_lock in worker", f"diff ranks worker first: {rows}")
if rows:
    close(rows[0]["factor"], 2.0, 1e-9, "diff worker factor")
    close(rows[0]["change"], 300_000_000, 1e-9, "diff worker change (ns per s)")
status = {r["site"]: r["status"] for r in rows}
check(status == {"pthread_mutex_lock in worker": "changed", "pthread_cond_wait in logger": "same",
                 "pthread_mutex_lock in helper": "gone", "pthread_rwlock_wrlock in cache": "new"},
      f"diff statuses: {status}")
text = run("diff", base_path, new_path, expect=0).stdout
check("x2.00" in text and "gone" in text and "new" in text, f"diff text:\n{text}")

nd = run_json("diff", nodur, nodur)
check(nd.get("per_second") is False and "no duration_nanos" in (nd.get("note") or ""),
      "diff without durations compares totals and says so")

# --- check -------------------------------------------------------------
p = run("check", "--max-increase", "50", base_path, new_path, expect=1)
check("pthread_mutex_lock in worker" in p.stdout and "FAIL" in p.stdout, f"check output:\n{p.stdout}")
# The new site (50 ms/s) is under a 100 ms/s floor; worker's +100% is within 150%.
run("check", "--max-increase", "150", "--min-delay", "100ms", base_path, new_path, expect=0)
run("check", "--max-increase", "150", "--min-delay", "10ms", base_path, new_path, expect=1)
run("check", "--max-increase", "0", base_path, base_path, expect=0)
cj = run_json("check", "--max-increase", "50", base_path, new_path, expect=1)
check(cj.get("ok") is False and {r["site"] for r in cj.get("regressions", [])} ==
      {"pthread_mutex_lock in worker", "pthread_rwlock_wrlock in cache"}, f"check --json: {cj}")
run("check", "--max-increase", "50", "--type", "contentions", base_path, new_path, expect=1)

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
run("diff", "-o", dpath, base_path, new_path, expect=0)
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

# --- kinds -------------------------------------------------------------
mutex = Profile(duration_ns=1_000_000_000)
mutex.comments.append("kind=mutex")
mutex.add(["main", "worker"], 3, 1_000_000)
mpath = mutex.write(os.path.join(d, "m.pprof"))
for cmd in (["diff"], ["check", "--max-increase", "10"]):
    p = run(*cmd, base_path, mpath, expect=2)
    check("block profile" in p.stderr and "mutex profile" in p.stderr, f"kind mismatch: {p.stderr}")
run("merge", "-o", os.path.join(d, "x.pprof"), base_path, mpath, expect=2)

# --help on every command, exit 0, mentions its options.
for cmd, opt in [("top", "--by"), ("diff", "-o"), ("check", "--max-increase"),
                 ("folded", "--type"), ("flame", "--base"), ("merge", "-o")]:
    p = run(cmd, "--help", expect=0)
    check(opt in p.stdout and p.stdout.startswith("usage: lockprof " + cmd), f"{cmd} --help")
done()
