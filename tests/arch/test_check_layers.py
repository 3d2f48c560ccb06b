# SPDX-License-Identifier: MIT
"""The layer check can fail: a tree of a few files with a lower layer that
includes a higher one, an include cycle and a folder that is no layer is
refused on each count, and the same tree without them passes.

usage: test_check_layers.py"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_layers  # noqa: E402

passed = failed = 0


def expect(cond, what):
    global passed, failed
    print(("ok: " if cond else "FAIL: ") + what)
    passed += bool(cond)
    failed += not cond


def tree(files):
    root = tempfile.mkdtemp(prefix="lockprof-layers-")
    for path, text in files.items():
        os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(root, path), "w") as f:
            f.write(text)
    return root


GOOD = {
    "src/base/clock.h": "",
    "src/base/clock.c": '#include "clock.h"\n',
    "src/record/waitstate.h": '#include "base/clock.h"\n',
    "src/record/waitstate.c": '#include "waitstate.h"\n#include "base/clock.h"\n',
    "src/live/dumps.c": '#include "record/waitstate.h"\n',
}
expect(check_layers.check(tree(GOOD)) == [], "a tree that keeps the rules passes")

up = dict(GOOD)
up["src/base/clock.c"] = '#include "clock.h"\n#include "record/waitstate.h"\n'
errors = check_layers.check(tree(up))
expect(any("src/base/clock.c (src/base) includes src/record/waitstate.h" in e
           for e in errors), "a lower layer including a higher one fails: %s" % errors)

cyc = dict(GOOD)
cyc["src/record/stacktab.h"] = '#include "waitstate.h"\n'
cyc["src/record/waitstate.c"] = '#include "waitstate.h"\n#include "stacktab.h"\n'
cyc["src/record/stacktab.c"] = '#include "stacktab.h"\n'
cyc["src/record/waitstate.h"] = '#include "stacktab.h"\n'
errors = check_layers.check(tree(cyc))
expect(any(e.startswith("include cycle: ") for e in errors),
       "an include cycle fails: %s" % errors)

stray = dict(GOOD)
stray["src/misc/thing.c"] = ""
errors = check_layers.check(tree(stray))
expect(any("is no layer" in e for e in errors), "a folder that is no layer fails: %s" % errors)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
