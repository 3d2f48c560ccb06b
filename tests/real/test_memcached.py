# SPDX-License-Identifier: MIT
"""Debian's memcached (-t 4, 127.0.0.1) natively and under liblockprof,
loaded by memcaslap and checked by memccapable: no errors, the same
behaviour, both profiles written when SIGTERM stops it. Debian's binary is
stripped: its frames are named by module and offset ([memcached]+0x1a2b,
the same in every run), the profile keeps its build-id (so pprof can name
them once symbols appear, see test_memcached_src.py) and names the frames
of libc and libevent."""
import os
import re

import mclib
from realtest import (Profile, check, elf_build_id, fail, go_pprof, need, preload_env,
                      native_env, profiles_in, say, show_top, size, tmpdir)

binary = os.path.realpath(need("memcached", "memcached"))
mclib.tools()

native = mclib.session(binary, native_env(), "native")
out = tmpdir("memcached")
traced = mclib.session(binary, preload_env(out), "lockprof")
mclib.same_behaviour(native, traced)

files = profiles_in(out)
check(files == ["block.pprof", "mutex.pprof"],
      f"both profiles written at SIGTERM, nothing else: {files}")

bid = elf_build_id(binary)
stripped = b".symtab" not in open(binary, "rb").read()
say(f"{binary}: build-id {bid or 'none'}, {'stripped' if stripped else 'not stripped'}")

for name in files:
    path = os.path.join(out, name)
    say(f"--- {name}: {size(path)} bytes")
    t = show_top(path)
    check(t["total"]["contentions"] > 0, f"{name} has samples")
    prof = Profile.read(path)
    maps = dict(prof.mappings.values())
    check(maps.get(binary) == bid and bid,
          f"{name}: the mapping of {binary} keeps its build-id {bid}")
    # Which mapping the top sites' caller frames are in, and what is named.
    named, unnamed, own = {}, {}, set()
    for sample in prof.samples:
        for file, fn in prof.file_frames(sample):
            base = os.path.basename(file)
            (named if fn else unnamed)[base] = (named if fn else unnamed).get(base, 0) + 1
            if file == binary:
                own.add(fn)
    say(f"{name}: named frames by object {named}; unnamed {unnamed}")
    # The leaf is the primitive (no mapping); the program's frames follow.
    top = prof.file_frames(max(prof.samples, key=lambda s: s.values[-1]))
    check(top[0] in (("", "pthread_mutex_lock"), ("", "pthread_mutex_unlock")),
          f"{name}: the top stack's leaf is the primitive ({top[0]})")
    check(len(top) > 1 and top[1][0] == binary,
          f"{name}: the top stack's first frame of the program is in memcached itself ({top[1:2]})")
    libc = [b for b in named if b.startswith("libc.so")]
    check(libc, f"{name}: libc frames are named ({libc})")
    if stripped:
        offsets = [f for f in own if re.fullmatch(r"\[memcached\]\+0x[0-9a-f]+", f or "")]
        check(own and len(offsets) == len(own),
              f"{name}: memcached's own frames are named by module and offset "
              f"(stripped binary): {sorted(own, key=str)[:5]}")
        check(any(b.startswith("libevent") for b in named),
              f"{name}: libevent frames are named from its dynamic symbols")
    if go_pprof(path) is not None:
        say(f"{name}: go tool pprof reads it")

say(f"memcached natively: {native['load']['run_time']}s of load; "
    f"under lockprof: {traced['load']['run_time']}s")
say("PASS")
