# SPDX-License-Identifier: MIT
"""A minimal pprof encoder for tests: profiles with known stacks and values,
written from scratch (no protobuf library) so that tests control every
field, including wrong ones."""
import gzip


def varint(n):
    n &= (1 << 64) - 1  # negative int64: two's complement, 10 bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    if wire == 0:
        return varint(num << 3) + varint(payload)
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def msg(*fields):
    return b"".join(fields)


class Profile:
    """Stacks are lists of function names, root first (as folded stacks)."""

    def __init__(self, types=(("contentions", "count"), ("delay", "nanoseconds")),
                 duration_ns=0, time_ns=1_700_000_000_000_000_000,
                 mapping_start=0x400000, binary="/opt/app/app", build_id="abc123"):
        self.types = list(types)
        self.duration_ns = duration_ns
        self.time_ns = time_ns
        self.mapping_start = mapping_start
        self.binary = binary
        self.build_id = build_id
        self.samples = []  # (stack, values, {label key: string})
        self.comments = []
        self.strings = [""]
        self.index = {"": 0}
        self.funcs = {}  # name -> id
        self.files = {}  # name -> source file, else app/NAME.c

    def add(self, stack, *values, labels=None):
        self.samples.append((list(stack), list(values), dict(labels or {})))
        return self

    def s(self, text):
        if text not in self.index:
            self.index[text] = len(self.strings)
            self.strings.append(text)
        return self.index[text]

    def encode(self, compress=True, hook=None):
        """hook(parts) may edit the dict of encoded parts before joining."""
        parts = {"sample_type": [], "sample": [], "mapping": [], "location": [],
                 "function": [], "tail": []}
        for t, u in self.types:
            parts["sample_type"].append(field(1, 2, msg(field(1, 0, self.s(t)), field(2, 0, self.s(u)))))
        locs = {}
        for stack, values, labels in self.samples:
            ids = []
            for name in reversed(stack):  # leaf first
                if name not in locs:
                    fid = self.funcs.setdefault(name, len(self.funcs) + 1)
                    lid = len(locs) + 1
                    locs[name] = lid
                    parts["location"].append(field(4, 2, msg(
                        field(1, 0, lid), field(2, 0, 1),
                        field(3, 0, self.mapping_start + 0x1000 + 16 * lid),
                        field(4, 2, msg(field(1, 0, fid), field(2, 0, 10 + lid))))))
                ids.append(locs[name])
            parts["sample"].append(field(2, 2, msg(
                field(1, 2, b"".join(varint(i) for i in ids)),
                field(2, 2, b"".join(varint(v) for v in values)),
                *(field(3, 2, msg(field(1, 0, self.s(k)), field(2, 0, self.s(v))))
                  for k, v in labels.items()))))
        for name, fid in self.funcs.items():
            parts["function"].append(field(5, 2, msg(
                field(1, 0, fid), field(2, 0, self.s(name)), field(3, 0, self.s(name)),
                field(4, 0, self.s(self.files.get(name, "app/" + name.split(".")[0] + ".c"))))))
        parts["mapping"].append(field(3, 2, msg(
            field(1, 0, 1), field(2, 0, self.mapping_start),
            field(3, 0, self.mapping_start + 0x100000), field(5, 0, self.s(self.binary)),
            field(6, 0, self.s(self.build_id)), field(7, 0, 1))))
        period_type = field(11, 2, msg(field(1, 0, self.s("contentions")), field(2, 0, self.s("count"))))
        for c in self.comments:
            parts["tail"].append(field(13, 0, self.s(c)))
        parts["tail"] += [field(9, 0, self.time_ns), period_type, field(12, 0, 1)]
        if self.duration_ns:
            parts["tail"].append(field(10, 0, self.duration_ns))
        parts["string_table"] = [field(6, 2, t.encode()) for t in self.strings]
        if hook:
            hook(parts)
        order = ["sample_type", "sample", "mapping", "location", "function", "string_table", "tail"]
        data = b"".join(b"".join(parts[k]) for k in order)
        return gzip.compress(data, mtime=0) if compress else data

    def write(self, path, **kw):
        with open(path, "wb") as f:
            f.write(self.encode(**kw))
        return path
