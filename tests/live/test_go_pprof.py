# SPDX-License-Identifier: MIT
"""go tool pprof, the real client, against the live endpoint: a delta with
?seconds=2 and a cumulative profile, read with -raw."""
import shutil
import subprocess
import threading
import time

from livelib import Service, check, done, skip


def pprof_raw(url):
    r = subprocess.run(["go", "tool", "pprof", "-raw", url], capture_output=True,
                       text=True, timeout=120, env={"PPROF_TMPDIR": "/tmp",
                                                    "HOME": "/tmp", "PATH": "/usr/bin:/bin"})
    return r.returncode, r.stdout, r.stderr


def main():
    if not shutil.which("go"):
        skip("go is not installed (Debian golang-go): no go tool pprof")
    svc = Service()
    try:
        svc.cmd("a 300", "done a")
        base = "http://127.0.0.1:%d/debug/pprof/" % svc.port
        out = {}
        t = threading.Thread(target=lambda: out.update(r=pprof_raw(base + "mutex?seconds=2")))
        t0 = time.time()
        t.start()
        time.sleep(0.5)
        svc.cmd("b 500", "done b")
        t.join(150)
        rc, stdout, stderr = out.get("r", (-1, "", "no answer"))
        check(rc == 0, "go tool pprof mutex?seconds=2: rc %d %s" % (rc, stderr))
        check(time.time() - t0 >= 2, "the delta waited its 2 s")
        check("PeriodType: contentions count" in stdout, "period type in -raw")
        check("contentions/count delay/nanoseconds" in stdout, "sample types in -raw")
        check("contend_b" in stdout and "contend_a" not in stdout,
              "delta names contend_b only:\n" + stdout)
        dur = [l for l in stdout.splitlines() if l.startswith("Duration:")]
        check(dur and 1.8 <= float(dur[0].split()[1]) <= 3, "Duration: %s" % dur)
        check("symbolz" not in stderr.lower() or "failed" not in stderr.lower(),
              "no symbolization failure: %s" % stderr)
        rc, stdout, stderr = pprof_raw(base + "block")
        check(rc == 0 and "contend_a" in stdout and "contend_b" in stdout,
              "cumulative block: rc %d %s" % (rc, stderr))
        check(svc.stop() == 0, "service exits 0")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()
    done()


if __name__ == "__main__":
    main()
