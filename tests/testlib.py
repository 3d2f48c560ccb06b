# SPDX-License-Identifier: MIT
"""What every Python test suite shares: saying, skipping (exit 77, meson's
skip), checking and failing, and reading a profile (stdlib only, through
pbwire: a decoder that shares no code with ours).

Each suite's helper (safety/safelib.py, integration/lptest.py,
live/livelib.py, cli/clitest.py, real/realtest.py) picks one way of
checking and exports its check and fail:

    _checks = testlib.FailFast()      # or testlib.Tally()
    check, fail = _checks.check, _checks.fail

The meson tests of every suite put tests/ on PYTHONPATH."""

import collections
import gzip
import sys

from pbwire import fields, ints

SKIP = 77


def say(*a):
    print(*a, flush=True)


def skip(why):
    say("SKIP: " + why)
    sys.exit(SKIP)


class FailFast:
    """The first failed check ends the test (exit 1): a check may rely on
    the ones before it. Each check that passes says so ('ok: ...')."""

    def __init__(self):
        self.failed = 0

    def fail(self, what):
        self.failed += 1
        say("FAIL: " + what)
        sys.exit(1)

    def check(self, cond, what):
        if not cond:
            self.fail(what)
        say("ok: " + what)
        return cond


class Tally:
    """Every check runs: a failed one is said ('FAIL: ...') and counted;
    done() ends the test with 'N passed, N failed', exit 1 when any
    failed."""

    def __init__(self):
        self.passed = self.failed = 0

    def fail(self, what):
        self.failed += 1
        say("FAIL: " + what)

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.fail(what)
        return cond

    def skip(self, why):
        """Exit 77, unless checks made before failed (then done())."""
        if self.failed:
            self.done()
        skip(why)

    def done(self):
        say("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


# ---- profiles ----

def parse_folded(text):
    """`lockprof folded`'s output: {stack (root first, ';'-joined): value}."""
    out = {}
    for line in text.splitlines():
        stack, _, value = line.rpartition(" ")
        out[stack] = out.get(stack, 0) + int(value)
    return out


# A location: its address, its mapping's id (0: none) and the functions
# of its lines, the innermost inlined one first, the one the code is in
# last. A sample: its location ids, leaf first, and its values
# (contentions, delay).
Location = collections.namedtuple("Location", "address mapping functions")
# labels: {key: string} of the sample's string labels (None: not read)
Sample = collections.namedtuple("Sample", "locations values labels", defaults=(None,))


def base(function):
    """A function's name without the suffixes gcc adds (.constprop.0,
    .isra.0, .part.0)."""
    return function.split(".")[0] if function else function


def _signed(x):
    return x - (1 << 64) if x >= 1 << 63 else x


def _message(v):
    return dict((n, x) for n, _, x in fields(v))


class Profile:
    """A pprof profile (gzipped or not) as the tests look at it. Profile()
    is an empty one, for a reader of another format (lptest.go_raw) to
    fill."""

    def __init__(self, data=None):
        self.types = []             # [(type, unit)] of the sample values
        self.period_type = None     # (type, unit)
        self.period = self.time_nanos = self.duration_nanos = 0
        self.mappings = {}          # id: (file, build id)
        self.locations = {}         # id: Location
        self.samples = []           # [Sample]
        if data is not None:
            self._decode(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)

    @classmethod
    def read(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())

    def _decode(self, raw):
        strings, types, period_type = [], [], None
        maps, locs, funcs, samples = {}, {}, {}, []
        for num, wire, v in fields(raw):
            if num == 6:
                strings.append(v.decode())
            elif num == 1:
                types.append(_message(v))
            elif num == 11:
                period_type = _message(v)
            elif num == 2:
                ids, vals, labels = [], [], []
                for n, w, x in fields(v):
                    if n == 1:
                        ids += ints(w, x)
                    elif n == 2:
                        vals += [_signed(y) for y in ints(w, x)]
                    elif n == 3:
                        label = _message(x)
                        labels.append((label.get(1, 0), label.get(2, 0)))
                samples.append((ids, vals, labels))
            elif num == 3:
                m = _message(v)
                maps[m.get(1, 0)] = (m.get(5, 0), m.get(6, 0))
            elif num == 4:
                lid = mid = addr = 0
                fids = []
                for n, _, x in fields(v):
                    if n == 1:
                        lid = x
                    elif n == 2:
                        mid = x
                    elif n == 3:
                        addr = x
                    elif n == 4:
                        fids.append(_message(x).get(1, 0))
                locs[lid] = (addr, mid, fids)
            elif num == 5:
                f = _message(v)
                funcs[f.get(1, 0)] = f.get(2, 0)
            elif num == 9:
                self.time_nanos = v
            elif num == 10:
                self.duration_nanos = v
            elif num == 12:
                self.period = v
        self.samples = [Sample(ids, vals, {strings[k]: strings[s] for k, s in labels if s})
                        for ids, vals, labels in samples]
        self.types = [(strings[t.get(1, 0)], strings[t.get(2, 0)]) for t in types]
        if period_type is not None:
            self.period_type = (strings[period_type.get(1, 0)],
                                strings[period_type.get(2, 0)])
        self.mappings = {mid: (strings[f], strings[b]) for mid, (f, b) in maps.items()}
        self.locations = {lid: Location(addr, mid, [strings[funcs[f]] if f in funcs else "?"
                                                    for f in fids])
                          for lid, (addr, mid, fids) in locs.items()}

    # -- a sample's stack --

    def names(self, locs):
        """Every function of the locations (inlined ones too), leaf first."""
        return [f for lid in locs for f in self.locations[lid].functions]

    def stack(self, sample):
        """The function of each location, leaf first: the one the code is
        in; '?' for a location without one."""
        return [f[-1] if f else "?" for f in self.frames(sample)]

    def frames(self, sample):
        """The functions of each location, leaf first: those inlined there,
        innermost first, then the one the code is in; ['?'] for a location
        without one."""
        out = []
        for lid in sample.locations:
            loc = self.locations.get(lid)
            out.append(list(loc.functions) if loc and loc.functions else ["?"])
        return out

    def file_frames(self, sample):
        """[(file of the location's mapping, function)] leaf first, an
        inlined function as a frame of its own; a location without a
        function is one frame named ''."""
        out = []
        for lid in sample.locations:
            loc = self.locations[lid]
            file = self.mappings.get(loc.mapping, ("", ""))[0]
            out += [(file, f) for f in loc.functions or [""]]
        return out

    def stack_functions(self):
        """Every function the samples' stacks go through (at each location
        the one the code is in), gcc's suffixes aside."""
        return {base(f) for s in self.samples for f in self.stack(s)}

    # -- sums --

    def total(self, index=1):
        """Sum of one value (0 contentions, 1 delay) over the samples."""
        return sum(s.values[index] for s in self.samples)

    def totals(self, func=None):
        """(contentions, delay) of the samples whose stack has `func` (all
        of them when None)."""
        c = d = 0
        for s in self.samples:
            if func is None or func in self.names(s.locations):
                c += s.values[0]
                d += s.values[1]
        return c, d

    def by_frame(self, name, index=1):
        """Sum of one value over the samples with a frame (inlined ones
        too) whose function is `name` (gcc's .constprop/.isra suffixes
        aside)."""
        return sum(s.values[index] for s in self.samples
                   if any(base(f) == name for loc in self.frames(s) for f in loc))

    def by_addresses(self):
        """{tuple of location addresses: [contentions, delay]}, as Alloy
        keys samples across scrapes."""
        out = {}
        for s in self.samples:
            k = tuple(self.locations[lid].address for lid in s.locations)
            acc = out.setdefault(k, [0, 0])
            acc[0] += s.values[0]
            acc[1] += s.values[1]
        return out
