# SPDX-License-Identifier: MIT
"""The library's messages never land in the program's data: datafd closes
descriptors 0-2 and its data file data.db takes descriptor 2. Every kind
of message the library can be made to print is provoked: bad configuration
an endpoint that cannot listen and a LOCKPROF_DIR that does not exist (at
start, while descriptor 2 is still the one the process started with: they
must reach it), an exit dump and interval dumps that fail (their directory
removed after the switch: they must go nowhere), no
descriptor numbers to spare for the stack walker (RLIMIT_NOFILE 32).
data.db is byte-identical to the native run's, the exit status the same;
with LOCKPROF_LOG=FILE every line goes to FILE and none to stderr.
usage: test_stderr.py DATAFD"""

import os
import resource
import socket
import threading
import time

from safelib import ARGS, check, env, fail, run, tmpdir

datafd = ARGS[0]

BAD_CONFIG = {"block_rate": "bogus", "mutex_fraction": "-3", "stack_depth": "9999",
              "max_stacks": "many", "max_locks": "1x", "signal": "NOPE",
              "interval": "1ns", "http": "no:such:address"}

# The endpoint's port is taken (bound and listening here): it cannot
# listen, and nothing is sent anywhere.
taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen(1)
TAKEN = "127.0.0.1:%d" % taken.getsockname()[1]
MISSING = "/nonexistent/lockprof-test-dir"
# A LOCKPROF_DIR that exists at start and is removed once the program has
# switched its descriptors: the dumps then fail after the switch.
VANISHING = "vanishing"


def few_descriptors():
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))


# name, LOCKPROF_* settings, how the program leaves, lines expected
# (fragments), whether they come at start (True: they must reach the
# original stderr; False: they come after the switch and must go nowhere;
# None: either), what runs in the child before exec
CASES = [
    ("bad configuration", BAD_CONFIG, "exit",
     ["LOCKPROF_" + k.upper() for k in BAD_CONFIG], True, None),
    ("endpoint cannot listen", {"http": TAKEN}, "exit",
     ["cannot listen on " + TAKEN], True, None),
    ("directory missing at start", {"dir": MISSING}, "exit",
     ["cannot write profiles into " + MISSING], True, None),
    ("exit dump fails", {"dir": VANISHING}, "exit",
     [VANISHING + "/block.pprof"], False, None),
    ("interval dumps fail", {"dir": VANISHING, "interval": "100ms"}, "_exit",
     [VANISHING + "/block.pprof"], False, None),
    ("RLIMIT_NOFILE 32", {"block_rate": 1}, "exit",
     ["no descriptor numbers to spare"], None, few_descriptors),
]


def tell_when(stop, log, wait_for, vanish, interval):
    """Remove the directory `vanish` (if any) once the program has switched
    its descriptors (data.db holds DATA); then create `stop` at once, or,
    with interval dumps, once `wait_for` is in `log` (at most 30 s) or
    after 0.5 s of them when there is no log to watch."""
    if vanish:
        data = os.path.join(os.path.dirname(stop), "data.db")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
                os.path.exists(data) and open(data, "rb").read() == b"DATA"):
            time.sleep(0.01)
        os.rmdir(vanish)
    if not interval:
        open(stop, "w").close()
        return
    deadline = time.monotonic() + (30 if log else 0.5)
    while time.monotonic() < deadline:
        if log and os.path.exists(log) and wait_for in open(log).read():
            break
        time.sleep(0.02)
    open(stop, "w").close()


def start(lp, leave, cwd, preload=True, log=None, wait_for=None, preexec=None):
    """Run datafd in `cwd` until STOP exists: at once, or with interval
    dumps once they have failed (tell_when). Its output and data.db."""
    stop = os.path.join(cwd, "STOP")
    vanish = None
    if lp.get("dir") == VANISHING:
        vanish = os.path.join(cwd, VANISHING)
        os.mkdir(vanish)
        lp = dict(lp, dir=vanish)
    e = env(preload=preload, **lp)
    if log:
        e["LOCKPROF_LOG"] = log
    argv = [datafd, stop] + (["_exit"] if leave == "_exit" else [])
    if vanish or "interval" in lp:
        threading.Thread(target=tell_when, daemon=True,
                         args=(stop, log, wait_for, vanish, "interval" in lp)).start()
    else:
        open(stop, "w").close()
    p = run(argv, e, cwd, timeout=90, preexec_fn=preexec)
    with open(os.path.join(cwd, "data.db"), "rb") as f:
        return p, f.read()


def lines_of(text):
    return [l for l in text.splitlines() if l.startswith("lockprof")]


_, native = start({}, "exit", tmpdir(), preload=False)
check(native == b"DATA", "native: data.db holds DATA")

for what, lp, leave, expect, at_start, preexec in CASES:
    p, data = start(lp, leave, tmpdir(), preexec=preexec)
    if data != native:
        fail("%s: data.db is %r, natively %r" % (what, data, native))
    said = lines_of(p.stderr)
    if at_start:
        missing = [x for x in expect if not any(x in l for l in said)]
        check(not missing, "%s: data.db untouched; said on the original stderr "
              "(%d lines), missing %s" % (what, len(said), missing))
    elif at_start is None:
        print("ok: %s: data.db untouched" % what)
    else:
        check(not said, "%s: data.db untouched; nothing on stderr after the "
              "switch %s" % (what, said))

    log = os.path.join(tmpdir(), "lockprof.log")
    p, data = start(lp, leave, tmpdir(), log=log, wait_for=expect[0], preexec=preexec)
    if data != native:
        fail("%s, LOCKPROF_LOG: data.db is %r, natively %r" % (what, data, native))
    logged = lines_of(open(log).read()) if os.path.exists(log) else []
    missing = [x for x in expect if not any(x in l for l in logged)]
    check(not missing and not lines_of(p.stderr),
          "%s, LOCKPROF_LOG: data.db untouched; %d lines in the log, missing %s; "
          "none on stderr %s" % (what, len(logged), missing, lines_of(p.stderr)))
