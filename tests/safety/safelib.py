# SPDX-License-Identifier: MIT
"""Helpers of the safety tests: run programs with and without the
preloaded library, read the profiles back with `lockprof folded` (which
validates them), fail with a message.

LOCKPROF_PRELOAD_FIRST names libraries that must come before the library
in LD_PRELOAD (the ASan runtime for a sanitized build; tests/sanitize.sh
sets it)."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import testlib
from testlib import SKIP, skip  # noqa: F401 (the tests import them from here)

_checks = testlib.FailFast()
check, fail = _checks.check, _checks.fail

LIB = os.environ["LOCKPROF_LIB"]
CLI = os.environ["LOCKPROF_CLI"]
FIRST = [p for p in os.environ.get("LOCKPROF_PRELOAD_FIRST", "").split(":") if p]
SANITIZED = bool(FIRST)
# The programs under test, as meson passes them (relative to its cwd).
ARGS = [os.path.abspath(a) for a in sys.argv[1:]]


def env(preload=True, before=(), after=(), **lockprof):
    """The environment of one run: no LOCKPROF_* from outside, the library
    preloaded (with `before`/`after` around it), LOCKPROF_<K>=v for each
    keyword argument."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("LOCKPROF_") and k != "LD_PRELOAD"}
    libs = list(FIRST) + list(before) + ([LIB] if preload else []) + list(after)
    if libs:
        e["LD_PRELOAD"] = ":".join(libs)
    for k, v in lockprof.items():
        e["LOCKPROF_" + k.upper()] = str(v)
    return e


def run(argv, e, cwd, timeout=120, status=0, **kw):
    """Run to completion; fail unless it exits with `status`."""
    try:
        p = subprocess.run(argv, env=e, cwd=cwd, timeout=timeout, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    except subprocess.TimeoutExpired:
        fail("%s did not finish in %ds (deadlock?)" % (argv, timeout))
    if status is not None and p.returncode != status:
        fail("%s exited %d, expected %d\nstdout: %s\nstderr: %s" %
             (argv, p.returncode, status, p.stdout[-2000:], p.stderr[-3000:]))
    return p


def folded(path, what="delay"):
    """{stack (root first, ';'-joined): value} of a profile; fails when the
    file is missing or not a valid profile."""
    if not os.path.exists(path):
        fail("no profile %s" % path)
    p = subprocess.run([CLI, "folded", "--type", what, path], text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        fail("%s is not a valid profile: %s" % (path, p.stderr.strip()))
    return testlib.parse_folded(p.stdout)


def total_with(prof, frame):
    """Sum of the stacks that contain `frame`."""
    return sum(v for s, v in prof.items() if frame in s.split(";"))


def tmpdir():
    """A fresh directory, removed when the test ends (kept when it fails,
    for a look at the profiles)."""
    d = tempfile.mkdtemp(prefix="lockprof-safety-")
    _dirs.append(d)
    return d


_dirs = []


@atexit.register
def _cleanup():
    if not _checks.failed:
        for d in _dirs:
            shutil.rmtree(d, ignore_errors=True)


def find_lib(name):
    """Full path of a shared library the loader knows, or None."""
    p = subprocess.run(["/sbin/ldconfig", "-p"], text=True, stdout=subprocess.PIPE)
    for line in p.stdout.splitlines():
        if line.strip().startswith(name + " "):
            return line.split("=>")[-1].strip()
    return None
