# SPDX-License-Identifier: MIT
"""lockprof run: the library's settings from options, the output directory
checked before the program starts, a warning for a program that cannot be
profiled (static), one line at the end naming what was written, the
AddressSanitizer runtime put first in LD_PRELOAD for a program built with it.
argv: TWOSITES STATIC_PROGRAM LIBLOCKPROF [TWOSITES_BUILT_WITH_ASAN]"""
import os
import re
import subprocess
import sys

from clitest import check, done, lockprof, run_json, tmpdir

twosites, static, library = sys.argv[1], sys.argv[2], sys.argv[3]
asan = sys.argv[4] if len(sys.argv) > 4 else None
d = tmpdir()


def run(*args, cwd=None, env=None):
    return subprocess.run([lockprof(), "run", "--library", library, *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env=env)


# Files, sample counts and processes in one line at the end.
out = os.path.join(d, "out")
os.mkdir(out)
p = run("--block-rate", "1", "--mutex-fraction", "1", "--dir", out, "--", twosites, "500", "500", "10", "3000")
lines = p.stderr.splitlines()
check(p.returncode == 0 and len(lines) == 1, f"one line at the end: {p.stderr!r}")
m = re.match(r"lockprof run: wrote block\.pprof \((\d+) samples?\), mutex\.pprof \((\d+) samples?\) "
             r"in (\S+); 1 process wrote profiles$", lines[0] if lines else "")
check(m is not None, f"the line names the files: {lines}")
if m:
    check(m.group(3) == os.path.realpath(out), f"the line names the directory: {m.group(3)}")
    blocks = run_json("top", "-n", "0", "--by", "stack", os.path.join(out, "block.pprof"))
    check(int(m.group(1)) == blocks.get("sites_total") and int(m.group(1)) > 0,
          f"the block sample count is the file's: {m.group(1)} vs {blocks.get('sites_total')}")
p = run("--quiet", "--dir", out, "true")
check(p.returncode == 0 and p.stderr == "", f"--quiet says nothing: {p.stderr!r}")

# Processes of a tree: the others' files are counted, not listed.
tree = os.path.join(d, "tree")
os.mkdir(tree)
script = f"{twosites} 200 200 3 1000; {twosites} 200 200 3 1000; exit 0"
p = run("--block-rate", "1", "--dir", tree, "/bin/sh", "-c", script)
others = {f for f in os.listdir(tree) if re.match(r"(block|mutex)\.\d+\.pprof$", f)}
pids = {f.split(".")[1] for f in others}
m = re.search(r"(\d+) files? of (\d+) other process(es)?.*; (\d+) process(es)? wrote profiles", p.stderr)
check(p.returncode == 0 and m and int(m.group(1)) == len(others) and int(m.group(2)) == len(pids),
      f"the tree's files counted ({len(others)} of {len(pids)}): {p.stderr!r}")

# A shell loop of short commands that never wait: only the first process's
# pair (bash exits through exit(), so it writes; the commands record
# nothing and write nothing), not one pair per command.
loop = os.path.join(d, "loop")
os.mkdir(loop)
p = run("--dir", loop, "bash", "-c", "for i in $(seq 40); do /bin/true; done; true")
check(p.returncode == 0 and sorted(os.listdir(loop)) == ["block.pprof", "mutex.pprof"],
      f"a loop of 40 commands leaves one pair: {sorted(os.listdir(loop))}")

# --merge: the tree's profiles as one pair, the per-process files gone.
merged = os.path.join(d, "merged")
os.mkdir(merged)
p = run("--merge", "--block-rate", "1", "--mutex-fraction", "1", "--dir", merged, "bash", "-c",
        f"for i in 1 2 3; do {twosites} 300 100 10 1000 >/dev/null; done; true")
check(p.returncode == 0 and sorted(os.listdir(merged)) == ["block.pprof", "mutex.pprof"],
      f"--merge leaves one pair, nothing else: {sorted(os.listdir(merged))} {p.stderr!r}")
check("merged the block profiles of 4 processes" in p.stderr and
      "merged the mutex profiles of 4 processes" in p.stderr,
      f"--merge says what it merged: {p.stderr!r}")
t = run_json("top", os.path.join(merged, "block.pprof"))
sites = {s["site"] for s in t.get("sites", [])}
# (wait_on_b's short hold is not always waited for; wait_on_a's is.)
check("pthread_mutex_lock in wait_on_a" in sites and t["total"]["contentions"] >= 3,
      f"the merged block profile holds the children's waits: {sorted(sites)} {t.get('total')}")

# The directory is checked before the program runs: exit 2, one line, and
# the program never started (it would have created the marker).
marker = os.path.join(d, "started")
for bad in (os.path.join(d, "missing"), os.path.join(d, "afile")):
    if bad.endswith("afile"):
        open(bad, "w").close()
    p = run("--dir", bad, "touch", marker)
    check(p.returncode == 2 and len(p.stderr.splitlines()) == 1 and not os.path.exists(marker),
          f"--dir {bad}: refused before starting: {p.returncode} {p.stderr!r}")
env = dict(os.environ, LOCKPROF_DIR=os.path.join(d, "missing"))
p = subprocess.run([lockprof(), "run", "--library", library, "touch", marker], capture_output=True,
                   text=True, env=env, timeout=60)
check(p.returncode == 2 and "cannot write profiles" in p.stderr and not os.path.exists(marker),
      f"LOCKPROF_DIR checked too: {p.stderr!r}")

# A static program: a warning that explains, the program's own exit status,
# and the end line says nothing was written.
p = run("--dir", out, static)
check(p.returncode == 3, f"the static program's exit status: {p.returncode}")
check("statically linked" in p.stderr and "nothing will be profiled" in p.stderr
      and "no profile was written" in p.stderr, f"static program: {p.stderr!r}")

# A program built with AddressSanitizer: its runtime aborts the program
# unless it comes first in LD_PRELOAD; lockprof run puts it there, unless
# LD_PRELOAD names it already (as docs/safety.md has users do by hand).
if asan:
    plain = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("LOCKPROF")}
    runtime = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True,
                             text=True).stdout.strip()
    cases = [("no LD_PRELOAD", None)]
    if os.path.isabs(runtime) and os.path.exists(runtime):
        cases.append(("LD_PRELOAD naming it", runtime))
    for what, preload in cases:
        adir = os.path.join(d, "asan-" + what.split()[0])
        os.mkdir(adir)
        env = dict(plain, LD_PRELOAD=preload) if preload else plain
        p = run("--block-rate", "1", "--dir", adir, "--", asan, "500", "500", "5", "3000", env=env)
        check(p.returncode == 0 and "wait_on_a=" in p.stdout and "does not come first" not in p.stderr,
              f"ASan program, {what}: runs: {p.returncode} {p.stderr!r}")
        t = run_json("top", os.path.join(adir, "block.pprof")) if p.returncode == 0 else {}
        sites = {s["site"] for s in t.get("sites", [])}
        check("pthread_mutex_lock in wait_on_a" in sites,
              f"ASan program, {what}: its waits profiled: {sorted(sites)}")
    p = run("--dir", out, "/bin/sh", "-c", 'echo "$LD_PRELOAD"', env=plain)
    check(p.stdout.strip() == os.path.realpath(library), f"no runtime put first for a program without ASan: {p.stdout!r}")

