"""Shared helpers of the lockprof CLI tests: run the tool, check, skip."""
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
failures = []


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


def check(cond, what):
    if not cond:
        fail(what)
    return cond


def close(got, want, rel, what):
    ok = got is not None and abs(got - want) <= rel * abs(want)
    return check(ok, f"{what}: got {got}, want {want} (within {rel:.0%})")


def fail(what):
    print("FAIL:", what)
    failures.append(what)


def skip(why):
    print("SKIP:", why)
    sys.exit(SKIP)


def tmpdir():
    return tempfile.mkdtemp(prefix="lockprof-cli-")


def done():
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("ok")
    sys.exit(0)
