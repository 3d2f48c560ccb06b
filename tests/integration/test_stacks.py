# SPDX-License-Identifier: MIT
"""Stacks as a user sees them (issue 12).

- An -O2 C++ program whose lock sites are inlined into libstdc++'s
  std::thread::_State_impl<...>::_M_run: `go tool pprof -top` lists the
  inlined functions, Hidden::go and ns::Tmpl::run, and -raw gives them the
  source lines of the lock calls; our decoder sees them too.
- A stripped copy, run twice: no bare addresses, and both runs' locations
  have the same names (module+offset), so runs compare.
- A stripped copy whose debug file is found through .gnu_debuglink (in
  .debug/ beside it): the inlined functions are named again.
(Finding debug files by build-id is in tests/format/test_debuginfo.c.)

usage: test_stacks.py CXXINLINE"""

import os
import re
import shutil
import sys

import lptest

SRC = os.path.join(os.path.dirname(__file__), "..", "progs", "cxxinline.cpp")
SITES = {"Hidden::go": "std::lock_guard<std::mutex> g(m);",
         "ns::Tmpl::run": "std::shared_lock<std::shared_mutex> l(sm);"}


def profile(prog, d):
    os.makedirs(d)
    env = lptest.preload_env({**lptest.RECORD_ALL,
                              "LOCKPROF_DIR": d})
    lptest.run([prog, "20"], env=env, timeout=120)
    return os.path.join(d, "block.pprof")


def raw_lines(path):
    """Every Line of every location: (function, file:line)."""
    p = lptest.run(["go", "tool", "pprof", "-raw", path])
    section, out = None, []
    for line in p.stdout.splitlines():
        if line in ("Locations", "Mappings"):
            section = line
            continue
        m = re.match(r"\s+(?:\d+: 0x[0-9a-f]+ (?:M=\d+ )?)?(.*) (\S*:\d+) s=\d+", line)
        if section == "Locations" and m:
            out.append((m.group(1), m.group(2)))
    return out


def top_functions(path):
    p = lptest.run(["go", "tool", "pprof", "-top", path])
    return p.stdout


def check_inlined(path, what):
    top = top_functions(path)
    lines = raw_lines(path)
    for site, text in SITES.items():
        lptest.check(re.search(r"\s%s \(inline\)$" % re.escape(site), top, re.M),
                     "%s: go tool pprof -top lists %s (inline)" % (what, site))
        want = "cxxinline.cpp:%d" % lptest.source_line(SRC, text)
        got = [fl for fn, fl in lines if fn == site]
        lptest.check(got and all(fl.endswith("/" + want) for fl in got),
                     "%s: %s at %s (got %s)" % (what, site, want, got))
    return top


def location_names(path):
    prof = lptest.go_raw(path)
    return sorted(set(fn for fn, _ in raw_lines(path)) |
                  set(f for s in prof.samples for loc in prof.frames(s) for f in loc))


def main():
    prog = os.path.abspath(sys.argv[1])
    if not lptest.have_go():
        lptest.skip("go is not installed (Debian golang-go)")
    if not shutil.which("objcopy"):
        lptest.skip("objcopy is not installed (Debian binutils)")
    d = lptest.tmpdir()

    block = profile(prog, os.path.join(d, "plain"))
    print(check_inlined(block, "-O2 -g"))
    lptest.agree(block)
    ours = lptest.folded(block)
    for site in SITES:
        lptest.check(any(site.split("::")[-1] in stack for stack in ours),
                     "our decoder shows %s" % site)

    stripped = os.path.join(d, "cxxinline")
    lptest.run(["objcopy", "--strip-all", prog, stripped])
    first = location_names(profile(stripped, os.path.join(d, "s1")))
    second = location_names(profile(stripped, os.path.join(d, "s2")))
    print("stripped: %s" % ", ".join(first))
    lptest.check(not [n for n in first if re.match(r"0x[0-9a-f]+$", n)],
                 "stripped: no frame is a bare address")
    lptest.check(any(n.startswith("[cxxinline]+0x") for n in first),
                 "stripped: the program's frames are [cxxinline]+offset")
    lptest.check(first == second, "stripped, run twice: the same location names")

    linked = os.path.join(d, "linked", "cxxinline")
    os.makedirs(os.path.join(d, "linked", ".debug"))
    debug = os.path.join(d, "linked", ".debug", "cxxinline.debug")
    lptest.run(["objcopy", "--only-keep-debug", prog, debug])
    lptest.run(["objcopy", "--strip-all", "--add-gnu-debuglink=" + debug, prog, linked])
    check_inlined(profile(linked, os.path.join(d, "l")), "stripped with .gnu_debuglink")
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
