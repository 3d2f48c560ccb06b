# SPDX-License-Identifier: MIT
"""A privileged process (setuid: the kernel's AT_SECURE) takes nothing from
the environment its caller gave it. The library reads its variables with
secure_getenv only: checked first, on the library's dynamic imports (no
getenv). Then, where the machine allows it (root to make a setuid-root
copy, a user `nobody`, a filesystem without nosuid, the library readable
by nobody), `secure`, linked against the library, runs setuid root as
nobody with LOCKPROF_DIR, LOCKPROF_LOG, LOCKPROF_HTTP (a unix socket) and
LOCKPROF_BLOCK_RATE set by the caller: no file in the caller's directory,
no log, no socket, not a line on stderr. `secure start` calls
lockprof_start() itself and records: its profiles are written in its
working directory, and still nothing where the caller pointed. A control
run of the same copy without the setuid bit shows the caller's settings
taking effect there.
usage: test_secure.py SECURE"""

import os
import pwd
import shutil
import subprocess

from safelib import ARGS, LIB, check, env, fail, folded, skip, tmpdir

secure = ARGS[0]

nm = shutil.which("nm")
if nm:
    p = subprocess.run([nm, "-D", "--undefined-only", LIB], text=True,
                       stdout=subprocess.PIPE, timeout=60)
    imports = [l.split()[-1].split("@")[0] for l in p.stdout.splitlines()]
    check(p.returncode == 0 and "secure_getenv" in imports and "getenv" not in imports,
          "the library reads the environment with secure_getenv only")
else:
    print("note: no nm: the library's imports are not checked")

if os.geteuid() != 0:
    skip("not root: cannot make a setuid-root program")
try:
    nobody = pwd.getpwnam("nobody")
except KeyError:
    skip("no user nobody")


def as_nobody():
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


def nobody_can(*test):
    return subprocess.run(["test"] + list(test), preexec_fn=as_nobody).returncode == 0


def shared_dir(mode):
    d = tmpdir()
    os.chmod(d, mode)
    return d


bindir = shared_dir(0o755)
if os.statvfs(bindir).f_flag & os.ST_NOSUID:
    skip("%s is on a nosuid filesystem" % bindir)
if not nobody_can("-r", os.path.realpath(LIB)) or not nobody_can("-x", bindir):
    skip("nobody cannot reach the library or the temporary directory")
prog = os.path.join(bindir, "secure")
shutil.copy(secure, prog)
os.chown(prog, 0, 0)


def attempt(what, mode, argv):
    """Run the copy with `mode` as nobody, the caller's settings pointing
    into fresh directories; returns (AT_SECURE, caller's dir listing, log
    exists, socket existed while running, stderr, working directory)."""
    os.chmod(prog, mode)
    dirs = shared_dir(0o777)
    cwd = shared_dir(0o755)  # root's: only the setuid process can write there
    sock = os.path.join(dirs, "pprof.sock")
    log = os.path.join(dirs, "lockprof.log")
    e = env(preload=False, dir=dirs, log=log, http="unix:" + sock,
            block_rate=1, mutex_fraction="bogus")
    p = subprocess.Popen([prog] + argv, env=e, cwd=cwd, text=True, preexec_fn=as_nobody,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    line = p.stdout.readline()
    sock_seen = os.path.lexists(sock)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("%s: did not exit (deadlock?)" % what)
    if p.returncode != 0 or not line.startswith("ready secure="):
        fail("%s: exited %d, said %r\n%s" % (what, p.returncode, line, err))
    listing = sorted(n for n in os.listdir(dirs) if n != "lockprof.log")
    return (int(line.split("=")[1]), listing, os.path.exists(log), sock_seen,
            err, cwd)


# Control: no setuid bit, the caller's settings are the program's.
at_secure, listing, logged, sock_seen, err, _ = attempt("control", 0o755, [])
check(at_secure == 0 and "block.pprof" in listing and logged and sock_seen,
      "control (not setuid): profiles in LOCKPROF_DIR %s, a log, a socket" % listing)

at_secure, listing, logged, sock_seen, err, cwd = attempt("setuid", 0o4755, [])
if at_secure == 0:
    skip("the setuid bit is not honoured here (no_new_privs?)")
lines = [l for l in err.splitlines() if "lockprof" in l]
check(not listing and not logged and not sock_seen and not lines,
      "setuid: nothing in LOCKPROF_DIR %s, no log, no socket, no line %s" % (listing, lines))
check(not os.listdir(cwd), "setuid: no profiles written, not recording")

at_secure, listing, logged, sock_seen, err, cwd = attempt("setuid, start", 0o4755, ["start"])
check(not listing and not logged and not sock_seen,
      "setuid, lockprof_start(): still nothing where the caller pointed %s" % listing)
block = folded(os.path.join(cwd, "block.pprof"), "contentions")
folded(os.path.join(cwd, "mutex.pprof"), "contentions")
check(sum(block.values()) > 0,
      "setuid, lockprof_start(): records; profiles in its working directory")
