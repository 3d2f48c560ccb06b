# SPDX-License-Identifier: MIT
"""LOCKPROF_HTTP=unix:PATH where PATH is not the library's to take (issue
16): a file, a directory or a link there is left exactly as it was, with
one line on stderr, and the program runs as it does natively; a socket
left by a killed process is reused; the socket is removed when its process
exits or is ended by SIGTERM, and only by that process, only while it is
still that socket. An endpoint bound to a non-loopback address says so.
Every run is bounded in time."""
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time

from livelib import LIB, Profile, Service, check, done, read_answer

HOSTILE = os.environ.get("LIVE_HOSTILE", "")


def run_work(extra, cwd):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.update(extra)
    p = subprocess.run([HOSTILE, "work"], env=env, cwd=cwd, capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr.splitlines()


def state(path):
    """Everything about the file at `path` that must not change, links not
    followed (a link's target is looked at separately)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        body = os.readlink(path)
    elif stat.S_ISDIR(st.st_mode):
        body = sorted((n, open(os.path.join(path, n), "rb").read())
                      for n in os.listdir(path))
    elif stat.S_ISREG(st.st_mode):
        body = open(path, "rb").read()
    else:
        body = None
    return (st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns, body)


def unix_get(path, what="/debug/pprof/mutex"):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    try:
        s.connect(path)
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % what).encode())
        return read_answer(s)
    finally:
        s.close()


def wait_gone(path, limit=5):
    deadline = time.time() + limit
    while os.path.lexists(path) and time.time() < deadline:
        time.sleep(0.02)
    return not os.path.lexists(path)


def is_socket(path):
    return os.path.lexists(path) and stat.S_ISSOCK(os.lstat(path).st_mode)


def test_left_alone():
    d = tempfile.mkdtemp()
    try:
        native = run_work({}, d)
        check(native[0] == 7 and native[1] == "counter 4000\n" and native[2] == [],
              "native run: %r" % (native,))
        target = os.path.join(d, "target")
        with open(target, "wb") as f:
            f.write(b"the program's own data\n")
        os.mkdir(os.path.join(d, "dir"))
        with open(os.path.join(d, "dir", "inside"), "wb") as f:
            f.write(b"kept\n")

        def regular(p):
            with open(p, "wb") as f:
                f.write(b"precious\x00bytes\n")
            os.chmod(p, 0o600)

        def directory(p):
            os.mkdir(p)
            with open(os.path.join(p, "f"), "wb") as f:
                f.write(b"x")

        cases = [("regular file", regular), ("directory", directory),
                 ("link to a file", lambda p: os.symlink(target, p)),
                 ("link to a directory", lambda p: os.symlink(os.path.join(d, "dir"), p)),
                 ("dangling link", lambda p: os.symlink(os.path.join(d, "nowhere"), p))]
        for name, make in cases:
            path = os.path.join(d, "pprof.sock")
            make(path)
            before = state(path)
            around = (state(target), state(os.path.join(d, "dir")))
            rc, out, err = run_work({"LD_PRELOAD": LIB, "LOCKPROF_HTTP": "unix:" + path,
                                     "LOCKPROF_DIR": d}, d)
            check((rc, out) == native[:2], "%s: exit %d, %r as natively" % (name, rc, out))
            check(len(err) == 1 and path in err[0] and "not a socket" in err[0],
                  "%s: one line on stderr: %r" % (name, err))
            check(state(path) == before, "%s: left byte for byte, same inode" % name)
            check((state(target), state(os.path.join(d, "dir"))) == around,
                  "%s: what a link points to is untouched" % name)
            check(not os.path.lexists(os.path.join(d, "nowhere")),
                  "%s: nothing made where a dangling link points" % name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        # A socket another process listens on stays its.
        path = os.path.join(d, "pprof.sock")
        other = socket.socket(socket.AF_UNIX)
        other.bind(path)
        other.listen(4)
        before = state(path)
        rc, out, err = run_work({"LD_PRELOAD": LIB, "LOCKPROF_HTTP": "unix:" + path,
                                 "LOCKPROF_DIR": d}, d)
        check((rc, out) == native[:2], "socket in use: runs as natively")
        check(len(err) == 1 and "in use" in err[0], "socket in use: one line: %r" % err)
        check(state(path) == before, "socket in use: left as it was")
        c = socket.socket(socket.AF_UNIX)
        c.settimeout(5)
        c.connect(path)
        other.settimeout(5)
        a, _ = other.accept()
        check(a is not None, "socket in use: its owner still accepts on it")
        a.close()
        c.close()
        other.close()
    finally:
        shutil.rmtree(d)


def test_stale_and_exit():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "pprof.sock")
    env = {"LOCKPROF_DIR": d}
    try:
        # Killed: the socket file stays, and the next process reuses it.
        svc = Service(http="unix:" + path, env=env, cwd=d)
        svc.proc.kill()
        svc.proc.wait(10)
        check(is_socket(path), "SIGKILL leaves the socket file")
        svc = Service(http="unix:" + path, env=env, cwd=d)
        try:
            check(svc.url == "unix:" + path, "a stale socket is reused: %s" % svc.url)
            svc.cmd("a 100", "done a")
            st, _, body = unix_get(path)
            check(st == 200 and Profile(body).totals("contend_a")[1] > 0,
                  "served on the reused path (%d)" % st)
            # A forked child that exits does not remove its parent's socket.
            svc.cmd("fork 50", "child")
            check(is_socket(path) and unix_get(path)[0] == 200,
                  "a forked child's exit leaves the parent's socket")
        finally:
            rc = svc.stop()
        check(rc == 0 and wait_gone(path), "normal exit (%d) removes the socket" % rc)

        svc = Service(http="unix:" + path, env=env, cwd=d)
        check(is_socket(path), "SIGTERM: serving")
        svc.proc.send_signal(signal.SIGTERM)
        rc = svc.proc.wait(20)
        check(rc == -signal.SIGTERM, "SIGTERM ends it as natively (%d)" % rc)
        check(wait_gone(path), "SIGTERM removes the socket")

        # Not its socket any more: someone replaced the file. It stays.
        svc = Service(http="unix:" + path, env=env, cwd=d)
        os.unlink(path)
        with open(path, "wb") as f:
            f.write(b"replaced\n")
        before = state(path)
        check(svc.stop() == 0, "replaced: exit 0")
        check(os.path.lexists(path) and state(path) == before,
              "a file that replaced the socket is not removed at exit")
        os.unlink(path)

        # daemon(): the child takes the endpoint over, and removes the
        # socket when it exits.
        svc = Service(http="unix:" + path, env=env, cwd=d)
        line = svc.cmd("detach", "detached")
        child = int(line.split()[1])
        deadline = time.time() + 10
        served = False
        while time.time() < deadline and not served:
            time.sleep(0.1)
            try:
                served = unix_get(path, "/debug/pprof/")[0] == 200
            except OSError:
                pass
        check(served, "the detached child serves the socket")
        svc.proc.stdin.write("quit\n")
        svc.proc.stdin.flush()
        svc.expect("bye", 10)
        deadline = time.time() + 10
        while os.path.exists("/proc/%d" % child) and time.time() < deadline:
            time.sleep(0.02)
        check(wait_gone(path), "the detached child removes the socket at exit")
    finally:
        shutil.rmtree(d)


def isolated():
    """A network namespace of its own (loopback only, down): where an
    endpoint on 0.0.0.0 is reachable from nowhere."""
    try:
        return subprocess.run(["unshare", "-rn", "true"], timeout=10,
                              capture_output=True).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def exposure_lines(http, netns):
    """The lines saying the endpoint on `http` is reachable from the
    network, and whether it served at all."""
    argv = ["env", "LD_PRELOAD=" + LIB, "LOCKPROF_HTTP=" + http, os.environ["LIVE_SERVICE"]]
    if netns:
        argv = ["unshare", "-rn"] + argv
    # The library goes only into the service (env puts it there), never
    # into unshare, which would serve in the host's namespace.
    svc = Service(http=None, env={"LD_PRELOAD": ""}, argv=argv)
    try:
        deadline = time.time() + 10
        while time.time() < deadline and not any("serving profiles at" in l for l in svc.err):
            time.sleep(0.02)
        time.sleep(0.3)  # for the line after it
        err = list(svc.err)
    finally:
        check(svc.stop() == 0, "%s: exit 0" % http)
    return ([l for l in err if "reachable from the network" in l],
            any("serving profiles at" in l for l in err), err)


def test_exposed():
    for http in ("127.0.0.1:0", "[::1]:0"):
        lines, served, err = exposure_lines(http, False)
        check(lines == [] and (served or http.startswith("[")),
              "%s: loopback, nothing said: %r" % (http, err))
    if not isolated():
        print("SKIP: no network namespace (unshare -rn): 0.0.0.0 and [::] not tried")
        return
    for http in ("0.0.0.0:0", "[::]:0"):
        lines, served, err = exposure_lines(http, True)
        check(served and len(lines) == 1 and http.split(":0")[0] in lines[0],
              "%s: one line saying it is reachable from the network: %r" % (http, err))


def main():
    if not HOSTILE or not LIB:
        print("LIVE_HOSTILE and LOCKPROF_LIB must be set")
        return 1
    test_left_alone()
    test_stale_and_exit()
    test_exposed()
    done()


if __name__ == "__main__":
    main()
