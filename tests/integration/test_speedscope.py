# SPDX-License-Identifier: MIT
"""speedscope reads our profiles (issue 12): block.pprof, mutex.pprof and
hold.pprof, labelled (LOCKPROF_LABELS=lock,thread,wait) and not, written by
tests/progs/labelled.c and tests/progs/holdtimed.c under the preload, are
opened with speedscope's own importer (the npm package, pinned in
tests/speedscope/package-lock.json, run by node: tests/speedscope/import.cjs).

For each file: it is imported as a pprof profile, without error; it is one
profile in nanoseconds (the last sample type: delay, or held); its total is
the one our decoder (`lockprof folded`) reads; its stacks and weights, and
the totals it gives each frame, are those of the samples as read by
testlib's decoder, the labels merged (speedscope shows no labels) and each
location named by the function its code is in (speedscope drops inlined
calls); they name the program's functions, and each stack ends in the
primitive the program called. Against the program's own measurement: the
waits the waiters timed (block: wait_turn; mutex: the releasing hold),
each less by at most 15%, and at LOCKPROF_HOLD_FRACTION=1 the time held,
within 5%.

Skips (77) when node is not installed, unless CI is set. Installs the
pinned package (`npm ci`, as .ci/run does) when it is missing.

usage: test_speedscope.py LABELLED HOLDTIMED"""

import json
import os
import re
import shutil
import sys

import lptest
import testlib

NPM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "speedscope")
IMPORT = os.path.join(NPM_DIR, "import.cjs")
LABELS = "lock,thread,wait"
# What each profile's stacks must go through: the program's functions and
# the primitives at their leaves; and whether, labelled, several label sets
# share a stack (labelled.c's four waiters wait, and their four holders
# release, from one stack; in holdtimed each site has one lock and thread).
EXPECT = {
    "labelled": {"block.pprof": ({"waiter", "wait_turn", "main", "wait_renamed"},
                                 {"pthread_mutex_lock", "sem_wait"}, True),
                 "mutex.pprof": ({"holder", "hold", "post_later"},
                                 {"pthread_mutex_unlock", "sem_post"}, True)},
    "holdtimed": {"hold.pprof": ({"work", "hold_short", "hold_long", "hold_recursive", "release_first",
                                  "release_second", "hold_write", "hold_cond"},
                                 {"pthread_mutex_unlock", "pthread_rwlock_unlock"}, False)},
}


def speedscope(paths, version):
    """What speedscope's importer made of each file: {path: entry}."""
    p = lptest.run(["node", IMPORT] + paths, timeout=120)
    out = json.loads(p.stdout)
    lptest.check(out["version"] == "speedscope v" + version and len(out["files"]) == len(paths),
                 "%s read %d files" % (out["version"], len(out["files"])))
    return {f["file"]: f for f in out["files"]}


def missing(what):
    """A developer's machine without node or npm skips; CI must run."""
    if os.environ.get("CI"):
        lptest.fail("%s is not installed (CI must run speedscope)" % what)
    lptest.skip("%s is not installed: speedscope cannot be run" % what)


def pinned():
    """(the version tests/speedscope/package.json pins, the one installed)"""
    with open(os.path.join(NPM_DIR, "package.json")) as f:
        pin = json.load(f)["dependencies"]["speedscope"]
    try:
        with open(os.path.join(NPM_DIR, "node_modules", "speedscope", "package.json")) as f:
            return pin, json.load(f)["version"]
    except FileNotFoundError:
        return pin, None


def install():
    """The pinned speedscope, from tests/speedscope/package-lock.json, as
    .ci/run installs it, when it is not there."""
    pin, installed = pinned()
    if installed == pin:
        return pin
    if not shutil.which("npm"):
        missing("npm")
    testlib.say("installing speedscope %s: npm ci --prefix tests/speedscope" % pin)
    lptest.run(["npm", "ci", "--prefix", NPM_DIR, "--no-audit", "--no-fund", "--ignore-scripts",
                "--loglevel=error"], timeout=280)
    lptest.check(pinned()[1] == pin, "speedscope %s installed" % pin)
    return pin


def expected(prof):
    """{stack root first: weight} and {frame: total} as speedscope builds
    them from the samples: each location is the function its code is in
    (the last of its lines), locations without one are left out, samples
    with the same stack merged whatever their labels, the last sample
    type's values, zeros left out; a frame's total counts a sample once."""
    stacks, frames = {}, {}
    for s in prof.samples:
        weight = s.values[-1]
        if weight == 0:
            continue
        stack = tuple(f for f in reversed(prof.stack(s)) if f != "?")
        stacks[stack] = stacks.get(stack, 0) + weight
        for f in set(stack):
            frames[f] = frames.get(f, 0) + weight
    return stacks, frames


