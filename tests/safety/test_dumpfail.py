"""Profiles that cannot be written at exit: a missing LOCKPROF_DIR, a file
in its place, a disk full (ENOSPC through /dev/full, and a full tmpfs when
mount works), a file size limit (EFBIG, SIGXFSZ ignored). Each time: one
line on stderr, the program's exit status unchanged, no *.pprof and no
temporary file left, an older profile under the final name untouched.
usage: test_dumpfail.py ALLOCSTRESS"""

import os
import resource
import signal
import subprocess

from safelib import ARGS, check, env, fail, run, tmpdir

prog = [ARGS[0], "2", "2000", "3"]  # exits with status 3
OLD = b"an older profile\n"


def attempt(what, dirpath, preexec=None, pid_links=False):
    e = env(block_rate=1, mutex_fraction=1, dir=dirpath)
    pre = preexec
    if pid_links:
        # The library writes DIR/<name>.<pid>.tmp first: make that name
        # lead to /dev/full, in the process itself just before exec.
        def pre():
            for n in ("block", "mutex"):
                os.symlink("/dev/full", "%s/%s.pprof.%d.tmp" % (dirpath, n, os.getpid()))
    p = run(prog, e, tmpdir(), status=3, preexec_fn=pre)
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
attempt("disk full (/dev/full)", with_old(tmpdir()), pid_links=True)


def fsize_limit():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))


attempt("file size limit", with_old(tmpdir()), preexec=fsize_limit)

mnt = tmpdir()
if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt],
                  stderr=subprocess.DEVNULL).returncode != 0:
    print("note: cannot mount a tmpfs here; the /dev/full case stands for it")
else:
    try:
        with_old(mnt)
        with open(mnt + "/filler", "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"x" * 4096)
            except OSError:
                pass
        attempt("full tmpfs", mnt)
    finally:
        subprocess.run(["umount", mnt])
