# SPDX-License-Identifier: MIT
"""Every example of docs/cli.md and docs/baseline.md runs as shown: each
```console block's "$ " lines are run by sh in a copy of tests/cli/fixtures
(lockprof on PATH), and their standard output must be the lines that
follow. LOCKPROF_DOCS_UPDATE=1 writes the outputs into the documents
instead. argv: DOC..."""
import os
import re
import shutil
import subprocess
import sys

from clitest import check, done, lockprof, tmpdir

fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
update = os.environ.get("LOCKPROF_DOCS_UPDATE") == "1"
env = dict(os.environ, PATH=os.path.dirname(lockprof()) + os.pathsep + os.environ["PATH"], LC_ALL="C")


def run_block(cwd, lines):
    """[(command, expected output lines, actual output)] of one block."""
    out, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            check(False, f"a console block must start with '$ ': {lines[i]!r}")
            return out
        cmd, j = lines[i][2:], i + 1
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        p = subprocess.run(["sh", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
        check("Sanitizer" not in p.stderr, f"{cmd}: {p.stderr}")
        out.append((cmd, lines[i + 1:j], p.stdout))
        i = j
    return out


commands = set()
for doc in sys.argv[1:]:
    text = open(doc).read()
    cwd = tmpdir()
    shutil.rmtree(cwd)
    shutil.copytree(fixtures, cwd)
    new, pos = [], 0
    for m in re.finditer(r"^```console\n(.*?)^```$", text, re.M | re.S):
        lines = m.group(1).splitlines()
        body = []
        for cmd, want, got in run_block(cwd, lines):
            commands.update(re.findall(r"\blockprof (\w+)", cmd))
            if not update:
                check(want == got.splitlines(), f"{os.path.basename(doc)}: $ {cmd}\n--- shown:\n"
                      + "\n".join(want) + "\n--- got:\n" + got)
            body += ["$ " + cmd] + got.splitlines()
        new.append(text[pos:m.start(1)] + "\n".join(body) + "\n")
        pos = m.end(1)
    if update:
        with open(doc, "w") as f:
            f.write("".join(new) + text[pos:])
check({"top", "diff", "check", "folded", "flame", "merge"} <= commands,
      f"every analysis command has an example: {sorted(commands)}")
done()
