# SPDX-License-Identifier: MIT
"""Bad input: every command answers with exactly one line on stderr and
exit 2 — never a crash, never a table."""
import gzip
import os

from clitest import check, done, run, tmpdir
from pprof_writer import Profile, field, msg

d = tmpdir()
good = Profile(duration_ns=1_000_000_000).add(["main", "worker", "pthread_mutex_lock"], 2, 5000)
good_path = good.write(os.path.join(d, "good.pprof"))
data = good.encode()


def write(name, blob):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(blob)
    return path


def hooked(name, hook, compress=True):
    return write(name, good.encode(compress=compress, hook=hook))


def dup_location(parts):
    parts["location"].append(parts["location"][0])


def bad_string(parts):
    parts["function"].append(field(5, 2, msg(field(1, 0, 99), field(2, 0, 5000))))


def missing_location(parts):
    parts["sample"].append(field(2, 2, msg(field(1, 2, bytes([77])), field(2, 2, bytes([1, 1])))))


def three_values(parts):
    parts["sample"].append(field(2, 2, msg(field(1, 2, bytes([1])), field(2, 2, bytes([1, 1, 1])))))


def first_string(parts):
    parts["string_table"][0] = field(6, 2, b"oops")


def missing_function(parts):
    parts["location"].append(field(4, 2, msg(field(1, 0, 50), field(4, 2, msg(field(1, 0, 60))))))


def zero_id(parts):
    parts["function"].append(field(5, 2, msg(field(1, 0, 0), field(2, 0, 1))))


cases = {
    "text file": write("README", b"this is not a profile\n"),
    "empty file": write("empty", b""),
    "truncated gzip": write("trunc.pprof", data[: len(data) // 2]),
    "corrupt gzip": write("corrupt.pprof", data[:20] + bytes(b ^ 0x5A for b in data[20:40]) + data[40:]),
    "gzip of garbage": write("garbage.pprof", gzip.compress(b"\xff" * 100)),
    "truncated protobuf": write("trunc-plain.pprof", good.encode(compress=False)[:-7]),
    "wrong sample types": Profile(types=(("alloc_objects", "count"), ("alloc_space", "bytes")))
    .add(["main"], 1, 2).write(os.path.join(d, "heap.pprof")),
    "duplicate location id": hooked("dup.pprof", dup_location),
    "string index out of range": hooked("str.pprof", bad_string),
    "missing location": hooked("loc.pprof", missing_location),
    "missing function": hooked("fn.pprof", missing_function),
    "zero id": hooked("zero.pprof", zero_id),
    "value count": hooked("values.pprof", three_values),
    "string_table[0]": hooked("s0.pprof", first_string, compress=False),
    "missing file": os.path.join(d, "does-not-exist.pprof"),
    "directory": d,
}

out = os.path.join(d, "out")
for what, path in cases.items():
    for args in (["top", path], ["top", "--json", path], ["folded", path],
                 ["diff", good_path, path], ["diff", path, good_path],
                 ["check", "--max-increase", "10", good_path, path],
                 ["flame", "-o", out, path], ["merge", "-o", out, good_path, path]):
        p = run(*args, expect=2)
        lines = p.stderr.splitlines()
        check(len(lines) == 1 and lines[0].startswith("lockprof "),
              f"{what}: lockprof {' '.join(args)}: want one line on stderr, got {p.stderr!r}")
        check(p.stdout == "", f"{what}: lockprof {' '.join(args)}: wrote to stdout: {p.stdout[:200]!r}")

# The messages say what is wrong.
for what, word in [("truncated gzip", "truncated"), ("corrupt gzip", "corrupt gzip"),
                   ("wrong sample types", "alloc_objects/count"), ("text file", "not a pprof"),
                   ("duplicate location id", "duplicate location"), ("missing file", "No such file")]:
    p = run("top", cases[what], expect=2)
    check(word in p.stderr, f"{what}: message {p.stderr!r} lacks {word!r}")

# Two files of different kinds, as lockprof writes them (the kind in a
# comment), with stacks that do not tell (lockprof's leaf is the primitive's
# caller).
plain = Profile(duration_ns=1_000_000_000).add(["main", "worker"], 2, 5000)
plain.comments.append("lockprof kind=block")
b = plain.write(os.path.join(d, "block.pprof"))
plain.comments[0] = "lockprof kind=mutex"
m = plain.write(os.path.join(d, "mutex.pprof"))
for args in (["diff", b, m], ["check", "--max-increase", "5", b, m], ["flame", "--base", b, m],
             ["merge", "-o", out, b, m]):
    p = run(*args, expect=2)
    check(len(p.stderr.splitlines()) == 1 and "one kind" in p.stderr, f"kinds: {args}: {p.stderr!r}")

# Bad usage is exit 2 as well: one line naming the command and its --help.
for args in (["top"], ["top", "--by", "nothing", b], ["top", "-n", "x", b], ["diff", b],
             ["check", b, b], ["check", "--max-increase", "ten", b, b],
             ["check", "--max-increase", "5", "--min-delay", "5 parsecs", b, b],
             ["flame", "--width", "3", b], ["merge", b], ["folded", "--bogus", b],
             ["folded", "--diff", b], ["folded", "--per-second", b], ["top", "-n"]):
    p = run(*args, expect=2)
    check(len(p.stderr.splitlines()) == 1 and p.stderr.startswith(f"lockprof {args[0]}: ")
          and p.stderr.rstrip().endswith(f"(lockprof {args[0]} --help)"), f"usage: {args}: {p.stderr!r}")
p = run("folded", "--bogus", b, expect=2)
check(p.stderr == "lockprof folded: unknown option --bogus (lockprof folded --help)\n", f"unknown option: {p.stderr!r}")
p = run("nothing", expect=2)
check(p.stderr == "lockprof: unknown command nothing (lockprof --help)\n", f"unknown command: {p.stderr!r}")
p = run("--version", expect=0)
check(p.stdout.startswith("lockprof ") and len(p.stdout.split()) == 2, f"--version: {p.stdout!r}")
done()
