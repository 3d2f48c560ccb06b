# SPDX-License-Identifier: MIT
"""Reading protobuf's wire format, for tests that look inside profiles with
a decoder that shares no code with ours (stdlib only)."""


def varint(b, i):
    """The varint at b[i]: (value, index after it)."""
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def fields(b):
    """Each field of a message: (number, wire type, value); lengths and
    fixed-size values come as bytes-like, varints as ints."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif wire == 1:
            v = int.from_bytes(b[i:i + 8], "little")
            i += 8
        elif wire == 5:
            v = int.from_bytes(b[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("wire type %d" % wire)
        yield num, wire, v


def ints(wire, v):
    """A repeated integer field's values, packed or not."""
    if wire == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out
