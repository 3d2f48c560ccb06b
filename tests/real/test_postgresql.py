# SPDX-License-Identifier: MIT
"""PostgreSQL from Debian under pgbench, the postmaster started under the
library at record-all (issue 15). Backends wait for lightweight locks in
sem_wait on semaphores in shared memory and are woken by the backend that
releases the lock (sem_post): every client backend's mutex profile holds
charges, the mutex totals of all processes add up to their block totals
within 10%, and PostgreSQL's release path (LWLockRelease, the function that
posts) is at the top of the merged mutex profile. Bounded in time; the
server listens on a unix socket in a temporary directory only."""
import glob
import os
import pwd
import subprocess
import time

import testlib
from realtest import (CLI, check, fail, go_pprof, preload_env, say, show_top, skip,
                      tmpdir, top)

BINDIR = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
if not BINDIR:
    skip("PostgreSQL not found: install Debian package postgresql (apt-get install postgresql)")
BIN = os.path.dirname(BINDIR[-1])
PGBENCH = os.path.join(BIN, "pgbench")
PSQL = "/usr/bin/psql" if os.path.exists("/usr/bin/psql") else os.path.join(BIN, "psql")
if not os.path.exists(PGBENCH):
    skip(f"{PGBENCH} not found: install Debian package postgresql-contrib or postgresql")

CLIENTS, SECONDS = 8, 10


def server_user():
    """PostgreSQL refuses to run as root: as root, the server runs as the
    user Debian's package made (postgres)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        skip("running as root and there is no user postgres to run the server as")


def as_user(user):
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def run(cmd, timeout, **kw):
    try:
        p = subprocess.run(cmd, timeout=timeout, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired:
        fail(f"{cmd[0]} still running after {timeout}s")
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()[:800]}")
    return p.stdout


def main():
    user = server_user()
    d = tmpdir("pgbench")
    data, sock, prof = (os.path.join(d, x) for x in ("data", "sock", "prof"))
    for x in (sock, prof):
        os.makedirs(x)
    if user is not None:
        for x in (d, sock, prof):
            os.chown(x, user.pw_uid, user.pw_gid)
    native = {k: v for k, v in os.environ.items()
              if k != "LD_PRELOAD" and not k.startswith("LOCKPROF_")}
    run([os.path.join(BIN, "initdb"), "-D", data, "--auth=trust", "-U", "postgres",
         "--no-sync"], 120, env=native, cwd=d, **as_user(user))
    port = "5432"
    env = preload_env(prof, LOCKPROF_BLOCK_RATE=1, LOCKPROF_MUTEX_FRACTION=1)
    server = subprocess.Popen(
        [os.path.join(BIN, "postgres"), "-D", data, "-k", sock, "-p", port,
         "-c", "listen_addresses=", "-c", "fsync=off", "-c", "max_connections=20"],
        env=env, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, **as_user(user))
    try:
        client = ["-h", sock, "-p", port, "-U", "postgres"]
        for _ in range(200):
            if subprocess.run([os.path.join(BIN, "pg_isready"), *client], env=native,
                              capture_output=True).returncode == 0:
                break
            if server.poll() is not None:
                fail(f"postgres exited with {server.returncode}: {server.stdout.read()[-2000:]}")
            time.sleep(0.1)
        else:
            fail("postgres not ready after 20s")
        run([PGBENCH, *client, "-i", "-s", "2", "-q", "postgres"], 120, env=native)
        bench = subprocess.Popen([PGBENCH, *client, "-c", str(CLIENTS), "-j", "2",
                                  "-T", str(SECONDS), "postgres"], env=native,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(SECONDS / 2)
        backends = run([PSQL, *client, "-Atc",
                        "select pid from pg_stat_activity where application_name = 'pgbench'",
                        "postgres"], 60, env=native).split()
        try:
            out, _ = bench.communicate(timeout=SECONDS + 120)
        except subprocess.TimeoutExpired:
            bench.kill()
            fail("pgbench still running 120s after its time")
        check(bench.returncode == 0, f"pgbench exit {bench.returncode}: {out[-800:]}")
        say(" ".join(line for line in out.splitlines() if "tps" in line or "processed" in line))
    finally:
        if server.poll() is None:
            server.send_signal(2)  # SIGINT: fast shutdown
        try:
            server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
            fail("postgres still running 60s after a fast shutdown")
    check(len(backends) == CLIENTS, f"{len(backends)} pgbench backends seen in pg_stat_activity")
    totals = {}
    for kind in ("block", "mutex"):
        totals[kind] = 0
        for path in glob.glob(os.path.join(prof, kind + "*.pprof")):
            totals[kind] += top(path, 1)["total"]["delay_ns"]
    for pid in backends:
        path = os.path.join(prof, f"mutex.{pid}.pprof")
        check(os.path.exists(path), f"backend {pid} wrote {os.path.basename(path)}")
        t = top(path, 1)["total"]
        check(t["contentions"] > 0 and t["delay_ns"] > 0,
              f"backend {pid}: mutex profile charged {t['delay_ns'] / 1e6:.1f} ms "
              f"in {t['contentions']} releases")
    say(f"all processes: block {totals['block'] / 1e6:.1f} ms, mutex {totals['mutex'] / 1e6:.1f} ms")
    check(totals["block"] > 0, "the backends waited")
    check(abs(totals["mutex"] - totals["block"]) <= 0.10 * totals["block"],
          "the mutex totals within 10% of the block totals, over all processes")
    merged = os.path.join(d, "mutex-merged.pprof")
    run([CLI, "merge", "-o", merged, *glob.glob(os.path.join(prof, "mutex*.pprof"))], 120)
    say("--- merged mutex profile of all processes")
    show_top(merged, 5)
    # Who posts: the caller of PostgreSQL's semaphore wrapper (below it,
    # toward the leaf, only the wrapper and sem_post), summed over stacks.
    callers = {}
    folded = run([CLI, "folded", "--type", "delay", merged], 60)
    for stack, value in testlib.parse_folded(folded).items():
        frames = stack.split(";")
        while len(frames) > 1 and frames[-1] in ("sem_post", "PGSemaphoreUnlock"):
            frames.pop()
        callers[frames[-1]] = callers.get(frames[-1], 0) + value
    ranked = sorted(callers.items(), key=lambda kv: -kv[1])
    say("callers of the releases: " + ", ".join(f"{c} {v / 1e6:.1f} ms" for c, v in ranked[:4]))
    check(ranked and ranked[0][0] == "LWLockRelease",
          "LWLockRelease makes the releases charged the most delay")
    if go_pprof(merged) is not None:
        say("go tool pprof reads the merged profile")
    for path in sorted(glob.glob(os.path.join(prof, "mutex.*.pprof")))[:2]:
        go_pprof(path)
    say("PASS")


main()
