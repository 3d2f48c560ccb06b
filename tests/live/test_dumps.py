# SPDX-License-Identifier: MIT
"""Profiles on disk without a normal exit: LOCKPROF_INTERVAL, LOCKPROF_SIGNAL
(chained with the program's own handler), SIGTERM/SIGINT at their default,
a program's own SIGTERM handler, and forked children."""
import os
import signal
import subprocess
import tempfile
import time

from livelib import Profile, Service, check, done


def read(path):
    with open(path, "rb") as f:
        return Profile(f.read())


def wait_for(cond, limit):
    t0 = time.time()
    while time.time() - t0 < limit:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def has(path, func):
    try:
        return read(path).totals(func)[1] > 0
    except (OSError, EOFError, ValueError):
        return False


def test_interval():
    d = tempfile.mkdtemp()
    svc = Service(http=None, env={"LOCKPROF_INTERVAL": "200ms"}, cwd=d)
    svc.cmd("a 300", "done a")
    check(wait_for(lambda: has(d + "/mutex.pprof", "contend_a") and
                   has(d + "/block.pprof", "contend_a"), 3),
          "interval: both profiles on disk while the program runs")
    svc.cmd("b 300", "done b")
    check(wait_for(lambda: has(d + "/mutex.pprof", "contend_b"), 3),
          "interval: replaced with what came since")
    svc.proc.kill()  # no exit handler runs: the last dump stays
    svc.proc.wait(10)
    check(has(d + "/mutex.pprof", "contend_b") and has(d + "/block.pprof", "contend_a"),
          "interval: the last dump survives SIGKILL")
    # A kill during a dump may leave its temporary file; never a torn profile.


def test_signal():
    d = tempfile.mkdtemp()
    svc = Service(http=None, env={"LOCKPROF_SIGNAL": "USR2"}, cwd=d)
    svc.cmd("a 300", "done a")
    time.sleep(0.5)
    check(not os.path.exists(d + "/mutex.pprof"), "signal: nothing before the signal")
    os.kill(svc.pid, signal.SIGUSR2)
    check(wait_for(lambda: has(d + "/mutex.pprof", "contend_a"), 3), "signal: USR2 dumps")
    check(svc.cmd("tick", "tick"), "signal: the program goes on")
    # The program installs its own handler: both run.
    svc.cmd("own-usr2", "ok")
    svc.cmd("b 300", "done b")
    os.kill(svc.pid, signal.SIGUSR2)
    check(wait_for(lambda: has(d + "/mutex.pprof", "contend_b"), 3),
          "signal: still dumps after the program's signal()")
    check(svc.cmd("usr2-count", "usr2") == "usr2 1", "signal: the program's handler ran once")
    check(svc.stop() == 0, "signal: exit 0")
    check(not [f for f in os.listdir(d) if f.endswith(".tmp")], "no temporary files left")
    svc = Service(http=None, env={"LOCKPROF_SIGNAL": "TERM"}, cwd=d)
    check(wait_for(lambda: svc.err, 3) and any("LOCKPROF_SIGNAL='TERM'" in l for l in svc.err), "signal: TERM refused: %s" % svc.err)
    svc.stop()


def test_exit_signals():
    for sig in (signal.SIGTERM, signal.SIGINT):
        d = tempfile.mkdtemp()
        svc = Service(http=None, cwd=d)
        svc.cmd("a 200", "done a")
        os.kill(svc.pid, sig)
        rc = svc.proc.wait(15)
        check(rc == -sig, "%s: killed by it as before (rc %d)" % (sig.name, rc))
        check(has(d + "/mutex.pprof", "contend_a") and has(d + "/block.pprof", "contend_a"),
              "%s: profiles written" % sig.name)
    # The program's own SIGTERM handler decides: main returns, exit() writes.
    d = tempfile.mkdtemp()
    svc = Service(http=None, cwd=d)
    svc.cmd("own-term", "ok")
    svc.cmd("a 200", "done a")
    os.kill(svc.pid, signal.SIGTERM)
    rc = svc.proc.wait(15)
    check(rc == 0, "own SIGTERM handler: the program's exit status (rc %d)" % rc)
    check(has(d + "/mutex.pprof", "contend_a"), "own SIGTERM handler: written at exit")
    # SIGTERM ignored by whoever started the program stays ignored.
    d = tempfile.mkdtemp()
    svc = Service(http=None, cwd=d, env={})
    svc.stop()
    env = dict(os.environ, LD_PRELOAD=os.environ["LOCKPROF_LIB"])
    p = subprocess.Popen([os.environ["LIVE_SERVICE"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         env=env, cwd=d, preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN))
    p.stdout.readline()
    os.kill(p.pid, signal.SIGTERM)
    time.sleep(0.5)
    check(p.poll() is None, "ignored SIGTERM stays ignored")
    p.communicate(b"quit\n", timeout=10)
    check(p.returncode == 0, "and the program exits normally")


def test_fork():
    """A forked child does not serve; it has a dump thread of its own and
    writes its files under its pid, on SIGTERM too."""
    d = tempfile.mkdtemp()
    svc = Service(cwd=d, env={"LOCKPROF_INTERVAL": "100ms"})
    port = svc.port
    svc.proc.stdin.write("fork 3000\n")
    svc.proc.stdin.flush()
    kids = []
    wait_for(lambda: bool(kids.extend(children(svc.pid)) or kids), 3)
    check(len(kids) == 1, "one child: %s" % kids)
    if kids:
        kid = kids[0]
        check(wait_for(lambda: has("%s/mutex.%d.pprof" % (d, kid), "contend_child"), 3),
              "child: interval dumps under its pid")
        fds = os.listdir("/proc/%d/fd" % kid)
        socks = [f for f in fds if "socket:" in os.readlink("/proc/%d/fd/%s" % (kid, f))]
        check(not socks, "child: no endpoint socket inherited: %s" % socks)
        os.kill(kid, signal.SIGTERM)
        line = svc.expect("child", 15)
        check(line == "child %d" % kid, "child ended: %s" % line)
    from livelib import get
    st, _, body = get(port, "/debug/pprof/mutex")
    check(st == 200 and Profile(body).totals("contend_child") == (0, 0),
          "parent still serves, without the child's events")
    check(svc.stop() == 0, "fork: exit 0")
    check(not os.path.exists(d + "/block.pprof.tmp"), "fork: no temporary files")


def test_detach():
    """daemon(): the parent exits, the child takes the endpoint over."""
    d = tempfile.mkdtemp()
    svc = Service(cwd=d)
    port, first = svc.port, svc.pid
    svc.url = None
    line = svc.cmd("detach", "detached")
    kid = int(line.split()[1])
    check(svc.proc.wait(10) == 0, "detach: the parent exited")
    check(wait_for(lambda: svc.url is not None, 5), "detach: the child says it serves: %s" % svc.err)
    svc.cmd("a 200", "done a")
    from livelib import get
    st, _, body = get(port, "/debug/pprof/mutex")
    check(st == 200 and Profile(body).totals("contend_a")[1] > 0,
          "detach: the child answers on the same port with its profile")
    svc.proc.stdin.write("quit\n")
    svc.proc.stdin.flush()
    check(wait_for(lambda: not os.path.exists("/proc/%d" % kid) or
                   open("/proc/%d/stat" % kid).read().split()[2] == "Z", 10),
          "detach: the child exits")
    del first


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def main():
    test_interval()
    test_signal()
    test_exit_signals()
    test_fork()
    test_detach()
    done()


if __name__ == "__main__":
    main()
