# SPDX-License-Identifier: MIT
"""Profiles that cannot be written at exit: a missing LOCKPROF_DIR, a file
in its place, a file size limit (EFBIG, SIGXFSZ ignored), a disk full
(ENOSPC: a full 16 KiB tmpfs; without the right to mount, the test runs
again as root of a user and mount namespace of its own). Each time: one
line on stderr, the program's exit status unchanged, no *.pprof and no
temporary file left, an older profile under the final name untouched.
usage: test_dumpfail.py ALLOCSTRESS"""

import os
import resource
import signal
import subprocess
import sys

from safelib import ARGS, check, env, fail, run, tmpdir

IN_NAMESPACE = "LOCKPROF_TEST_USERNS"
if os.geteuid() != 0 and IN_NAMESPACE not in os.environ:
    # Mounting the tmpfs needs root; a user namespace gives it where the
    # kernel allows one. (Variables not named LOCKPROF_* reach the runs.)
    unshare = ["unshare", "--user", "--map-root-user", "--mount"]
    try:
        allowed = subprocess.run(unshare + ["true"], stderr=subprocess.DEVNULL).returncode == 0
    except FileNotFoundError:
        allowed = False
    if allowed:
        e = dict(os.environ, **{IN_NAMESPACE: "1"})
        sys.exit(subprocess.run(unshare + [sys.executable] + sys.argv, env=e).returncode)

prog = [ARGS[0], "2", "2000", "3"]  # exits with status 3
OLD = b"an older profile\n"


def attempt(what, dirpath, preexec=None):
    e = env(block_rate=1, mutex_fraction=1, dir=dirpath)
    p = run(prog, e, tmpdir(), status=3, preexec_fn=preexec)
    lines = [l for l in p.stderr.splitlines() if l.startswith("lockprof")]
    check(len(lines) == 1, "%s: exit status 3 kept, one line: %s" % (what, lines))
    if os.path.isdir(dirpath):
        left = sorted(os.listdir(dirpath))
        for name in left:
            if name.endswith(".tmp") or (name.endswith(".pprof") and name != "block.pprof"):
                fail("%s: left %s behind" % (what, name))
        with open(dirpath + "/block.pprof", "rb") as f:
            check(f.read() == OLD, "%s: the older block.pprof is untouched" % what)


def with_old(d):
    with open(d + "/block.pprof", "wb") as f:
        f.write(OLD)
    return d


attempt("missing directory", tmpdir() + "/nonexistent")
f = tmpdir() + "/file"
open(f, "w").close()
attempt("a file as the directory", f)


def fsize_limit():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # Below the smallest profile (an empty one is 150 bytes): the write is
    # cut whether or not the run recorded anything.
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))


attempt("file size limit", with_old(tmpdir()), preexec=fsize_limit)

mnt = tmpdir()
if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt],
                  stderr=subprocess.DEVNULL).returncode != 0:
    print("note: cannot mount a tmpfs here (nor in a user namespace): "
          "the disk-full case (ENOSPC) is not run")
else:
    try:
        with_old(mnt)
        with open(mnt + "/filler", "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"x" * 4096)
            except OSError:
                pass
        attempt("disk full (a full tmpfs)", mnt)
    finally:
        subprocess.run(["umount", mnt])
