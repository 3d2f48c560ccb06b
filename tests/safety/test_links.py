# SPDX-License-Identifier: MIT
"""Links planted at every name the library writes, in a directory everyone
may write to: block.pprof and mutex.pprof of the first process, the
block.PID/mutex.PID.pprof of a spawned and a forked child (their pids are
known before they dump: they wait to be released), and the temporary names
earlier versions used (NAME.PID.tmp; the temporary names are random now,
so none can be predicted). Each link leads to a file outside the
directory, to a file inside it, or nowhere (a dangling link: following it
would create the file); and at LOCKPROF_LOG. Dumps: on LOCKPROF_SIGNAL,
every LOCKPROF_INTERVAL, at each process's exit. Afterwards: every link
target byte-identical (a dangling one still missing), the links at
temporary names untouched, the profiles written under the final names as
regular files that decode, with mode 0644 less the umask (umask 022 and
077), and nothing else left.
usage: test_links.py LINKS"""

import os
import signal
import stat
import subprocess
import time

from safelib import ARGS, SANITIZED, check, env, fail, folded, tmpdir

links = ARGS[0]
# fork from a process with threads (the library's own) is not run under
# ASan: see test_fork.py.
argv = [links, "spawn-only"] if SANITIZED else [links]


class Run:
    """The program, talked to line by line."""

    def __init__(self, e, umask):
        self.p = subprocess.Popen(argv, env=e, cwd=tmpdir(), text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  preexec_fn=lambda: os.umask(umask))
        self.children = [int(x) for x in self.answer("children").split()[1:]]

    def answer(self, want):
        line = self.p.stdout.readline()
        if not line.startswith(want):
            self.p.kill()
            fail("program answered %r, expected %r" % (line, want))
        return line

    def say(self, cmd, want):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        self.answer(want)

    def end(self):
        self.p.stdin.close()
        try:
            rc = self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            fail("the program did not exit (deadlock?)")
        check(rc == 0, "the program exited 0 (%d)" % rc)


class Plants:
    """Links at names in `d`, each to its own victim: a file outside, a
    file inside, or nothing."""

    def __init__(self, d):
        self.d, self.out, self.n = d, tmpdir(), 0
        self.victims = {}  # target path: content (None: must not exist)

    def plant(self, name):
        path = os.path.join(self.d, name)
        if os.path.lexists(path):
            os.unlink(path)
        kind = self.n % 3
        self.n += 1
        if kind == 2:
            target = os.path.join(self.out, "nothing-%d" % self.n)
            content = None
        else:
            target = os.path.join(self.out if kind == 0 else self.d, "victim-%d" % self.n)
            content = ("victim %d of %s\n" % (self.n, name)).encode()
            with open(target, "wb") as f:
                f.write(content)
        while True:
            try:
                os.symlink(target, path)
                break
            except FileExistsError:
                # An interval dump renamed a profile there meanwhile.
                os.unlink(path)
        self.victims[target] = content
        return path

    def check_victims(self, what):
        for target, content in self.victims.items():
            if content is None:
                if os.path.lexists(target):
                    fail("%s: the dangling link's target %s was created" % (what, target))
                continue
            with open(target, "rb") as f:
                if f.read() != content:
                    fail("%s: link target %s was written" % (what, target))
        print("ok: %s: %d link targets untouched" % (what, len(self.victims)))


def final_names(pid, children):
    names = ["block.pprof", "mutex.pprof"]
    for c in children:
        names += ["block.%d.pprof" % c, "mutex.%d.pprof" % c]
    return names


def old_tmp_names(pid, children):
    """NAME.PID.tmp, the temporary names of lockprof before issue 16."""
    return (["%s.pprof.%d.tmp" % (k, pid) for k in ("block", "mutex")] +
            ["%s.%d.pprof.%d.tmp" % (k, c, c) for c in children for k in ("block", "mutex")])


def wait_replaced(paths, what):
    deadline = time.monotonic() + 30
    while any(os.path.islink(p) or not os.path.exists(p) for p in paths):
        if time.monotonic() > deadline:
            fail("%s: %s still not written after 30 s" % (what, paths))
        time.sleep(0.02)


def written(path, umask, what, samples):
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        fail("%s: %s is not a regular file" % (what, path))
    mode = stat.S_IMODE(st.st_mode)
    if mode != 0o644 & ~umask:
        fail("%s: %s has mode %o, umask %03o" % (what, path, mode, umask))
    prof = folded(path, "contentions")
    if samples and not sum(prof.values()):
        fail("%s: %s has no samples" % (what, path))


def case(what, dir_mode, umask, trigger, preload=True, log=False):
    """trigger: "signal", "interval", or None (exit dumps only); `log`:
    LOCKPROF_LOG in the directory too, a link, and a line to write."""
    d = tmpdir()
    os.chmod(d, dir_mode)
    lp = {"block_rate": 1, "mutex_fraction": 1, "dir": d}
    plants = Plants(d)
    if trigger == "signal":
        lp["signal"] = "USR1"
    elif trigger == "interval":
        lp["interval"] = "100ms"
    if log:
        lp["log"] = plants.plant("lockprof.log")
        lp["max_locks"] = "bogus"  # a line for the log
    r = Run(env(preload=preload, **lp), umask)
    pid = r.p.pid
    finals = [plants.plant(n) for n in final_names(pid, r.children)]
    # the signal dump writes the waits in progress too (docs/live.md)
    waiting = [plants.plant(n) for n in ("waiting.txt", "waiting.pprof")
               if trigger == "signal"]
    olds = [plants.plant(n) for n in old_tmp_names(pid, r.children)]
    old_links = {p: os.readlink(p) for p in olds}
    r.say("work", "worked")
    if trigger:
        if trigger == "signal":
            os.kill(pid, signal.SIGUSR1)
        wait_replaced(finals[:2] + waiting, what + ", " + trigger + " dump")
        plants.check_victims(what + ", after the " + trigger + " dump")
        for p in waiting:
            st = os.lstat(p)
            check(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o644 & ~umask,
                  "%s: %s replaced by a regular file of mode %o" % (what, p, 0o644 & ~umask))
        for p in finals[:2]:
            written(p, umask, what + ", " + trigger + " dump", False)
            plants.plant(os.path.basename(p))  # again, for the exit dump
    r.say("release", "released")
    r.end()
    plants.check_victims(what)
    for p, target in old_links.items():
        if os.readlink(p) != target:
            fail("%s: the link %s was replaced" % (what, p))
    if not preload:
        check(all(os.path.islink(p) for p in finals), what + ": nothing written")
        return
    for p in finals:
        written(p, umask, what, os.path.basename(p).startswith("block"))
    expected = set(os.path.basename(p) for p in finals + olds + waiting + [lp.get("log", "")])
    expected |= set(os.path.basename(t) for t in plants.victims
                    if os.path.dirname(t) == d)
    left = set(os.listdir(d)) - expected
    check(not left, "%s: profiles written under the final names (mode %o), "
          "nothing else left %s" % (what, 0o644 & ~umask, sorted(left)))


case("native", 0o777, 0o022, None, preload=False)
case("exit dumps, LOCKPROF_LOG, dir 0777, umask 022", 0o777, 0o022, None, log=True)
case("signal dump, dir 1777, umask 077", 0o1777, 0o077, "signal")
case("interval dumps, dir 0777, umask 022", 0o777, 0o022, "interval")
