# SPDX-License-Identifier: MIT
"""flame: a well-formed, self-contained SVG whose frames have the right
widths and colors; rendered by headless Chromium when it is installed."""
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

from clitest import check, close, done, run, tmpdir
from pprof_writer import Profile

d = tmpdir()
W, L = ["main", "worker", "pthread_mutex_lock"], ["main", "logger", "pthread_cond_wait"]
base = Profile(duration_ns=10**9).add(W, 10, 300_000_000).add(L, 10, 300_000_000)
# Worker doubles, logger halves; a name that needs escaping in XML.
new = Profile(duration_ns=10**9).add(W, 20, 600_000_000).add(L, 5, 150_000_000)
new.add(["main", "a<b>&\"c\" \u00e9"], 1, 150_000_000)
bp, np_ = base.write(os.path.join(d, "base.pprof")), new.write(os.path.join(d, "new.pprof"))
NS = "{http://www.w3.org/2000/svg}"


def frames(path):
    root = ET.parse(path).getroot()
    out = {}
    for g in root.iter(NS + "g"):
        title, rect = g.find(NS + "title").text, g.find(NS + "rect")
        out[title.split(":")[0]] = (float(rect.get("width")), rect.get("fill"), title)
    return root, out


plain = os.path.join(d, "plain.svg")
run("flame", "-o", plain, np_, expect=0)
root, f = frames(plain)
text = open(plain, encoding="utf-8").read()
check("<script" not in text and "href" not in text and text.count("http") == 1,
      "no scripts, links or network references")
total = f["all"][0]
close(f["worker"][0], total * 600 / 900, 0.01, "worker width is its share")
close(f["logger"][0], total * 150 / 900, 0.01, "logger width is its share")
check(any(k.startswith("a<b>&\"c\"") for k in f), f"escaped name survives: {list(f)}")

diff = os.path.join(d, "diff.svg")
run("flame", "--base", bp, "-o", diff, "--title", "worker doubled", np_, expect=0)
root, f = frames(diff)
red = tuple(map(int, f["worker"][1][4:-1].split(",")))
blue = tuple(map(int, f["logger"][1][4:-1].split(",")))
check(red[0] == 255 and red[1] < 200, f"worker (more waiting) is red: {red}")
check(blue[2] == 255 and blue[0] < 200, f"logger (less waiting) is blue: {blue}")
check("base 300.0ms" in f["worker"][2], f"tooltip gives the base value: {f['worker'][2]}")

# Render it as a browser would.
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if browser:
    png = os.path.join(d, "diff.png")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,300",
                    "--screenshot=" + png, "file://" + diff], capture_output=True, timeout=120)
    check(os.path.exists(png) and os.path.getsize(png) > 5000, "chromium rendered the SVG to a PNG")
else:
    print("note: chromium not installed: SVG not rendered")
done()
