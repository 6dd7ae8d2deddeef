#!/usr/bin/env python3
"""bench_calendar.py — libpowersvc's bulk calendar arithmetic against numpy
and pandas, in the same run, on the same inputs.

    /usr/bin/python3 tests/bench/bench_calendar.py [LIBPOWERSVC_SO] [options]

The library is loaded with ctypes from the first argument, else from the
environment variable PSVC_LIB (the CMake target `bench-calendar` passes the
shared library it built). It needs numpy and pandas (Debian: apt-get install
python3-numpy python3-pandas; those are for /usr/bin/python3, not for a
pyenv or venv interpreter).

The calendar (one definition, given to all three sides): UTC+08:00, Monday to
Friday 08:30-12:00 and 14:00-17:30 (7 business hours a day), and a holiday
list of about 32 days a year, 2020-2031, in blocks like China's public
holidays (New Year, Spring Festival, Qingming, Labour Day, Dragon Boat,
Mid-Autumn, National Day) whose dates move from year to year (fixed seed).
No make-up working days (调休): numpy's busdaycalendar and pandas' offsets
cannot express a worked Saturday.

The inputs (fixed seed): N = 1,000,000 instants uniformly random over
2020-01-01 .. 2030-12-31 local time, at second resolution.

 1. Working days. Offsets uniform in 0..30.
    libpowersvc: psvc_calendar_add_workdays_n over the whole arrays.
    numpy: numpy.busday_offset(dates, offsets, roll=..., busdaycal=cal) with
    the same weekmask and holidays in a numpy.busdaycalendar built before
    timing, on the local dates of the same instants (the conversion
    instant -> date is done before timing: only busday_offset is timed).
    Semantics: psvc_calendar_add_workdays(t, N) is 23:59:59 local of the
    N-th working day *after* t's local day, and of t's own day for N = 0,
    working day or not. numpy's roll='forward' first moves a non-working
    start day to the next working day and then counts N from it, which is
    one working day too far for a start on a weekend or holiday; the
    equivalent is roll='backward' (move to the previous working day: the
    same working days follow it) for N >= 1, and the start date itself for
    N = 0. Both rolls are timed; the ratio uses the faster of the two. The
    full numpy equivalent (instants -> local dates, busday_offset, the N = 0
    fix-up, dates -> 23:59:59 local instants) is timed too, for reference.
    Correctness: the library's result is compared with the numpy equivalent
    on all N elements, and with a plain Python day-by-day walk on
    --check-n elements (default 10,000).

 2. Business hours. Offsets uniform in 1..40 whole hours (pandas' business
    hour offsets count whole hours).
    libpowersvc: psvc_calendar_add_seconds_n over the whole arrays.
    pandas: CustomBusinessHour(n=h, start=['08:30', '14:00'],
    end=['12:00', '17:30'], weekmask='Mon Tue Wed Thu Fri',
    holidays=<the list>), one offset object per h built before timing, on
    naive local Timestamps built before timing, on a subsample of
    --pandas-n elements (default 5,000): once element by element
    (ts + offsets[h]) and once grouped by h (DatetimeIndex + offset, which
    pandas applies element by element internally). The ratio uses the
    faster of the two, per element.
    Semantics: the library answers the *earliest* instant at which the
    business seconds have passed, so a sum ending exactly at a window's
    close is that close (11:00 + 1 h = 12:00). pandas answers the next
    window's opening instead (11:00 + 1 h = 14:00; Friday 16:30 + 1 h =
    Monday 08:30). Both count the same business time; the results differ
    only there. Correctness: the library is compared with a plain Python
    window-by-window walk on --check-n elements and on the pandas
    subsample, and with pandas on the subsample, where every difference
    must be that one (the library's result is a window close and pandas'
    is the next opening after it); any other difference fails.

Timing: time.perf_counter around one call over the whole array (for pandas,
over the whole subsample), best of --repeats (default 3) after one untimed
warm-up; results are reported per element. Targets of the issue: item 1 at
least 30x numpy and at most 4 ns/element; item 2 at least 5,000x pandas and
at most 10 ns/element.

Exit status: 0 if every check and target passes, 1 if a correctness check
fails (the mismatches are printed), 2 if only a performance target is
missed.
"""

import argparse
import ctypes
import datetime as dt
import os
import platform
import sys
import time
import warnings

