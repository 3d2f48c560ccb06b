# SPDX-License-Identifier: MIT
"""memcached built with symbols from its Debian source package (apt-get
source; built once in the build directory, never in git), under
liblockprof: the top sites of both profiles are memcached's own functions.
Then a stripped copy of the same build: the profile names none of
memcached's functions but keeps the build-id, and pprof names them from
the unstripped file (PPROF_BINARY_PATH with Google's pprof built from
Debian's golang-github-google-pprof-dev; `go tool pprof BINARY PROFILE`
with Go's), and refuses a file of another build-id."""
import glob
import os
import re
import shutil
import subprocess

import mclib
from realtest import (WORK, Profile, check, elf_build_id, fail, go_pprof, need,
                      preload_env, profiles_in, run, say, show_top, site_function,
                      skip, tmpdir)

OPS = 100000


def build_memcached():
    """The memcached of Debian's source package, built with -g."""
    src = os.environ.get("LOCKPROF_MEMCACHED_SRC")
    top = os.path.join(WORK, "memcached-src")
    if not src:
        found = sorted(glob.glob(os.path.join(top, "memcached-*/configure")))
        if not found:
            need("apt-get", "apt")
            need("dpkg-source", "dpkg-dev")
            os.makedirs(top, exist_ok=True)
            rc, out, err, _ = run(["apt-get", "source", "-qq", "memcached"], 300, cwd=top)
            found = sorted(glob.glob(os.path.join(top, "memcached-*/configure")))
            if rc != 0 or not found:
                skip("apt-get source memcached failed (no deb-src line? run "
                     f"tests/real/install-packages.sh): {err.strip()[-300:]}")
        src = os.path.dirname(found[-1])
    binary = os.path.realpath(os.path.join(src, "memcached"))
    if os.path.exists(binary):
        return binary
    need("make", "make")
    need("cc", "gcc")
    if not os.path.exists("/usr/include/event2/event.h"):
        skip("libevent headers missing: install libevent-dev (apt-get build-dep memcached)")
    rc, out, err, _ = run(["./configure", "CFLAGS=-g -O2"], 300, cwd=src, quiet=True)
    if rc != 0:
        fail(f"configure of {src} failed: {err[-1000:]}")
    rc, out, err, secs = run(["make", "-j2", "memcached"], 900, cwd=src, quiet=True)
    if rc != 0 or not os.path.exists(binary):
        fail(f"make memcached in {src} failed: {err[-1000:]}")
    say(f"built {binary} in {secs:.0f}s")
    return binary


def google_pprof():
    """Google's pprof from Debian's source package of it: its PPROF_BINARY_PATH
    matches build-ids (Go's bundled `go tool pprof` reads none)."""
    exe = os.path.join(WORK, "google-pprof")
    if os.path.exists(exe):
        return exe
    gopath = "/usr/share/gocode"
    if not shutil.which("go") or not os.path.isdir(f"{gopath}/src/github.com/google/pprof"):
        say("Google's pprof not built: PPROF_BINARY_PATH part skipped (install "
            "golang-go and golang-github-google-pprof-dev)")
        return None
    env = dict(os.environ, GO111MODULE="off", GOPATH=gopath, GOFLAGS="",
               GOCACHE=os.path.join(WORK, "gocache"))
    p = subprocess.run(["go", "build", "-o", exe, "github.com/google/pprof"],
                       env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        fail(f"go build github.com/google/pprof: {p.stderr[-1000:]}")
    return exe


def traced_run(binary, label):
    out = tmpdir(label)
    mclib.session(binary, preload_env(out), label, capable=False, ops=OPS)
    check(profiles_in(out) == ["block.pprof", "mutex.pprof"],
          f"{label}: both profiles written at SIGTERM")
    return out


def memcached_names(path, binary):
    """Function names of frames in memcached's own mapping (not the
    module+offset names a stripped binary's frames get)."""
    names = set()
    prof = Profile.read(path)
    for sample in prof.samples:
        names |= {fn for f, fn in prof.file_frames(sample)
                  if f == binary and fn and not re.fullmatch(r"\[.*\]\+0x[0-9a-f]+", fn)}
    return names


def pprof_top(argv, env, label):
    """pprof -top: its output, its stderr and the set of names it shows."""
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(f"{label}: {' '.join(argv)}: exit {p.returncode}: {p.stderr[-500:]}")
    shown = set()
    for line in p.stdout.splitlines():
        cols = line.split(None, 5)
        if len(cols) == 6 and cols[1].endswith("%"):
            shown.add(cols[5].replace(" (inline)", ""))
    return p.stdout, p.stderr, shown


need("memcached", "memcached")  # the packaged one, for the other build-id
mclib.tools()
full = build_memcached()
bid = elf_build_id(full)
check(bid != "", f"{full} has a build-id ({bid})")

# 1. With symbols: the top of each profile names memcached's functions.
out = traced_run(full, "symbols")
names = {}
for kind in ("block", "mutex"):
    path = os.path.join(out, f"{kind}.pprof")
    say(f"--- {kind}.pprof of memcached with symbols: {os.path.getsize(path)} bytes")
    t = show_top(path)
    names[kind] = memcached_names(path, full)
    tops = [site_function(s["site"]) for s in t["sites"][:3]]
    check(t["sites"] and tops[0] in names[kind],
          f"{kind}: the top site {tops[0] if tops else None} is memcached's own function")
    check(all(s in names[kind] for s in tops),
          f"{kind}: the top 3 sites {tops} are memcached's functions")
    go_pprof(path)

# 2. A stripped copy of the same build.
tmp = tmpdir("binaries")
syms = os.path.join(tmp, "syms")
os.makedirs(syms)
shutil.copy(full, os.path.join(syms, "memcached"))
stripped = os.path.join(tmp, "memcached")
strip = need("strip", "binutils")
run([strip, "-o", stripped, full], 60)
check(elf_build_id(stripped) == bid, "strip keeps the build-id")
out = traced_run(stripped, "stripped")
path = os.path.join(out, "block.pprof")
prof = Profile.read(path)
check(dict(prof.mappings.values()).get(stripped) == bid,
      f"the stripped binary's profile keeps its build-id {bid}")
check(not memcached_names(path, stripped),
      "the stripped binary's profile names none of memcached's functions")
known = names["block"]

if shutil.which("go"):
    env = dict(os.environ, GOCACHE=os.path.join(WORK, "gocache"), HOME=WORK)
    o, _, shown = pprof_top(["go", "tool", "pprof", "-top",
                             os.path.join(syms, "memcached"), path], env, "go tool pprof")
    hit = sorted(known & shown)
    check(hit, f"go tool pprof BINARY PROFILE names memcached's functions: {hit[:5]}")
pp = google_pprof()
if pp:
    env = dict(os.environ, PPROF_BINARY_PATH=syms, HOME=WORK)
    o, e, shown = pprof_top([pp, "-top", path], env, "pprof")
    say(o.rstrip())
    hit = sorted(known & shown)
    check(hit, f"pprof with PPROF_BINARY_PATH={syms} names memcached's functions: {hit[:5]}")
    other = os.path.join(tmp, "other")
    os.makedirs(other)
    shutil.copy(os.path.realpath(shutil.which("memcached")), os.path.join(other, "memcached"))
    o, e, shown = pprof_top([pp, "-top", path], dict(env, PPROF_BINARY_PATH=other), "pprof")
    check("build-id mismatch" in e and not known & shown,
          "pprof refuses a memcached of another build-id: " + e.strip().splitlines()[0])
say("PASS")
