# SPDX-License-Identifier: MIT
"""Site keys and the forms of a difference: --by line relative to the
source root (two checkouts match), --full-paths; folded --diff (the two
columns of difffolded.pl); flame of a diff -o profile draws the stacks that
shrank."""
import os
import xml.etree.ElementTree as ET

from clitest import check, done, run, run_json, tmpdir
from pprof_writer import Profile

d = tmpdir()
W, L = ["main", "worker", "pthread_mutex_lock"], ["main", "logger", "pthread_cond_wait"]


def checkout(root, name, worker, logger):
    p = Profile(duration_ns=10**9)
    p.files = {"worker": root + "/build/../src/worker.c", "logger": root + "/src/log/logger.c",
               "main": root + "/src/main.c", "pthread_mutex_lock": "/usr/include/pthread.h"}
    p.add(W, 10, worker).add(L, 10, logger)
    return p.write(os.path.join(d, name))


a = checkout("/home/ci/job1/app", "a.pprof", 300, 300)
b = checkout("/srv/build/other/app", "b.pprof", 600, 150)
sites = [s["site"] for s in run_json("top", "--by", "line", a).get("sites", [])]
check(set(sites) == {"pthread_cond_wait in logger (log/logger.c:15)", "pthread_mutex_lock in worker (worker.c:12)"},
      f"--by line: relative to the source root: {sites}")
full = [s["site"] for s in run_json("top", "--by", "line", "--full-paths", a).get("sites", [])]
check("pthread_mutex_lock in worker (/home/ci/job1/app/src/worker.c:12)" in full, f"--full-paths: {full}")
df = run_json("diff", "--by", "line", a, b)
st = {r["site"]: r["status"] for r in df.get("sites", [])}
check(set(st.values()) == {"changed"} and len(st) == 2, f"two checkouts compare line by line: {st}")

# folded --diff: both values per stack, BASE's first, sorted by stack.
out = run("folded", "--diff", a, b, expect=0).stdout
check(out == "main;logger;pthread_cond_wait 300 150\nmain;worker;pthread_mutex_lock 300 600\n",
      f"folded --diff:\n{out}")
c = Profile(duration_ns=2 * 10**9).add(W, 10, 600)
cp = c.write(os.path.join(d, "c.pprof"))
out = run("folded", "--diff", "--per-second", cp, b, expect=0).stdout
check(out == "main;logger;pthread_cond_wait 0 150\nmain;worker;pthread_mutex_lock 300 600\n",
      f"folded --diff --per-second scales BASE to NEW's duration:\n{out}")

# flame of a profile of differences: the logger's shrinking is drawn, blue.
dp = os.path.join(d, "d.pprof")
run("diff", "-o", dp, a, b, expect=0)
svg = os.path.join(d, "d.svg")
run("flame", "-o", svg, dp, expect=0)
NS = "{http://www.w3.org/2000/svg}"
frames = {}
for g in ET.parse(svg).getroot().iter(NS + "g"):
    frames[g.find(NS + "title").text.split(":")[0]] = (float(g.find(NS + "rect").get("width")),
                                                       g.find(NS + "rect").get("fill"))
check("logger" in frames and "worker" in frames, f"both stacks drawn: {list(frames)}")
if "logger" in frames and "worker" in frames:
    check(abs(frames["worker"][0] / frames["logger"][0] - 2) < 0.01, f"widths are the changes: {frames}")
    lr, lg, lb = map(int, frames["logger"][1][4:-1].split(","))
    wr, wg, wb = map(int, frames["worker"][1][4:-1].split(","))
    check(lb == 255 and lr < 200 and wr == 255 and wb < 200, f"shrank blue, grew red: {frames}")
# --by lock|thread|wait: the samples' labels, summed across stacks; a
# sample without the label is a site of its own.
lp = Profile(duration_ns=10**9)
lp.add(W, 3, 300, labels={"lock": "accounts_lock", "thread": "worker-1", "wait": "1ms-10ms"})
lp.add(["main", "audit", "pthread_mutex_lock"], 1, 200,
       labels={"lock": "accounts_lock", "thread": "auditor", "wait": "100us-1ms"})
lp.add(L, 2, 50, labels={"lock": "log_ready", "thread": "worker-1", "wait": "1ms-10ms"})
lp.add(["main", "other", "pthread_mutex_lock"], 1, 7)
labelled = lp.write(os.path.join(d, "labels.pprof"))
for by, want in (("lock", {"accounts_lock": 500, "log_ready": 50, "[no lock label]": 7}),
                 ("thread", {"worker-1": 350, "auditor": 200, "[no thread label]": 7}),
                 ("wait", {"1ms-10ms": 350, "100us-1ms": 200, "[no wait label]": 7})):
    t = run_json("top", "--by", by, labelled)
    got = {s["site"]: s["delay_ns"] for s in t.get("sites", [])}
    check(got == want and t.get("by") == by, f"--by {by}: {got}")
check(run("top", "--by", "mutex", labelled, expect=2).stderr.startswith("lockprof top: bad --by 'mutex'"),
      "--by of no known key is refused")
done()
