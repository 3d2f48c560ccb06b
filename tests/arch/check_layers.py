# SPDX-License-Identifier: MIT
"""The architecture, checked (docs/architecture.md): every source folder is
a layer, a file includes only files of its own layer or of the layers below
it, and no two modules (a .c and its .h) include each other, directly or
through others.

usage: check_layers.py SOURCE_ROOT"""

import os
import re
import sys

# Each layer and the layers it may include, besides itself. Lower layers
# first. A folder that is not listed is an error: a new folder must be
# given its place here and in docs/architecture.md.
LAYERS = {
    "include": [],
    "src/base": ["include"],
    "src/format": ["src/base"],
    "src/record": ["src/base"],
    "src/export": ["src/base", "src/format", "src/record"],
    "src/http": ["src/base", "src/record", "src/export"],
    "src/live": ["src/base", "src/record", "src/export", "src/http"],
    "src/lifecycle": ["include", "src/base", "src/record", "src/export",
                      "src/http", "src/live"],
    "interpose": ["src/base", "src/record"],
    "src/cli": ["src/base", "src/format"],
}
# Where #include "x" is looked for, after the including file's own folder
# (meson.build's include_directories).
SEARCH = ["include", "src"]
GENERATED = {"profile.pb-c.h": "src/format"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for top in ("include", "src", "interpose"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)


def resolve(root, src, name):
    for d in [os.path.dirname(src)] + SEARCH:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.exists(os.path.join(root, p)):
            return p
    return None


def layer_of(path):
    d = os.path.dirname(path)
    return d if d in LAYERS else None


def module(path):
    return os.path.splitext(path)[0]


def find_cycle(graph):
    """A cycle in {module: {modules}} as a list, or None."""
    state = {}

    def visit(m, trail):
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return trail[trail.index(n):] + [n]
            if not state.get(n):
                c = visit(n, trail + [n])
                if c:
                    return c
        state[m] = 2
        return None

    for m in sorted(graph):
        if not state.get(m):
            c = visit(m, [m])
            if c:
                return c
    return None


def check(root):
    errors, graph = [], {}
    for src in sorted(sources(root)):
        here = layer_of(src)
        if here is None:
            errors.append("%s: folder %s is no layer (tests/arch/check_layers.py)"
                          % (src, os.path.dirname(src)))
            continue
        text = open(os.path.join(root, src), encoding="utf-8").read()
        for name in INCLUDE.findall(text):
            target = resolve(root, src, name)
            there = layer_of(target) if target else GENERATED.get(name)
            if target is None and there is None:
                errors.append('%s: #include "%s" is not in the tree' % (src, name))
                continue
            if there is None:
                errors.append('%s: #include "%s" is in no layer' % (src, name))
            elif there != here and there not in LAYERS[here]:
                errors.append('%s (%s) includes %s (%s): not a layer it may use'
                              % (src, here, target or name, there))
            if target and module(target) != module(src):
                graph.setdefault(module(src), set()).add(module(target))
    cycle = find_cycle(graph)
    if cycle:
        errors.append("include cycle: " + " -> ".join(cycle))
    return errors


def main():
    errors = check(sys.argv[1])
    for e in errors:
        print("FAIL: " + e)
    print("%d passed, %d failed" % (0 if errors else 1, 1 if errors else 0))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
