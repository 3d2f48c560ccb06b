# SPDX-License-Identifier: MIT
"""Helpers for the integration tests: run programs under the preloaded
library, read the profiles with `go tool pprof -raw` (a reader we did not
write) and with our own decoder (`lockprof folded`), and compare."""

import os
import re
import shutil
import subprocess
import tempfile

import testlib
from testlib import SKIP, Location, Profile, Sample, base, skip  # noqa: F401

_checks = testlib.FailFast()
check, fail = _checks.check, _checks.fail

BUILD = os.environ.get("LOCKPROF_BUILD", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
LIB = os.path.abspath(os.environ.get("LOCKPROF_LIB", os.path.join(BUILD, "liblockprof.so")))
CLI = os.path.abspath(os.environ.get("LOCKPROF_CLI", os.path.join(BUILD, "lockprof")))


# Every wait and every contended release recorded.
RECORD_ALL = {"LOCKPROF_BLOCK_RATE": "1", "LOCKPROF_MUTEX_FRACTION": "1"}


def preload_env(extra=None):
    """The environment for a profiled run. LOCKPROF_PRELOAD_FIRST names
    libraries that must come before ours (a sanitizer runtime)."""
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("LOCKPROF_") and k not in ("LOCKPROF_PRELOAD_FIRST",):
            del env[k]
    first = os.environ.get("LOCKPROF_PRELOAD_FIRST", "")
    env["LD_PRELOAD"] = ":".join(x for x in (first, LIB) if x)
    env.update(extra or {})
    return env


def run_env():
    """The environment for `lockprof run`: it adds the library to what
    LD_PRELOAD holds, where a sanitizer runtime must already be first."""
    env = dict(os.environ)
    first = os.environ.get("LOCKPROF_PRELOAD_FIRST", "")
    if first:
        env["LD_PRELOAD"] = first
    else:
        env.pop("LD_PRELOAD", None)
    return env


def run(argv, env=None, cwd=None, timeout=120, check_rc=True):
    p = subprocess.run(argv, env=env, cwd=cwd, timeout=timeout,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check_rc and p.returncode != 0:
        fail("%s exited %d\nstdout: %s\nstderr: %s" % (argv, p.returncode, p.stdout, p.stderr))
    return p


def tmpdir():
    d = tempfile.mkdtemp(prefix="lockprof-test-")
    return d


def have_go():
    return shutil.which("go") is not None


def go_raw(path):
    """The profile as `go tool pprof -raw PATH` shows it (its Samples and
    Locations), a testlib.Profile."""
    if not have_go():
        skip("go is not installed (Debian golang-go): cannot read profiles with go tool pprof")
    p = run(["go", "tool", "pprof", "-raw", path], timeout=120)
    prof = Profile()
    section = None
    current = None
    for line in p.stdout.splitlines():
        if line in ("Samples:", "Locations", "Mappings"):
            section = line
            continue
        if section == "Samples:":
            m = re.match(r"\s*(\d+)\s+(\d+):((?:\s+\d+)*)\s*$", line)
            if m:
                prof.samples.append(Sample([int(x) for x in m.group(3).split()],
                                           [int(m.group(1)), int(m.group(2))]))
        elif section == "Locations":
            # "  3: 0x4b4964 M=1 name file:line s=0"; M= is absent for
            # locations without a mapping, names may hold spaces. -raw
            # prints the innermost line first: the function the code is
            # in is the location's last line.
            m = re.match(r"\s*(\d+): (0x[0-9a-f]+)(?: M=(\d+))?\s*(.*?)\s+s=\d+(?:\(.*\))?$", line)
            if m:
                current = int(m.group(1))
                prof.locations[current] = Location(int(m.group(2), 16), int(m.group(3) or 0),
                                                   [function_of(m.group(4))])
                continue
            # an inlined frame's line: "      name file:line s=0"
            m = re.match(r"\s+(\S.*?)\s+s=\d+(?:\(.*\))?$", line)
            if m and current is not None:
                prof.locations[current].functions.append(function_of(m.group(1)))
    return prof


def source_line(path, text):
    """The number of the first line of `path` that contains `text`."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    fail("%s not in %s" % (text, path))


def function_of(text):
    """The function of a line as -raw prints it ("name file:line")."""
    return text.rsplit(" ", 1)[0] if " " in text else text


def folded(path, kind="delay"):
    """Our own decoder's view: {stack (root first, ';'): value}."""
    return testlib.parse_folded(run([CLI, "folded", "--type", kind, path]).stdout)


def agree(path):
    """go tool pprof and our decoder must see the same totals."""
    prof = go_raw(path)
    ours = folded(path)
    check(sum(ours.values()) == prof.total(1),
          "%s: our decoder's delay total %d equals go tool pprof's %d"
          % (os.path.basename(path), sum(ours.values()), prof.total(1)))
    return prof


def within(actual, expected, tol):
    if expected == 0:
        return actual == 0
    return abs(actual - expected) <= tol * expected


def compile_prog(src, out, extra=(), cxx=False):
    cc = os.environ.get("CXX" if cxx else "CC", "g++" if cxx else "cc")
    run([cc, "-O2", "-g", "-fno-optimize-sibling-calls", "-o", out, src, "-pthread"] + list(extra))
    return out
