# SPDX-License-Identifier: MIT
"""Helpers of the real-program tests: run a Debian program natively and
under liblockprof, bounded in time, and read the profiles it leaves.

Environment (set by tests/real/meson.build): LOCKPROF_LIB, LOCKPROF_CLI,
REAL_WORK (a build directory for caches). Exit 77 is meson's skip."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import testlib
from testlib import Profile, say, skip  # noqa: F401 (the tests import them from here)

_checks = testlib.FailFast()
check, fail = _checks.check, _checks.fail

LIB = os.environ.get("LOCKPROF_LIB", "")
CLI = os.environ.get("LOCKPROF_CLI", "")
WORK = os.environ.get("REAL_WORK") or tempfile.gettempdir()
INSTALL = "tests/real/install-packages.sh"


def need(prog, package):
    path = shutil.which(prog)
    if not path:
        skip(f"{prog} not found: install Debian package {package} ({INSTALL})")
    return path


def tmpdir(name):
    """A fresh directory for one run's files, kept after the test under
    REAL_WORK/runs/ to be looked at (and replaced by the next run)."""
    d = os.path.join(WORK, "runs", f"{os.path.basename(sys.argv[0])[:-3]}-{name}")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def preload_env(outdir, **extra):
    env = dict(os.environ)
    env["LD_PRELOAD"] = LIB
    env["LOCKPROF_DIR"] = outdir
    env.pop("LOCKPROF_ROOT_PID", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def native_env():
    env = dict(os.environ)
    for k in list(env):
        if k == "LD_PRELOAD" or k.startswith("LOCKPROF_"):
            del env[k]
    return env


def run(cmd, timeout, env=None, cwd=None, quiet=False):
    """Runs cmd to its end; a run past `timeout` seconds fails the test."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, env=env, cwd=cwd, timeout=timeout,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace")
    except subprocess.TimeoutExpired:
        fail(f"{cmd[0]} still running after {timeout}s: {' '.join(cmd)}")
    secs = time.monotonic() - t0
    if not quiet:
        say(f"ran {' '.join(cmd)}: exit {p.returncode} in {secs:.2f}s")
    return p.returncode, p.stdout, p.stderr, secs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def terminate(proc, what, timeout=30):
    """SIGTERM to proc (if it still runs), then its (stdout, stderr);
    fails when it still runs `timeout` seconds later (killed then)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        fail(f"{what} still running {timeout}s after SIGTERM")


def wait_port(port, proc, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            fail(f"server exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    fail(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


# ---- profiles ----

def top(path, n=5, by="function"):
    """`lockprof top --json`: also validates the file (exit 2 on bad input)."""
    p = subprocess.run([CLI, "top", "--json", "-n", str(n), "--by", by, path],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        fail(f"lockprof top {path}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def site_function(site):
    """The program's function of a `lockprof top` site: "pthread_mutex_lock
    in slabs_alloc" is slabs_alloc's."""
    return site.rsplit(" in ", 1)[-1]


def show_top(path, n=5):
    """Prints the table as the user sees it and returns the JSON."""
    p = subprocess.run([CLI, "top", "-n", str(n), path], capture_output=True,
                       text=True, timeout=60)
    say(p.stdout.rstrip())
    return top(path, n)


def go_pprof(path, *args, env=None):
    """`go tool pprof -top`: None when go is missing (said once)."""
    if not shutil.which("go"):
        say("go not found: go tool pprof part skipped (install Debian package golang-go)")
        return None
    e = dict(env or os.environ)
    e.setdefault("GOCACHE", os.path.join(WORK, "gocache"))
    e.setdefault("HOME", WORK)
    p = subprocess.run(["go", "tool", "pprof", "-top", *args, path], env=e,
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"go tool pprof -top {path}: exit {p.returncode}: {p.stderr.strip()[:500]}")
    return p.stdout + p.stderr


def elf_build_id(path):
    """The GNU build-id of an ELF file, as hex ('' if none)."""
    with open(path, "rb") as f:
        d = f.read()
    if d[:4] != b"\x7fELF" or d[4] != 2:
        return ""
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", d, 0x3A)
    for k in range(shnum):
        _, typ, _, _, off, size = struct.unpack_from("<IIQQQQ", d, shoff + k * shentsize)
        if typ != 7:  # SHT_NOTE
            continue
        i = off
        while i + 12 <= off + size:
            nsz, dsz, ntype = struct.unpack_from("<III", d, i)
            name = d[i + 12:i + 12 + nsz].rstrip(b"\0")
            desc_at = i + 12 + ((nsz + 3) & ~3)
            if name == b"GNU" and ntype == 3:
                return d[desc_at:desc_at + dsz].hex()
            i = desc_at + ((dsz + 3) & ~3)
    return ""


def profiles_in(outdir):
    return sorted(f for f in os.listdir(outdir) if f.endswith(".pprof"))


def size(path):
    return os.path.getsize(path)
