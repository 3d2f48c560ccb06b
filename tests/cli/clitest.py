# SPDX-License-Identifier: MIT
"""Shared helpers of the lockprof CLI tests: run the tool; checks are
counted (testlib.Tally) and done() says how many passed and failed."""
import json
import os
import re
import shutil
import subprocess
import tempfile

import testlib

_checks = testlib.Tally()
check, fail, skip, done = _checks.check, _checks.fail, _checks.skip, _checks.done


def lockprof():
    return os.environ["LOCKPROF_CLI"]


def run(*args, expect=None, stdin=None):
    """Run lockprof with args; returns CompletedProcess (text)."""
    p = subprocess.run([lockprof(), *map(str, args)], capture_output=True,
                       text=True, input=stdin, timeout=120)
    if p.returncode < 0 or "Sanitizer" in p.stderr:
        fail(f"lockprof {' '.join(map(str, args))} crashed: rc={p.returncode} {p.stderr[-2000:]}")
    if expect is not None and p.returncode != expect:
        fail(f"lockprof {' '.join(map(str, args))}: exit {p.returncode}, want {expect}\n"
             f"stdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p


def run_json(*args, expect=0):
    p = run(*args, "--json", expect=expect)
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        fail(f"lockprof {' '.join(map(str, args))} --json: not JSON ({e}): {p.stdout[:500]}")
        return {}


def close(got, want, rel, what):
    ok = got is not None and abs(got - want) <= rel * abs(want)
    return check(ok, f"{what}: got {got}, want {want} (within {rel:.0%})")


def tmpdir():
    return tempfile.mkdtemp(prefix="lockprof-cli-")


def go_env(d):
    """An environment for go commands with its caches under d; skips the
    test when go is not installed."""
    if not shutil.which("go"):
        skip("go is not installed (Debian golang-go): not compared with go tool pprof")
    return dict(os.environ, GOCACHE=os.path.join(d, "gocache"), GOPATH=os.path.join(d, "gopath"),
                GOFLAGS="-mod=mod", GO111MODULE="off", GOTOOLCHAIN="local", HOME=d)


def pprof_top(path, sample, env):
    """{function: flat} and the total from `go tool pprof -top`."""
    r = subprocess.run(["go", "tool", "pprof", "-top", "-nodecount=1000", "-nodefraction=0",
                        "-edgefraction=0", "-unit=ns",
                        "-sample_index=" + sample, path],
                       capture_output=True, text=True, env=env)
    check(r.returncode == 0, f"go tool pprof -top {path}: {r.stderr}")
    total = re.search(r"of ([\d.]+)(ns)? total", r.stdout)
    flat = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d.]+)(?:ns)?\s+[\d.]+%\s+[\d.]+%\s+[\d.]+(?:ns)?\s+[\d.]+%\s+(.+?)( \(inline\))?$", line)
        if m and float(m.group(1)):
            flat[m.group(2)] = float(m.group(1))
    return flat, float(total.group(1)) if total else None


def pprof_agree(path, env):
    """lockprof top --by leaf == pprof -top's flat column, for both values."""
    for sample, key in (("delay", "delay_ns"), ("contentions", "contentions")):
        flat, total = pprof_top(path, sample, env)
        t = run_json("top", "--by", "leaf", "--type", sample, "-n", "0", path)
        mine = {s["site"]: s[key] for s in t.get("sites", []) if s[key]}
        check(mine == flat, f"{path} {sample}: lockprof {mine} != pprof {flat}")
        check(total == t.get("total", {}).get(key), f"{path} {sample}: totals {total} vs {t.get('total')}")
