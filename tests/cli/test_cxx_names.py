# SPDX-License-Identifier: MIT
"""C++ function names, kept mangled in the profiles our library writes, are
shown as `go tool pprof` shows them: demangled, without parameters,
template arguments or return type, in every command; and `lockprof top
--by leaf` agrees with `go tool pprof -top` on such a profile (skipped
without go)."""
import os
import subprocess

from clitest import check, done, go_env, pprof_agree, run, run_json, tmpdir
from pprof_writer import Profile

d = tmpdir()
METHOD_I = "_ZN2ns5Class6methodEi"       # ns::Class::method(int)
METHOD_D = "_ZNK2ns5Class6methodEd"      # ns::Class::method(double) const
WAIT = "_ZL14cxx_mutex_waitR6result"    # cxx_mutex_wait(result&), static
LOCK = "_ZNSt5mutex4lockEv"              # std::mutex::lock()
LAMBDA = "_ZZ5outeriENKUliE_clEi"        # outer(int)::{lambda(int)#1}::operator()(int) const
ANON = "_ZN12_GLOBAL__N_16Hidden2goEv"   # (anonymous namespace)::Hidden::go()
TMPL = "_ZN2ns4TmplISt6vectorIiSaIiEEE3runEv"  # ns::Tmpl<std::vector<int, ...> >::run()
RET = "_ZN2ns3maxIiEET_S1_S1_"           # int ns::max<int>(int, int)
SHOWN = {METHOD_I: "ns::Class::method", METHOD_D: "ns::Class::method",
         WAIT: "cxx_mutex_wait", LOCK: "std::mutex::lock",
         LAMBDA: "outer(int)::{lambda(int)#1}::operator()",
         ANON: "(anonymous namespace)::Hidden::go", TMPL: "ns::Tmpl::run", RET: "ns::max"}
STACKS = [(["main", METHOD_I, LOCK, "pthread_mutex_lock"], 3, 300_000_000),
          (["main", WAIT, "pthread_mutex_lock"], 2, 200_000_000),
          (["main", METHOD_D, LOCK, "pthread_mutex_lock"], 1, 100_000_000),
          # C++ leaves, as `top --by leaf` and pprof's flat column see them
          (["main", LAMBDA], 4, 40_000_000), (["main", ANON], 5, 50_000_000),
          (["main", TMPL], 6, 60_000_000), (["main", RET], 7, 70_000_000)]


def profile(name, show):
    p = Profile(duration_ns=10**9)
    for stack, n, delay in STACKS:
        p.add([show(f) for f in stack], n, delay)
    return p.write(os.path.join(d, name))


mangled = profile("mangled.pprof", lambda f: f)
plain = profile("plain.pprof", lambda f: SHOWN.get(f, f))

t = run_json("top", "-n", "0", mangled)
sites = {s["site"]: s["delay_ns"] for s in t.get("sites", [])}
check(sites.get("std::mutex::lock in ns::Class::method") == 400_000_000,
      f"top: both overloads of ns::Class::method are one site: {sites}")
check(sites.get("pthread_mutex_lock in cxx_mutex_wait") == 200_000_000,
      f"top: cxx_mutex_wait demangled: {sites}")
check(not any("_Z" in s for s in sites), f"top: no mangled names left: {list(sites)}")
table = run("top", mangled, expect=0).stdout
check("std::mutex::lock in ns::Class::method" in table and "_Z" not in table,
      f"top table shows demangled names:\n{table}")

leaves = run_json("top", "--by", "leaf", "-n", "0", mangled).get("sites", [])
check({s["site"] for s in leaves} == {"pthread_mutex_lock", *(SHOWN[f] for f in (LAMBDA, ANON, TMPL, RET))},
      f"top --by leaf: {[s['site'] for s in leaves]}")

folded = run("folded", mangled, expect=0).stdout.splitlines()
check("main;ns::Class::method;std::mutex::lock;pthread_mutex_lock 400000000" in folded,
      f"folded: ns::Class::method's stacks are one line: {folded}")
check("main;cxx_mutex_wait;pthread_mutex_lock 200000000" in folded, f"folded: {folded}")
check("main;outer(int)::{lambda(int)#1}::operator() 40000000" in folded, f"folded lambda: {folded}")

# The same sites whether the writer left names mangled or not.
df = run_json("diff", "-n", "0", plain, mangled)
check(df.get("sites") and all(s["status"] == "same" for s in df["sites"]),
      f"diff plain vs mangled: {df.get('sites')}")
run("check", "--max-increase", "0", plain, mangled, expect=0)
svg = os.path.join(d, "flame.svg")
run("flame", "-o", svg, mangled, expect=0)
with open(svg, encoding="utf-8") as f:
    text = f.read()
check("ns::Class::method" in text and "_Z" not in text, "flame shows demangled names")

# Go's tooling: the same names as pprof -top, and a profile rewritten by
# pprof (demangled names beside the mangled system names) compares equal.
env = go_env(d)
pprof_agree(mangled, env)
rewritten = os.path.join(d, "rewritten.pb.gz")
with open(rewritten, "wb") as out:
    subprocess.run(["go", "tool", "pprof", "-proto", mangled], stdout=out, env=env, check=True)
df = run_json("diff", "-n", "0", rewritten, mangled)
check(df.get("sites") and all(s["status"] == "same" for s in df["sites"]),
      f"diff pprof-rewritten vs ours: {df.get('sites')}")
done()
