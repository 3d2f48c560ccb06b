# SPDX-License-Identifier: MIT
"""/debug/pprof/hold (LOCKPROF_HOLD_FRACTION): the cumulative profile,
its ?seconds=N window and delta_hold, as the block and mutex profiles are
served; and an empty profile when the hold profile is off."""
import threading
import time

from livelib import Profile, Service, check, done, get

TYPES = [("holds", "count"), ("held", "nanoseconds")]


def test_cumulative(svc):
    st, hs, body = get(svc.port, "/debug/pprof/hold")
    check(st == 200 and dict(hs).get("Content-Disposition") == 'attachment; filename="hold"',
          "hold: %d %s" % (st, hs))
    prof = Profile(body)
    check(prof.types == TYPES and prof.period_type == ("holds", "count") and prof.period == 1,
          "hold: types %s, period %s %d" % (prof.types, prof.period_type, prof.period))
    holds, held = prof.totals("contend_a")
    # contend_a holds the lock 200 us (a nanosleep) at a time.
    check(holds > 0 and held >= 150000 * holds, "hold: contend_a %d holds, %d ns" % (holds, held))
    st, _, body = get(svc.port, "/debug/pprof/hold?debug=1")
    check(st == 200 and body.startswith(b"--- hold:\n"), "hold?debug=1: %d %r" % (st, body[:20]))
    st, _, body = get(svc.port, "/debug/pprof/")
    check(b"hold?debug=1" in body and b"delta_hold" in body, "index lists hold and delta_hold")


def test_window(svc):
    res = []
    t = threading.Thread(target=lambda: res.append(get(svc.port, "/debug/pprof/hold?seconds=2")))
    t.start()
    time.sleep(0.4)
    svc.cmd("b 500", "done b")
    t.join(30)
    check(res and res[0][0] == 200, "hold?seconds=2 answered")
    if not res or res[0][0] != 200:
        return
    prof = Profile(res[0][2])
    check(1.8e9 <= prof.duration_nanos <= 3e9, "hold window duration %d" % prof.duration_nanos)
    check(prof.totals("contend_b")[1] > 0 and prof.totals("contend_a") == (0, 0),
          "hold window: contend_b only (%s, %s)" % (prof.totals("contend_b"), prof.totals("contend_a")))


def test_since_last(svc):
    first = Profile(get(svc.port, "/debug/pprof/delta_hold")[2])
    check(first.totals("contend_a")[1] > 0 and first.types == TYPES,
          "delta_hold first: everything so far")
    svc.cmd("b 300", "done b")
    second = Profile(get(svc.port, "/debug/pprof/delta_hold")[2])
    check(second.totals("contend_b")[1] > 0 and second.totals("contend_a") == (0, 0),
          "delta_hold second: only contend_b")
    third = Profile(get(svc.port, "/debug/pprof/delta_hold")[2])
    check(third.samples == [], "delta_hold third: empty")


def test_off():
    svc = Service()
    try:
        svc.cmd("a 200", "done a")
        st, _, body = get(svc.port, "/debug/pprof/hold")
        check(st == 200 and Profile(body).samples == [], "hold off: an empty profile (%d)" % st)
        check(svc.stop() == 0, "service exits 0")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()


def main():
    svc = Service(env={"LOCKPROF_HOLD_FRACTION": "1"})
    try:
        svc.cmd("a 400", "done a")
        test_cumulative(svc)
        test_window(svc)
        test_since_last(svc)
        check(svc.stop() == 0, "service exits 0")
    finally:
        if svc.proc.poll() is None:
            svc.proc.kill()
    test_off()
    done()


if __name__ == "__main__":
    main()