try:
    import numpy as np
    import pandas as pd
except ImportError as e:  # pragma: no cover - environment problem
    sys.exit("bench_calendar.py: %s\n(numpy and pandas are needed: Debian's "
             "python3-numpy and python3-pandas, which are for /usr/bin/python3)" % e)

OFFSET_S = 8 * 3600                     # UTC+08:00
DAY_S = 86400
WINDOWS = ((8 * 3600 + 30 * 60, 12 * 3600), (14 * 3600, 17 * 3600 + 30 * 60))
WEEKMASK_NP = "1111100"
WEEKMASK_PD = "Mon Tue Wed Thu Fri"
FIRST_YEAR, LAST_YEAR = 2020, 2030     # the inputs
HOLIDAY_YEARS = range(2020, 2032)      # one more: results run into 2031
MAX_WORKDAYS = 30
MAX_HOURS = 40

TARGET_WORKDAYS_RATIO = 30.0
TARGET_WORKDAYS_NS = 4.0
TARGET_SECONDS_RATIO = 5000.0
TARGET_SECONDS_NS = 10.0

EPOCH = dt.date(1970, 1, 1)


def day_number(d):
    return (d - EPOCH).days


def date_of(day):
    return EPOCH + dt.timedelta(days=int(day))


# ---- the calendar -------------------------------------------------------------

def make_holidays(rng):
    """About 32 holiday days a year, in blocks whose dates move (seeded)."""
    days = set()
    for y in HOLIDAY_YEARS:
        def block(start, n):
            for i in range(n):
                days.add(day_number(start) + i)
        block(dt.date(y, 1, 1), 3)                                            # New Year
        block(dt.date(y, 1, 21) + dt.timedelta(int(rng.integers(0, 22))), 8)  # Spring Festival
        block(dt.date(y, 4, 3) + dt.timedelta(int(rng.integers(0, 3))), 3)    # Qingming
        block(dt.date(y, 5, 1), 5)                                            # Labour Day
        block(dt.date(y, 6, 1) + dt.timedelta(int(rng.integers(0, 25))), 3)   # Dragon Boat
        block(dt.date(y, 9, 8) + dt.timedelta(int(rng.integers(0, 19))), 3)   # Mid-Autumn
        block(dt.date(y, 10, 1), 7)                                           # National Day
    return sorted(days)


def calendar_text(holidays):
    lines = ["# generated by bench_calendar.py", "utc+08:00",
             "hours mon-fri 08:30-12:00 14:00-17:30"]
    lines += ["holiday %s" % date_of(d).isoformat() for d in holidays]
    return "\n".join(lines) + "\n"


# ---- the library through ctypes -------------------------------------------------

class Lib:
    def __init__(self, path):
        self.path = path
        L = ctypes.CDLL(path)
        vp, i64p, i32p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int32)
        L.psvc_version.restype = ctypes.c_char_p
        L.psvc_version.argtypes = []
        L.psvc_errmsg.restype = ctypes.c_char_p
        L.psvc_errmsg.argtypes = [vp]
        L.psvc_free.restype = None
        L.psvc_free.argtypes = [vp]
        L.psvc_calendar_parse.restype = ctypes.c_int
        L.psvc_calendar_parse.argtypes = [ctypes.c_char_p, ctypes.POINTER(vp), ctypes.POINTER(vp)]
        L.psvc_calendar_free.restype = None
        L.psvc_calendar_free.argtypes = [vp]
        L.psvc_calendar_add_workdays_n.restype = ctypes.c_int
        L.psvc_calendar_add_workdays_n.argtypes = [vp, i64p, i32p, i64p, ctypes.c_size_t]
        L.psvc_calendar_add_seconds_n.restype = ctypes.c_int
        L.psvc_calendar_add_seconds_n.argtypes = [vp, i64p, i64p, i64p, ctypes.c_size_t]
        L.psvc_calendar_add_workdays.restype = ctypes.c_int
        L.psvc_calendar_add_workdays.argtypes = [vp, ctypes.c_int64, ctypes.c_int, i64p]
        self.L = L
        self.version = L.psvc_version().decode()

    def check(self, rc, what):
        if rc != 0:
            raise SystemExit("bench_calendar.py: %s failed: %d (%s)"
                             % (what, rc, self.L.psvc_errmsg(None).decode()))

    def parse(self, text):
        cal, err = ctypes.c_void_p(), ctypes.c_void_p()
        rc = self.L.psvc_calendar_parse(text.encode(), ctypes.byref(cal), ctypes.byref(err))
        if rc != 0:
            msg = ctypes.string_at(err.value).decode() if err.value else ""
            self.L.psvc_free(err)
            raise SystemExit("bench_calendar.py: psvc_calendar_parse: %s" % msg)
        return cal

    @staticmethod
    def _p64(a):
        return a.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))

    def add_workdays_n(self, cal, t, days, out):
        rc = self.L.psvc_calendar_add_workdays_n(cal, self._p64(t),
                                                 days.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                                                 self._p64(out), t.size)
        self.check(rc, "psvc_calendar_add_workdays_n")

    def add_seconds_n(self, cal, t, secs, out):
        rc = self.L.psvc_calendar_add_seconds_n(cal, self._p64(t), self._p64(secs), self._p64(out),
                                                t.size)
        self.check(rc, "psvc_calendar_add_seconds_n")


