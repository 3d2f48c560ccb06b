# SPDX-License-Identifier: MIT
"""memcached under load: start it on 127.0.0.1 (natively or preloaded),
load it with memcaslap, check the load generator's report against the
server's own counters, run memccapable, stop it with SIGTERM."""
import os
import pwd
import re
import socket
import subprocess
import time

from realtest import fail, free_port, need, run, say, terminate, wait_port

OPS = int(os.environ.get("REAL_MEMCACHED_OPS", "200000"))


def tools():
    return (need("memcaslap", "libmemcached-tools"),
            need("memccapable", "libmemcached-tools"))


def stats(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"stats\r\n")
        buf = b""
        while not buf.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                fail("memcached closed the connection during 'stats'")
            buf += chunk
    out = {}
    for line in buf.decode().split("\r\n"):
        parts = line.split()
        if len(parts) == 3 and parts[0] == "STAT":
            out[parts[1]] = parts[2]
    return out


def report(text):
    """memcaslap's closing report as a dict of its counters."""
    out = {}
    for k, v in re.findall(r"^(\w+): (\d+)$", text, re.M):
        out[k] = int(v)
    m = re.search(r"Run time: ([\d.]+)s Ops: (\d+) TPS: (\d+)", text)
    if not m:
        fail("no closing line in memcaslap's report:\n" + text[-2000:])
    out["run_time"], out["ops"], out["tps"] = float(m[1]), int(m[2]), int(m[3])
    return out


ERRORS = ("get_misses", "verify_misses", "verify_failed")


def session(binary, env, label, capable=True, ops=OPS):
    """One server's life: start, load, conformance, SIGTERM. Returns what
    was seen; fails on any error of the load generator."""
    memcaslap, memccapable = tools()
    port = free_port()
    cmd = [binary, "-t", "4", "-l", "127.0.0.1", "-p", str(port), "-U", "0",
           "-m", "256"]
    if os.geteuid() == 0:
        cmd += ["-u", pwd.getpwuid(0).pw_name]
    t0 = time.monotonic()
    srv = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_port(port, srv)
        rc, out, err, secs = run([memcaslap, "-s", f"127.0.0.1:{port}", "-T", "2",
                                  "-c", "32", "-x", str(ops), "-v", "0.1"], 300)
        if rc != 0:
            fail(f"{label}: memcaslap exit {rc}: {err.strip()[:1000]}")
        rep = report(out)
        rep["wall"] = secs
        errs = {k: rep.get(k, 0) for k in ERRORS}
        if any(errs.values()) or err.strip():
            fail(f"{label}: memcaslap reported errors {errs} {err.strip()[:1000]}")
        st = stats(port)
        say(f"{label}: memcaslap {rep['ops']} ops in {rep['run_time']}s "
            f"({rep['tps']} ops/s), errors {errs}; server cmd_get {st['cmd_get']} "
            f"cmd_set {st['cmd_set']} get_hits {st['get_hits']}")
        if (int(st["cmd_get"]), int(st["cmd_set"])) != (rep["cmd_get"], rep["cmd_set"]) \
                or int(st["get_hits"]) != rep["cmd_get"]:
            fail(f"{label}: server counters differ from the load generator's")
        passed = []
        if capable:
            rc, out, err, _ = run([memccapable, "-h", "127.0.0.1", "-p", str(port),
                                   "-t", "5"], 300)
            passed = re.findall(r"^(.*\S)\s+\[pass\]$", out, re.M)
            failed = [l for l in out.splitlines()
                      if "[pass]" not in l and "[skip]" not in l and l.strip()
                      and l.strip() != "All tests passed"]
            say(f"{label}: memccapable exit {rc}, {len(passed)} passed, "
                f"{len(failed)} other lines")
            if rc != 0 or failed or "All tests passed" not in out:
                fail(f"{label}: memccapable failed:\n{out[-3000:]}{err[-1000:]}")
    finally:
        sout, serr = terminate(srv, f"{label}: memcached")
    lifetime = time.monotonic() - t0
    say(f"{label}: memcached exit {srv.returncode} after SIGTERM, lived {lifetime:.2f}s"
        + (f", stderr: {serr.strip()[:300]}" if serr.strip() else ""))
    return {"load": rep, "capable": passed, "exit": srv.returncode,
            "stderr": serr, "lifetime": lifetime}


def same_behaviour(native, traced):
    """What must not change when the library is preloaded."""
    if native["exit"] != traced["exit"]:
        fail(f"memcached's exit status on SIGTERM: {native['exit']} natively, "
             f"{traced['exit']} under lockprof")
    if native["capable"] != traced["capable"]:
        fail("memccapable passed different tests natively and under lockprof")
    if native["stderr"].strip() != traced["stderr"].strip():
        fail(f"memcached's stderr differs: {native['stderr']!r} natively, "
             f"{traced['stderr']!r} under lockprof")
    for k in ("cmd_get", "cmd_set", "ops"):
        if native["load"][k] != traced["load"][k]:
            fail(f"memcaslap {k}: {native['load'][k]} natively, "
                 f"{traced['load'][k]} under lockprof")
    say(f"same behaviour: exit {traced['exit']}, {len(traced['capable'])} memccapable "
        f"tests, {traced['load']['ops']} ops; throughput {native['load']['tps']} -> "
        f"{traced['load']['tps']} ops/s "
        f"({100.0 * traced['load']['tps'] / max(1, native['load']['tps']):.0f}%)")
