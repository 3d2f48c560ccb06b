# SPDX-License-Identifier: MIT
"""rocksdb's db_bench (C++: std::mutex, std::condition_variable in its
write path and thread pool, pthread mutexes in its block cache), a small
fillrandom + readrandom in a temporary directory, natively and under
liblockprof: it completes the same way, the profiles are valid, and their
top sites are rocksdb's own functions, with libstdc++'s frames named.
Then a long run stopped by SIGTERM: killed by it both ways, profiles
written first."""
import os
import re
import shutil
import signal
import subprocess
import time

from realtest import (Profile, check, go_pprof, native_env, need, preload_env,
                      profiles_in, run, say, show_top, site_function, terminate, tmpdir,
                      top)

db_bench = need("db_bench", "rocksdb-tools")
# 4 threads; a small write buffer and a one-shard 1 MiB block cache, so
# that reads go through the cache's mutex rather than the memtable.
ARGS = ["--benchmarks=fillrandom,readrandom", "--num=50000", "--reads=50000",
        "--threads=4", "--value_size=100", "--compression_type=none",
        "--cache_size=1048576", "--cache_numshardbits=0",
        "--write_buffer_size=524288", "--progress_reports=false"]


def bench(env, label):
    d = tmpdir(label)
    db = os.path.join(d, "db")
    rc, out, err, secs = run([db_bench, f"--db={db}", *ARGS], 240, env=env, cwd=d)
    shutil.rmtree(db, ignore_errors=True)
    lines = re.findall(r"^(\w+)\s+:.*?(\d+) operations;", out, re.M)
    for line in out.splitlines():
        if "micros/op" in line:
            say(f"{label}: {line.strip()}")
    return rc, lines, err, secs, d


def demangle(names):
    filt = shutil.which("c++filt")
    if not filt or not names:
        return names
    p = subprocess.run([filt], input="\n".join(names), capture_output=True, text=True)
    return p.stdout.split("\n")[:len(names)]


def libstdcxx(path):
    """libstdc++'s mappings in the profile's stacks, and its named frames."""
    prof = Profile.read(path)
    maps = [m for m in prof.mappings.values() if "libstdc++" in m[0]]
    std, seen = set(), False
    for sample in prof.samples:
        frames = prof.file_frames(sample)
        std |= {fn for file, fn in frames if "libstdc++" in file and fn}
        seen |= any("libstdc++" in file for file, _ in frames)
    say(f"    libstdc++ frames: {'yes' if seen else 'none'}; named: {sorted(std)}")
    return (maps if seen else []), std


rc0, ops0, err0, t0, _ = bench(native_env(), "native")
d = tmpdir("profiles")
rc1, ops1, err1, t1, _ = bench(preload_env(d), "lockprof")
check(rc0 == rc1 == 0, f"db_bench: exit {rc0} natively, {rc1} under lockprof")
check(ops0 == ops1 and len(ops1) == 2, f"db_bench: the same benchmarks and operations {ops1}")
check("lockprof" not in err1, "db_bench: no word from lockprof on stderr")
check(profiles_in(d) == ["block.pprof", "mutex.pprof"], "db_bench: both profiles written")
for f in profiles_in(d):
    path = os.path.join(d, f)
    say(f"--- db_bench {f}: {os.path.getsize(path)} bytes")
    t = show_top(path)
    sites = [site_function(s["site"]) for s in t["sites"]]
    say("    sites demangled: " + "; ".join(demangle(sites)))
    # Mangled or demangled, as the CLI shows them.
    check(sites and all(s.startswith(("_ZN7rocksdb", "rocksdb::")) for s in sites[:3]),
          f"db_bench {f}: the top sites are rocksdb's functions")
    if f == "block.pprof":
        maps, std = libstdcxx(path)
        check(maps and all(bid for _, bid in maps),
              f"db_bench: block stacks pass through libstdc++ (std::thread), its build-id kept: {maps}")
    out = go_pprof(path)
    if out is not None:
        check("rocksdb::" in out, f"db_bench {f}: go tool pprof reads it, demangled")
# Stopped by SIGTERM in the middle of a long fillrandom: db_bench leaves
# SIGTERM at its default action, so lockprof writes the profiles, then
# lets the signal kill it: the same status as without the library.
def terminated(preload, label):
    d2 = tmpdir(label)
    env = preload_env(d2) if preload else native_env()
    p = subprocess.Popen([db_bench, f"--db={os.path.join(d2, 'db')}", "--benchmarks=fillrandom",
                          "--num=5000000", "--threads=4", "--progress_reports=false"],
                         env=env, cwd=d2, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    _, err = terminate(p, f"{label}: db_bench")
    shutil.rmtree(os.path.join(d2, "db"), ignore_errors=True)
    return p.returncode, d2


rc0, _ = terminated(False, "sigterm-native")
rc1, d2 = terminated(True, "sigterm")
check(rc0 == rc1 == -signal.SIGTERM,
      f"db_bench stopped by SIGTERM: status {rc0} natively, {rc1} under lockprof")
check(profiles_in(d2) == ["block.pprof", "mutex.pprof"], "SIGTERM: both profiles written")
t = top(os.path.join(d2, "block.pprof"))
check(t["total"]["contentions"] > 0, "SIGTERM: the block profile has the run's waits")

# Debian's libstdc++ keeps only dynamic symbols: std::thread's
# execute_native_thread_routine is a local one, an address above. Its debug
# build (libstdc++6-12-dbg) has a symbol table: lockprof then names it.
dbg = "/usr/lib/x86_64-linux-gnu/debug"
if os.path.exists(os.path.join(dbg, "libstdc++.so.6")):
    d2 = tmpdir("debug-libstdcxx")
    rc2, _, _, _, _ = bench(preload_env(d2, LD_LIBRARY_PATH=dbg), "lockprof, libstdc++ debug build")
    check(rc2 == 0, "db_bench with libstdc++'s debug build: exit 0")
    maps, std = libstdcxx(os.path.join(d2, "block.pprof"))
    check(any(dbg in m for m, _ in maps) and std,
          f"with symbols, lockprof names libstdc++'s frames: {sorted(std)}")
else:
    say("libstdc++'s debug build not installed (libstdc++6-12-dbg): named libstdc++ frames not checked")
say(f"db_bench: {t0:.2f}s natively, {t1:.2f}s under lockprof")
say("PASS")
