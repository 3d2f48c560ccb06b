# SPDX-License-Identifier: MIT
"""top, diff, folded and flame of a live endpoint's URL, as go tool pprof
takes them: the library's own endpoint (LOCKPROF_HTTP=127.0.0.1:0) in
twosites under `lockprof run`, ?seconds=N passed through, a progress line
on stderr; HTTP errors in one line. argv: TWOSITES LIBLOCKPROF"""
import json
import os
import queue
import re
import subprocess
import sys
import threading

from clitest import check, done, lockprof, run, run_json, skip, tmpdir

twosites, library = sys.argv[1], sys.argv[2]
d = tmpdir()
# About 20 s of rounds: the tests below take a few; the program is ended.
prog = subprocess.Popen([lockprof(), "run", "--library", library, "--quiet", "--block-rate", "1",
                         "--http", "127.0.0.1:0", "--dir", d, twosites, "1000", "1000", "2000", "10000"],
                        stderr=subprocess.PIPE, text=True)
urls = queue.Queue()


def read_stderr():
    for line in prog.stderr:
        m = re.search(r"serving profiles at (http://127\.0\.0\.1:\d+)", line)
        if m:
            urls.put(m.group(1))


threading.Thread(target=read_stderr, daemon=True).start()
try:
    base = urls.get(timeout=15)
except queue.Empty:
    prog.kill()
    skip("the endpoint did not start")
try:
    block = base + "/debug/pprof/block?seconds=1"
    p = run("top", "--json", block, expect=0)
    t = {}
    try:
        t = json.loads(p.stdout)
    except ValueError:
        check(False, f"top URL: {p.stdout!r}")
    check(t.get("kind") == "block", f"the endpoint's profile says its kind: {t.get('kind')}")
    check(abs((t.get("duration_ns") or 0) - 1e9) < 0.3e9, f"?seconds=1 passed through: {t.get('duration_ns')}")
    check(t.get("file") == block, "the URL names the profile")
    check(re.search(r"fetching .*seconds=1 \(waits 1s", p.stderr) is not None, f"progress line: {p.stderr!r}")
    check(any(s["site"] == "pthread_mutex_lock in wait_on_a" for s in t.get("sites", [])), f"the program's sites: {t.get('sites')}")

    p = run("diff", block, base + "/debug/pprof/block?seconds=1", expect=0)
    check("wait_on_a" in p.stdout and "Base: " + block in p.stdout, f"diff of two URLs:\n{p.stdout}")
    p = run("diff", base + "/debug/pprof/block", base + "/debug/pprof/mutex", expect=2)
    check("one kind" in p.stderr, f"block and mutex URLs refused: {p.stderr!r}")
    p = run("folded", base + "/debug/pprof/block", expect=0)
    check(";wait_on_a;pthread_mutex_lock " in p.stdout, f"folded URL:\n{p.stdout}")
    svg = os.path.join(d, "f.svg")
    run("flame", "-o", svg, base + "/debug/pprof/block", expect=0)
    check("wait_on_a" in open(svg).read(), "flame URL")

    p = run("top", base + "/debug/pprof/nothing", expect=2)
    err = [x for x in p.stderr.splitlines() if not x.startswith("lockprof: fetching")]
    check(len(err) == 1 and "HTTP 404" in err[0], f"404 in one line: {p.stderr!r}")
finally:
    prog.terminate()
    prog.wait(30)
port = base.rsplit(":", 1)[1]
p = run("top", f"http://127.0.0.1:{port}/debug/pprof/block", expect=2)
check("127.0.0.1" in p.stderr.splitlines()[-1], f"nothing listening: {p.stderr!r}")
done()