def check_file(path, entry, labelled, functions, primitives, shared):
    name = "%s (%s)" % (os.path.basename(path), "labelled" if labelled else "unlabelled")
    lptest.check(entry["logs"] == ["Importing as protobuf encoded pprof file"] and entry["profiles"],
                 "%s: speedscope imports it as pprof: %s" % (name, entry["logs"]))
    lptest.check(len(entry["profiles"]) == 1, "%s: one profile" % name)
    shown = entry["profiles"][0]
    prof = testlib.Profile.read(path)
    lptest.check(shown["unit"] == "nanoseconds" and prof.types[-1][1] == "nanoseconds",
                 "%s: in nanoseconds, the last sample type %s" % (name, prof.types[-1]))
    ours = sum(lptest.folded(path).values())
    lptest.check(shown["total"] == ours and ours > 0,
                 "%s: total %d ns (%s) is our decoder's %s %d ns"
                 % (name, shown["total"], shown["shown"], prof.types[-1][0], ours))

    stacks = {}
    for s in shown["stacks"]:
        stacks[tuple(s["stack"])] = stacks.get(tuple(s["stack"]), 0) + s["weight"]
    frames = {}
    for f in shown["frames"]:
        frames[f["name"]] = frames.get(f["name"], 0) + f["total"]
    want_stacks, want_frames = expected(prof)
    lptest.check(stacks == want_stacks, "%s: its %d stacks and weights are the samples': %s, want %s"
                 % (name, len(stacks), sorted(stacks.items()), sorted(want_stacks.items())))
    lptest.check(frames == want_frames, "%s: the total of each of its %d frames: %s, want %s"
                 % (name, len(frames), sorted(frames.items()), sorted(want_frames.items())))
    names = {testlib.base(f) for f in frames}
    lptest.check(functions <= names, "%s: names the program's functions %s: %s"
                 % (name, sorted(functions), sorted(names)))
    leaves = {stack[-1] for stack in stacks}
    lptest.check(leaves == primitives, "%s: every stack ends in a primitive %s: %s"
                 % (name, sorted(primitives), sorted(leaves)))

    # Labels: the samples of one stack (one per label set) are merged
    # (compared above), and no label's value is shown as a frame.
    values = {v for s in prof.samples for v in s.labels.values()}
    lptest.check(bool(values) == labelled, "%s: labels in the file: %s" % (name, sorted(values)))
    if labelled and shared:
        lptest.check(len(prof.samples) > len(want_stacks),
                     "%s: %d samples, %d stacks: label sets merged"
                     % (name, len(prof.samples), len(want_stacks)))
    if labelled:
        lptest.check(not values & set(frames), "%s: no label shown as a frame" % name)
    return frames


def main():
    labelled, holdtimed = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if not shutil.which("node"):
        missing("node")
    version = install()
    d = lptest.tmpdir()
    runs = []  # (program, labelled, dir, its output)
    for labels in (LABELS, None):
        for prog, args, env in ((labelled, ["20"],
                                 dict(lptest.RECORD_ALL)),
                                (holdtimed, ["1500"], {"LOCKPROF_HOLD_FRACTION": "1"})):
            out = os.path.join(d, "%s-%s" % (os.path.basename(prog), "labelled" if labels else "plain"))
            os.makedirs(out)
            env = dict(env, LOCKPROF_DIR=out)
            if labels:
                env["LOCKPROF_LABELS"] = labels
            p = lptest.run([prog] + args, env=lptest.preload_env(env), timeout=120)
            lptest.check(p.stderr == "", "%s: nothing on stderr: %r" % (os.path.basename(prog), p.stderr))
            runs.append((os.path.basename(prog), labels is not None, out, p.stdout))
    paths = [os.path.join(out, f) for prog, _, out, _ in runs for f in EXPECT[prog]]
    shown = speedscope(paths, version)

    for prog, is_labelled, out, stdout in runs:
        frames = {}
        for f, expect in EXPECT[prog].items():
            path = os.path.join(out, f)
            frames[f] = check_file(path, shown[path], is_labelled, *expect)
        kind = "labelled" if is_labelled else "unlabelled"
        if prog == "labelled":
            # The waiters timed each pthread_mutex_lock: the block profile
            # has the waits under wait_turn, the mutex profile under the
            # releasing hold. The profile times a wait from inside the
            # call: a little less, by at most 15% (and 2 us) a wait, as
            # test_labels allows, or by anything when the waiter was
            # preempted around it; never more (1% for the two clocks).
            waits = [(int(ns), bool(preempted)) for ns, preempted
                     in re.findall(r"^wait \w+ (\d+)( preempted)?$", stdout, re.M)]
            timed = sum(ns for ns, _ in waits)
            least = sum(0 if preempted else max(0, ns - max(2000, 0.15 * ns))
                        for ns, preempted in waits)
            for f, frame in (("block.pprof", "wait_turn"), ("mutex.pprof", "hold")):
                got = frames[f].get(frame, 0)
                lptest.check(least <= got <= 1.01 * timed,
                             "%s %s: speedscope's %s %d ns, the waiters timed %d ns"
                             % (kind, f, frame, got, timed))
        else:
            # Every hold the workers timed ("hold|stretched SITE count
            # total squares"), under work; within 5%, as test_hold at N=1.
            timed = sum(int(line.split()[3]) for line in stdout.splitlines())
            got = frames["hold.pprof"].get("work", 0)
            lptest.check(lptest.within(got, timed, 0.05),
                         "%s hold.pprof: speedscope's work %d ns held, the program timed %d ns"
                         % (kind, got, timed))
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