# ---- plain Python references (independent of the library and of numpy) ------------

def ref_add_workdays(t, n, holiday_set):
    day = (t + OFFSET_S) // DAY_S
    while n > 0:
        day += 1
        if (day + 3) % 7 < 5 and day not in holiday_set:  # day 0 was a Thursday
            n -= 1
    return (day + 1) * DAY_S - 1 - OFFSET_S


def is_workday(day, holiday_set):
    return (day + 3) % 7 < 5 and day not in holiday_set


def ref_add_seconds(t, secs, holiday_set):
    """The earliest instant at which `secs` business seconds have passed."""
    local = t + OFFSET_S
    day, sod = divmod(local, DAY_S)
    while True:
        if is_workday(day, holiday_set):
            for o, c in WINDOWS:
                if sod < c:
                    begin = max(sod, o)
                    if secs <= c - begin:
                        return day * DAY_S + begin + secs - OFFSET_S
                    secs -= c - begin
                    sod = c
        day += 1
        sod = 0


def ref_next_opening(t, holiday_set):
    """The first instant >= t inside a working window, not at its close."""
    local = t + OFFSET_S
    day, sod = divmod(local, DAY_S)
    while True:
        if is_workday(day, holiday_set):
            for o, c in WINDOWS:
                if sod < c:
                    return day * DAY_S + max(sod, o) - OFFSET_S
        day += 1
        sod = 0


def at_window_close(t):
    return (t + OFFSET_S) % DAY_S in {c for _, c in WINDOWS}


# ---- timing -------------------------------------------------------------------------

def best_of(fn, repeats):
    fn()  # warm-up, untimed
    best = float("inf")
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def fmt_ns(x):
    return "%10.2f ns" % x if x < 1e4 else "%10.0f ns" % x