# The library's settings from options, checked first.
p = run("--dir", out, "--http", "unix:" + os.path.join(d, "sock"), "--interval", "1s", "--signal", "USR2",
        "--hang", "10s", "/bin/sh", "-c",
        'echo "$LOCKPROF_HTTP $LOCKPROF_INTERVAL $LOCKPROF_SIGNAL $LOCKPROF_HANG $LOCKPROF_DIR"')
check(p.stdout.split() == ["unix:" + os.path.join(d, "sock"), "1s", "USR2", "10s", os.path.realpath(out)],
      f"options set the environment: {p.stdout!r}")
for bad in (["--http", "nowhere"], ["--interval", "1ms"], ["--signal", "KILL"], ["--hang", "10ms"],
            ["--foo"], []):
    p = run(*bad, "true") if bad else run()
    check(p.returncode == 2 and len(p.stderr.splitlines()) == 1 and
          p.stderr.startswith("lockprof run: ") and p.stderr.rstrip().endswith("(lockprof run --help)"),
          f"refused in one line: run {bad}: {p.stderr!r}")
p = run("--foo", "true")
check(p.stderr == "lockprof run: unknown option --foo (lockprof run --help)\n", f"unknown option: {p.stderr!r}")

# Signals sent to the tool reach the program; its death is the tool's.
p = run("--quiet", "--dir", out, "/bin/sh", "-c", "kill -TERM $$")
check(p.returncode == -15, f"death by SIGTERM passed on: {p.returncode}")
proc = subprocess.Popen([lockprof(), "run", "--library", library, "--quiet", "--dir", out, "sleep", "30"],
                        stderr=subprocess.PIPE, text=True)
try:
    proc.wait(0.5)
except subprocess.TimeoutExpired:
    proc.terminate()
check(proc.wait(30) == -15, "SIGTERM to lockprof run ends the program, and the tool as it")
done()