def iso_local(t):
    return (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(t) + OFFSET_S)).strftime("%Y-%m-%d %H:%M:%S")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lib", nargs="?", default=os.environ.get("PSVC_LIB"),
                    help="path of libpowersvc.so (default: $PSVC_LIB)")
    ap.add_argument("--n", type=int, default=1_000_000, help="elements (default 1,000,000)")
    ap.add_argument("--pandas-n", type=int, default=5_000,
                    help="pandas subsample (default 5,000)")
    ap.add_argument("--check-n", type=int, default=10_000,
                    help="elements checked against the plain Python references (default 10,000)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs, best kept (default 3)")
    ap.add_argument("--seed", type=int, default=20260101)
    args = ap.parse_args()
    if not args.lib:
        ap.error("give the path of libpowersvc.so (argument or PSVC_LIB)")
    n = args.n
    pn = min(args.pandas_n, n)
    cn = min(args.check_n, n)

    lib = Lib(args.lib)
    rng = np.random.default_rng(args.seed)
    holidays = make_holidays(rng)
    holiday_set = set(holidays)
    cal = lib.parse(calendar_text(holidays))

    print("bench_calendar.py: libpowersvc %s (%s)" % (lib.version, os.path.realpath(lib.path)))
    print("  Python %s (%s), numpy %s, pandas %s, %s"
          % (platform.python_version(), sys.executable, np.__version__, pd.__version__,
             platform.machine()))
    print("  calendar: utc+08:00, Mon-Fri 08:30-12:00 14:00-17:30, %d holidays in %d-%d "
          "(%.1f a year, %d on Mon-Fri), no make-up days"
          % (len(holidays), HOLIDAY_YEARS[0], HOLIDAY_YEARS[-1], len(holidays) / len(HOLIDAY_YEARS),
             sum(1 for d in holidays if (d + 3) % 7 < 5)))
    print("  inputs: %s instants uniform over %d-01-01 .. %d-12-31 local, seed %d; "
          "timing: best of %d after a warm-up"
          % (format(n, ","), FIRST_YEAR, LAST_YEAR, args.seed, args.repeats))

    lo = (day_number(dt.date(FIRST_YEAR, 1, 1))) * DAY_S - OFFSET_S
    hi = (day_number(dt.date(LAST_YEAR + 1, 1, 1))) * DAY_S - OFFSET_S
    t = rng.integers(lo, hi, size=n, dtype=np.int64)
    wdays = rng.integers(0, MAX_WORKDAYS + 1, size=n, dtype=np.int32)
    hours = rng.integers(1, MAX_HOURS + 1, size=n, dtype=np.int64)
    secs = hours * 3600
    failures = []

    # ---- 1. working days ------------------------------------------------------------
    out_wd = np.zeros(n, dtype=np.int64)
    lib_wd_s, _ = best_of(lambda: lib.add_workdays_n(cal, t, wdays, out_wd), args.repeats)

    bcal = np.busdaycalendar(weekmask=WEEKMASK_NP,
                             holidays=np.array(holidays, dtype="int64").astype("datetime64[D]"))
    local_dates = ((t + OFFSET_S) // DAY_S).astype("datetime64[D]")
    np_bwd_s, np_bwd = best_of(
        lambda: np.busday_offset(local_dates, wdays, roll="backward", busdaycal=bcal), args.repeats)
    np_fwd_s, np_fwd = best_of(
        lambda: np.busday_offset(local_dates, wdays, roll="forward", busdaycal=bcal), args.repeats)

    def numpy_full():
        d = ((t + OFFSET_S) // DAY_S).astype("datetime64[D]")
        r = np.busday_offset(d, wdays, roll="backward", busdaycal=bcal)
        r = np.where(wdays == 0, d, r)
        return (r.astype(np.int64) + 1) * DAY_S - 1 - OFFSET_S
    np_full_s, np_full = best_of(numpy_full, args.repeats)

    # correctness: library vs the numpy equivalent (all elements)
    bad = np.nonzero(out_wd != np_full)[0]
    wd_np_ok = bad.size == 0
    if not wd_np_ok:
        failures.append("add_workdays: %d of %d elements differ from the numpy equivalent"
                        % (bad.size, n))
        for i in bad[:10]:
            print("  MISMATCH workdays[%d]: t=%d (%s local) +%d: library %s, numpy %s"
                  % (i, t[i], iso_local(t[i]), wdays[i], iso_local(out_wd[i]), iso_local(np_full[i])))
    # library vs the Python walk (check-n elements)
    idx = rng.choice(n, size=cn, replace=False)
    ref_bad = [i for i in idx if ref_add_workdays(int(t[i]), int(wdays[i]), holiday_set) != out_wd[i]]
    wd_ref_ok = not ref_bad
    if not wd_ref_ok:
        failures.append("add_workdays: %d of %d sampled elements differ from the Python walk"
                        % (len(ref_bad), cn))
        for i in ref_bad[:10]:
            print("  MISMATCH workdays[%d]: t=%s +%d: library %s, Python walk %s"
                  % (i, iso_local(t[i]), wdays[i], iso_local(out_wd[i]),
                     iso_local(ref_add_workdays(int(t[i]), int(wdays[i]), holiday_set))))
    # how often roll='forward' alone would be wrong (a documented difference)
    fwd_full = np.where(wdays == 0, local_dates, np_fwd)
    expected_dates = ((np_full + OFFSET_S) // DAY_S).astype("datetime64[D]")
    fwd_wrong = int(np.count_nonzero(fwd_full != expected_dates))
    nonwork_start = int(np.count_nonzero(~np.is_busday(local_dates, busdaycal=bcal)))

    # ---- 2. business hours -----------------------------------------------------------
    out_s = np.zeros(n, dtype=np.int64)
    lib_s_s, _ = best_of(lambda: lib.add_seconds_n(cal, t, secs, out_s), args.repeats)

    sub = rng.choice(n, size=pn, replace=False)
    offs = {h: pd.offsets.CustomBusinessHour(n=h, start=["08:30", "14:00"], end=["12:00", "17:30"],
                                             weekmask=WEEKMASK_PD,
                                             holidays=[date_of(d) for d in holidays])
            for h in range(1, MAX_HOURS + 1)}
    stamps = [pd.Timestamp(int(t[i]) + OFFSET_S, unit="s") for i in sub]
    sub_h = [int(hours[i]) for i in sub]

    def pandas_loop():
        return [ts + offs[h] for ts, h in zip(stamps, sub_h)]
    pd_loop_s, pd_loop = best_of(pandas_loop, args.repeats)

    sub_idx = pd.DatetimeIndex(stamps)
    sub_h_arr = np.array(sub_h)
    groups = {h: np.nonzero(sub_h_arr == h)[0] for h in range(1, MAX_HOURS + 1)}

    def pandas_grouped():
        res = np.empty(pn, dtype="datetime64[ns]")
        for h, g in groups.items():
            if g.size:
                res[g] = (sub_idx[g] + offs[h]).values
        return res
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PerformanceWarning: non-vectorized DateOffset
        pd_grp_s, pd_grp = best_of(pandas_grouped, args.repeats)

    pd_res = np.array([ts.value // 10**9 - OFFSET_S for ts in pd_loop], dtype=np.int64)
    pd_grp_res = pd_grp.astype("datetime64[s]").astype(np.int64) - OFFSET_S
    if not np.array_equal(pd_res, pd_grp_res):
        failures.append("pandas: the element-by-element and the grouped results differ")

    # correctness: library vs the Python walk (check-n elements + the pandas subsample)
    idx2 = np.union1d(rng.choice(n, size=cn, replace=False), sub)
    s_ref_bad = [i for i in idx2
                 if ref_add_seconds(int(t[i]), int(secs[i]), holiday_set) != out_s[i]]
    s_ref_ok = not s_ref_bad
    if not s_ref_ok:
        failures.append("add_seconds: %d of %d sampled elements differ from the Python walk"
                        % (len(s_ref_bad), idx2.size))
        for i in s_ref_bad[:10]:
            print("  MISMATCH seconds[%d]: t=%s +%dh: library %s, Python walk %s"
                  % (i, iso_local(t[i]), hours[i], iso_local(out_s[i]),
                     iso_local(ref_add_seconds(int(t[i]), int(secs[i]), holiday_set))))
    # library vs pandas (the subsample), every difference classified
    same = close_vs_next_open = 0
    unexplained = []
    for k, i in enumerate(sub):
        a, b = int(out_s[i]), int(pd_res[k])
        if a == b:
            same += 1
        elif at_window_close(a) and b == ref_next_opening(a, holiday_set):
            close_vs_next_open += 1
        else:
            unexplained.append((i, a, b))
    s_pd_ok = not unexplained
    if not s_pd_ok:
        failures.append("add_seconds: %d of %d pandas results differ from the library in an "
                        "unexplained way" % (len(unexplained), pn))
        for i, a, b in unexplained[:10]:
            print("  MISMATCH seconds[%d]: t=%s +%dh: library %s, pandas %s"
                  % (i, iso_local(t[i]), hours[i], iso_local(a), iso_local(b)))

    # ---- report ---------------------------------------------------------------------------
    ns = lambda s, k: s / k * 1e9
    lib_wd_ns, np_bwd_ns, np_fwd_ns, np_full_ns = (ns(lib_wd_s, n), ns(np_bwd_s, n),
                                                   ns(np_fwd_s, n), ns(np_full_s, n))
    np_best_ns = min(np_bwd_ns, np_fwd_ns)
    lib_s_ns = ns(lib_s_s, n)
    pd_loop_ns, pd_grp_ns = ns(pd_loop_s, pn), ns(pd_grp_s, pn)
    pd_best_ns = min(pd_loop_ns, pd_grp_ns)
    r_wd = np_best_ns / lib_wd_ns
    r_s = pd_best_ns / lib_s_ns

    print()
    print("1. working days: +0..%d working days, %s elements" % (MAX_WORKDAYS, format(n, ",")))
    print("   %-62s %s/element" % ("libpowersvc psvc_calendar_add_workdays_n", fmt_ns(lib_wd_ns)))
    print("   %-62s %s/element" % ("numpy.busday_offset roll='backward' (the equivalent)", fmt_ns(np_bwd_ns)))
    print("   %-62s %s/element" % ("numpy.busday_offset roll='forward'", fmt_ns(np_fwd_ns)))
    print("   %-62s %s/element" % ("numpy, whole equivalent (instants in, 23:59:59 instants out)",
                                   fmt_ns(np_full_ns)))
    print("   ratio: faster busday_offset / library = %.1fx; whole numpy equivalent / library = %.1fx"
          % (r_wd, np_full_ns / lib_wd_ns))
    print("   check: library = numpy equivalent on %s of %s elements; = Python day walk on %s of %s"
          % (format(n - bad.size, ","), format(n, ","), format(cn - len(ref_bad), ","), format(cn, ",")))
    print("   note: %s elements start on a non-working day; roll='forward' alone would be wrong "
          "for %s of them" % (format(nonwork_start, ","), format(fwd_wrong, ",")))

    print()
    print("2. business hours: +1..%d h, two windows a day, %s elements (pandas: %s of them)"
          % (MAX_HOURS, format(n, ","), format(pn, ",")))
    print("   %-62s %s/element" % ("libpowersvc psvc_calendar_add_seconds_n", fmt_ns(lib_s_ns)))
    print("   %-62s %s/element" % ("pandas CustomBusinessHour, element by element", fmt_ns(pd_loop_ns)))
    print("   %-62s %s/element" % ("pandas CustomBusinessHour, DatetimeIndex grouped by hours",
                                   fmt_ns(pd_grp_ns)))
    print("   ratio: faster pandas / library = %.0fx" % r_s)
    print("   check: library = Python window walk on %s of %s elements"
          % (format(idx2.size - len(s_ref_bad), ","), format(idx2.size, ",")))
    print("   check: library vs pandas on %s elements: %s equal, %s differ only by pandas moving a "
          "result at a window's close to the next opening, %s unexplained"
          % (format(pn, ","), format(same, ","), format(close_vs_next_open, ","),
             format(len(unexplained), ",")))

    rows = [
        ("1. add_workdays_n vs numpy.busday_offset", ">= %.0fx" % TARGET_WORKDAYS_RATIO,
         "%.1fx" % r_wd, r_wd >= TARGET_WORKDAYS_RATIO),
        ("1. add_workdays_n per element", "<= %.0f ns" % TARGET_WORKDAYS_NS,
         "%.2f ns" % lib_wd_ns, lib_wd_ns <= TARGET_WORKDAYS_NS),
        ("2. add_seconds_n vs pandas CustomBusinessHour", ">= %.0fx" % TARGET_SECONDS_RATIO,
         "%.0fx" % r_s, r_s >= TARGET_SECONDS_RATIO),
        ("2. add_seconds_n per element", "<= %.0f ns" % TARGET_SECONDS_NS,
         "%.2f ns" % lib_s_ns, lib_s_ns <= TARGET_SECONDS_NS),
    ]
    checks = [
        ("1. library = numpy equivalent (all elements)", wd_np_ok),
        ("1. library = Python day walk (sample)", wd_ref_ok),
        ("2. library = Python window walk (sample)", s_ref_ok),
        ("2. library = pandas up to the window-close rule", s_pd_ok),
    ]
    print()
    print("   %-48s %-10s %-10s %s" % ("target", "wanted", "measured", "result"))
    for name, want, got, ok in rows:
        print("   %-48s %-10s %-10s %s" % (name, want, got, "PASS" if ok else "FAIL"))
    for name, ok in checks:
        print("   %-48s %-10s %-10s %s" % (name, "", "", "PASS" if ok else "FAIL"))

    lib.L.psvc_calendar_free(cal)
    if failures:
        print()
        for f in failures:
            print("bench_calendar.py: CORRECTNESS FAILURE: " + f, file=sys.stderr)
        return 1
    if not all(ok for *_, ok in rows):
        print("\nbench_calendar.py: a performance target was missed", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
