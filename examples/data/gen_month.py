#!/usr/bin/env python3
"""gen_month.py — generates a month of 95598 work orders, hotline calls and outage
notices for the psvc tool's demo (examples/cli/README.md has the CSV formats):

    orders-2026-10.csv    one row per order opening (action OPEN) or event
    calls-2026-10.csv     one row per hotline call
    notices-2026-10.csv   one row per publication of an outage notice

October 2026, UTC+08:00, for the customers of customers-full.csv. Every order type
runs its whole lifecycle (docs/lifecycle.md) with the default role grants; the
month has late arrivals, complaints (one late call-back, one late reply, urged and
escalated ones), repeat contacts merged into the first order (W-9), reopened orders
(an UNSATISFIED return visit, W-10), a returned and a transferred order, suspended
ones, a cancelled one, orders still open at the month's end, abandoned calls and
slow answers. The output is deterministic (a fixed seed); the generated files are
committed next to this script. Run it again after changing it:

    python3 examples/data/gen_month.py            # writes next to this script
    python3 examples/data/gen_month.py --out DIR
"""
import argparse
import csv
import datetime as dt
import os
import random

SEED = 95598
TZ = dt.timezone(dt.timedelta(hours=8))
MONTH_START = dt.datetime(2026, 10, 1, tzinfo=TZ)
MONTH_END = dt.datetime(2026, 11, 1, tzinfo=TZ)

ORDER_COLS = ["order_id", "at", "action", "actor", "role", "unit", "target", "value", "note",
              "type", "subtype", "channel", "area", "customer_id", "summary"]
CALL_COLS = ["call_id", "arrived_at", "answered_at", "ended_at", "agent_id", "order_id"]
NOTICE_COLS = ["notice_id", "kind", "unit", "feeder", "start", "end", "published_at"]

UNITS = {"URBAN": "CD-01", "RURAL": "NX-02", "REMOTE": "SQ-03"}
CC = "95598-CC"  # the call centre
AGENTS = [("A%03d" % i, "AGENT", CC) for i in range(101, 113)]
SHIFT_LEADS = [("SL01", "SHIFT_LEAD", CC), ("SL02", "SHIFT_LEAD", CC)]
SUPERVISOR = ("SV01", "SUPERVISOR", CC)


def staff(unit, role, n):
    tag = {"REPAIR_CREW": "R", "CUSTOMER_REP": "CR", "CONNECTION": "CN", "METERING": "MT",
           "METER_READING_BILLING": "MR", "INSPECTION": "IN", "DISPATCHER": "D"}[role]
    return [("%s-%s-%d" % (tag, unit, i), role, unit) for i in range(1, n + 1)]


CREWS = {u: staff(u, "REPAIR_CREW", 6 if u == "CD-01" else 3) for u in UNITS.values()}
REPS = {u: staff(u, "CUSTOMER_REP", 2) for u in UNITS.values()}
CONNECTION = {u: staff(u, "CONNECTION", 2) for u in UNITS.values()}
METERING = {u: staff(u, "METERING", 1) for u in UNITS.values()}
READING = {u: staff(u, "METER_READING_BILLING", 1) for u in UNITS.values()}
INSPECTION = {u: staff(u, "INSPECTION", 1) for u in UNITS.values()}
DISPATCHERS = {u: staff(u, "DISPATCHER", 1) for u in UNITS.values()}

R = random.Random(SEED)
MIN, HOUR, DAY = 60, 3600, 86400


def fmt(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def load_customers(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    for row in csv.DictReader(lines):
        rows.append(row)
    return rows


class Order:
    def __init__(self, oid, otype, at, channel, customer=None, area=None, subtype="",
                 summary="", opener=None):
        self.id, self.type, self.at = oid, otype, at
        self.customer = customer
        self.area = area or (customer["area"] if customer else "URBAN")
        self.unit = customer["unit"] if customer else UNITS[self.area]
        self.opener = opener or R.choice(AGENTS)
        self.rows = [{"order_id": oid, "at": at, "action": "OPEN", "actor": self.opener[0],
                      "role": self.opener[1], "unit": self.opener[2], "type": otype,
                      "subtype": subtype, "channel": channel,
                      "area": area if (area and not customer) else "",
                      "customer_id": customer["id"] if customer else "", "summary": summary}]
        self.t = at  # the time of the last event
        self.call_end = None

    def ev(self, after, action, who, target="", value="", note=""):
        """An event `after` seconds after the previous one, unless that is past the
        end of the generated month (the order then stays open)."""
        t = self.t + dt.timedelta(seconds=max(0, int(after)))
        if t >= MONTH_END:
            raise StopIteration
        self.t = t
        self.rows.append({"order_id": self.id, "at": t, "action": action, "actor": who[0],
                          "role": who[1], "unit": who[2], "target": target,
                          "value": value, "note": note})
        return t


def run(order, steps):
    """Runs steps (a generator function) until the month ends."""
    try:
        steps(order)
    except StopIteration:
        pass
    return order


def dispatch_delay(o):
    """T-2: dispatch a little after the call ended; some are slow, some during it."""
    base = (o.call_end - o.t).total_seconds() if o.call_end else 0
    x = R.random()
    if x < 0.10:
        return 20  # dispatched while still on the phone
    if x < 0.22:
        return base + R.randint(190, 420)  # slow: over the 180 s average target
    return base + R.randint(25, 170)


def daytime_after(t, lo, hi):
    """Seconds from t to a moment lo..hi seconds later, moved into 09:00-20:00 (return
    visits are calls made in the daytime)."""
    at = t + dt.timedelta(seconds=R.randint(lo, hi))
    if at.hour < 9:
        at = at.replace(hour=9 + R.randint(0, 2), minute=R.randint(0, 59))
    elif at.hour >= 20:
        at = (at + dt.timedelta(days=1)).replace(hour=9 + R.randint(0, 2),
                                                 minute=R.randint(0, 59))
    return (at - t).total_seconds()


def visit_and_close(o, sat=None):
    agent = R.choice(AGENTS)
    sat = sat or R.choices(["SATISFIED", "FAIRLY_SATISFIED", "UNSATISFIED"],
                           [80, 17, 3])[0]
    o.ev(daytime_after(o.t, 1 * HOUR, 20 * HOUR), "VISIT", agent, value=sat)
    if sat == "UNSATISFIED":
        return False
    o.ev(R.randint(60, 30 * MIN), "CLOSE", agent)
    return True


ARRIVAL_LIMIT = {"URBAN": 40 * MIN, "RURAL": 85 * MIN, "REMOTE": 120 * MIN}


def fault_steps(late=False, suspend=False, reopen=False, returned=False, transfer=False,
                cancel=False):
    def steps(o):
        agent = R.choice(AGENTS)
        unit = o.unit
        if returned:  # W-7: dispatched to the wrong district first
            wrong = "NX-02" if unit != "NX-02" else "CD-01"
            o.ev(dispatch_delay(o), "DISPATCH", agent, target=wrong)
            o.ev(R.randint(3 * MIN, 8 * MIN), "RETURN", DISPATCHERS[wrong][0],
                 note="address is in another district's area")
            o.ev(R.randint(60, 4 * MIN), "DISPATCH", agent, target=unit)
        else:
            o.ev(dispatch_delay(o), "DISPATCH", agent, target=unit)
        if cancel:
            o.ev(R.randint(5 * MIN, 15 * MIN), "CANCEL", R.choice(SHIFT_LEADS),
                 note="caller found a tripped breaker of their own; no fault")
            return
        crew = R.choice(CREWS[unit])
        o.ev(R.randint(60, 6 * MIN), "RECEIVE", crew)
        if suspend:
            o.ev(R.randint(5 * MIN, 10 * MIN), "SUSPEND", crew,
                 note="customer not at home; access to the meter box needed")
            o.ev(R.randint(40 * MIN, 3 * HOUR), "RESUME", crew)
        if transfer:
            o.ev(R.randint(2 * MIN, 6 * MIN), "TRANSFER", DISPATCHERS[unit][0],
                 target=unit + "-cable")
            crew = (crew[0], crew[1], unit + "-cable")
        limit = ARRIVAL_LIMIT[o.area]
        since = (o.t - o.at).total_seconds()
        if late:
            arrive = limit + R.randint(5 * MIN, 50 * MIN)
        else:
            arrive = R.randint(int(limit * 0.35), int(limit * 0.95))
        o.ev(max(60, arrive - since), "ARRIVE", crew)
        fix = R.randint(20 * MIN, 150 * MIN) if R.random() < 0.9 else R.randint(3 * HOUR, 5 * HOUR)
        o.ev(fix, "RESOLVE", crew, note="service drop fuse replaced" if R.random() < 0.5 else "")
        if reopen:
            visit_and_close(o, "UNSATISFIED")
            o.ev(R.randint(10 * MIN, 40 * MIN), "RECEIVE", crew)
            o.ev(R.randint(30 * MIN, 70 * MIN), "ARRIVE", crew)
            o.ev(R.randint(30 * MIN, 90 * MIN), "RESOLVE", crew, note="loose neutral repaired")
            visit_and_close(o, "SATISFIED")
        else:
            visit_and_close(o, R.choices(["SATISFIED", "FAIRLY_SATISFIED"], [85, 15])[0])
    return steps


def merge_steps(first_id):
    def steps(o):
        o.ev(R.randint(90, 5 * MIN), "MERGE", R.choice(AGENTS), target=first_id,
             note="repeat contact about the same outage")
    return steps


def inquiry_steps(o):
    agent = R.choice(AGENTS)
    if R.random() < 0.7:  # answered at first contact, closed as the call ends
        end = int((o.call_end - o.t).total_seconds()) if o.call_end else 120
        o.ev(R.randint(10, max(11, end - 5)), "REPLY", agent)
        o.ev(R.randint(5, 60), "CLOSE", agent)
        return
    o.ev(dispatch_delay(o), "DISPATCH", agent, target=o.unit)
    rep = R.choice(REPS[o.unit])
    o.ev(R.randint(5 * MIN, 2 * HOUR), "RECEIVE", rep)
    late = R.random() < 0.15
    o.ev(R.randint(26 * HOUR, 40 * HOUR) if late else R.randint(1 * HOUR, 20 * HOUR), "REPLY", rep)
    o.ev(R.randint(30 * MIN, 6 * HOUR), "CLOSE", R.choice(AGENTS))


def work_days_later(t, n, hour_lo=9, hour_hi=17):
    """A time on the n-th working day (Monday-Friday) after t, in office hours; the
    National Day holiday (1-7 Oct) and the make-up Saturday 10 Oct are respected."""
    d = t.date()
    while n > 0:
        d += dt.timedelta(days=1)
        off = d.weekday() >= 5 or dt.date(2026, 10, 1) <= d <= dt.date(2026, 10, 7)
        if d == dt.date(2026, 10, 10):
            off = False
        if not off:
            n -= 1
    at = dt.datetime(d.year, d.month, d.day, R.randint(hour_lo, hour_hi - 1),
                     R.randint(0, 59), R.randint(0, 59), tzinfo=TZ)
    return max(0, (at - t).total_seconds())


def request_steps(sub):
    def steps(o):
        agent = R.choice(AGENTS)
        unit = o.unit
        o.ev(dispatch_delay(o), "DISPATCH", agent, target=unit)
        if sub in ("NEW_CONNECTION", "CAPACITY_CHANGE"):
            who = R.choice(CONNECTION[unit])
            o.ev(R.randint(20 * MIN, 3 * HOUR), "RECEIVE", who)
            if sub == "NEW_CONNECTION":
                o.ev(work_days_later(o.t, 1), "ARRIVE", who)
                o.ev(work_days_later(o.t, R.randint(2, 4)), "RESOLVE", who)
                o.ev(R.randint(1 * HOUR, 5 * HOUR), "REPLY", who)
            else:
                o.ev(work_days_later(o.t, R.randint(1, 3)), "RESOLVE", who)
                o.ev(work_days_later(o.t, R.randint(0, 3)), "REPLY", who)
        elif sub == "RECONNECTION":
            who = R.choice(CREWS[unit])
            o.ev(R.randint(10 * MIN, 1 * HOUR), "RECEIVE", who)
            o.ev(R.randint(1 * HOUR, 30 * HOUR) if R.random() < 0.2 else R.randint(1 * HOUR, 12 * HOUR),
                 "RESOLVE", who, note="supply restored after the arrears were paid")
        elif sub == "APPLIANCE_DAMAGE":
            who = INSPECTION[unit][0]
            o.ev(R.randint(30 * MIN, 3 * HOUR), "RECEIVE", who)
            o.ev(R.randint(2 * HOUR, 26 * HOUR), "ARRIVE", who)
            o.ev(R.randint(1 * HOUR, 3 * HOUR), "RESOLVE", who)
            o.ev(work_days_later(o.t, R.randint(1, 3)), "REPLY", who)
        elif sub == "METER_CHECK":
            who = METERING[unit][0]
            o.ev(R.randint(30 * MIN, 3 * HOUR), "RECEIVE", who)
            o.ev(work_days_later(o.t, 1), "ARRIVE", who)
            o.ev(work_days_later(o.t, R.randint(1, 5)), "RESOLVE", who,
                 note="meter tested within tolerance")
            o.ev(R.randint(1 * HOUR, 4 * HOUR), "REPLY", who)
        else:  # METER_READING_CHECK, OTHER
            who = READING[unit][0] if sub == "METER_READING_CHECK" else R.choice(REPS[unit])
            o.ev(R.randint(30 * MIN, 4 * HOUR), "RECEIVE", who)
            o.ev(work_days_later(o.t, R.randint(1, 3)), "RESOLVE", who)
            o.ev(work_days_later(o.t, R.randint(0, 3)), "REPLY", who)
        visit_and_close(o, R.choices(["SATISFIED", "FAIRLY_SATISFIED"], [85, 15])[0])
    return steps


def complaint_steps(late_contact=False, late_reply=False, urged=False, reopen=False,
                    suspend=False):
    def steps(o):
        agent = R.choice(AGENTS)
        unit = o.unit
        o.ev(dispatch_delay(o), "DISPATCH", agent, target=unit)
        rep = R.choice(REPS[unit])
        o.ev(R.randint(10 * MIN, 2 * HOUR), "RECEIVE", rep)
        since = (o.t - o.at).total_seconds()
        contact = R.randint(26 * HOUR, 30 * HOUR) if late_contact else R.randint(1 * HOUR, 20 * HOUR)
        o.ev(max(60, contact - since), "NOTE", rep, value="CONTACT",
             note="called the complainant back")
        if urged:
            o.ev(R.randint(6 * HOUR, 20 * HOUR), "URGE", R.choice(AGENTS),
                 note="customer called again asking for progress")
            o.ev(R.randint(1 * HOUR, 3 * HOUR), "ESCALATE", R.choice(SHIFT_LEADS), value="1",
                 note="escalated to the shift lead")
        if suspend:
            o.ev(R.randint(2 * HOUR, 6 * HOUR), "SUSPEND", rep,
                 note="waiting for the property management's records")
            o.ev(R.randint(20 * HOUR, 40 * HOUR), "RESUME", rep)
        since = (o.t - o.at).total_seconds()
        reply = R.randint(5 * DAY + 2 * HOUR, 6 * DAY + 20 * HOUR) if late_reply else R.randint(
            1 * DAY, 4 * DAY)
        o.ev(max(HOUR, reply - since - 2 * HOUR), "RESOLVE", rep)
        o.ev(R.randint(30 * MIN, 2 * HOUR), "REPLY", rep)
        if reopen:
            visit_and_close(o, "UNSATISFIED")
            o.ev(R.randint(1 * HOUR, 4 * HOUR), "RECEIVE", rep)
            o.ev(R.randint(1 * DAY, 2 * DAY), "RESOLVE", rep)
            o.ev(R.randint(1 * HOUR, 3 * HOUR), "REPLY", rep)
            visit_and_close(o, "FAIRLY_SATISFIED")
        else:
            visit_and_close(o)
    return steps


def back_office_steps(kind):
    """REPORT, OPINION, SUGGESTION, PRAISE: dispatched, handled, replied."""
    def steps(o):
        agent = R.choice(AGENTS)
        unit = o.unit
        o.ev(dispatch_delay(o), "DISPATCH", agent, target=unit)
        who = INSPECTION[unit][0] if kind == "REPORT" else R.choice(REPS[unit])
        o.ev(R.randint(20 * MIN, 4 * HOUR), "RECEIVE", who)
        o.ev(R.randint(1 * DAY, 8 * DAY) if kind == "REPORT" else R.randint(4 * HOUR, 3 * DAY),
             "RESOLVE", who)
        o.ev(R.randint(1 * HOUR, 5 * HOUR), "REPLY", who)
        if kind in ("SUGGESTION", "PRAISE"):
            o.ev(R.randint(1 * HOUR, 8 * HOUR), "CLOSE", R.choice(AGENTS))
        else:
            visit_and_close(o, R.choices(["SATISFIED", "FAIRLY_SATISFIED"], [80, 20])[0])
    return steps


def dispatch_task_steps(o):
    lead = R.choice(SHIFT_LEADS)
    unit = o.unit
    o.ev(R.randint(30, 170) if R.random() < 0.85 else R.randint(200, 600), "DISPATCH", lead,
         target=unit)
    crew = R.choice(CREWS[unit])
    o.ev(R.randint(5 * MIN, 30 * MIN), "RECEIVE", crew)
    o.ev(R.randint(30 * MIN, 3 * HOUR), "ARRIVE", crew)
    o.ev(R.randint(1 * HOUR, 4 * HOUR), "RESOLVE", crew)
    o.ev(R.randint(30 * MIN, 3 * HOUR), "CLOSE", lead)


def random_time(day_lo=1, day_hi=31):
    day = R.randint(day_lo, day_hi)
    hour = R.choices(range(24), [1, 1, 1, 1, 1, 2, 3, 6, 9, 10, 10, 9, 7, 8, 9, 9, 8, 8, 9, 8,
                                 6, 4, 3, 2])[0]
    return dt.datetime(2026, 10, day, hour, R.randint(0, 59), R.randint(0, 59), tzinfo=TZ)


FAULT_SUMMARIES = ["no power in the whole flat", "lights flicker, then went out",
                   'sparks at the service drop, "loud bang" heard', "half the sockets dead",
                   "street transformer humming, no power", "low voltage, appliances trip"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    customers = load_customers(os.path.join(here, "customers-full.csv"))
    residential = [c for c in customers if c["tariff"] == "RESIDENTIAL"]

    orders, calls = [], []
    seq = {"n": 0}

    def new_id(prefix):
        seq["n"] += 1
        return "%s-2610-%04d" % (prefix, seq["n"])

    def phone_call(o, agent=None):
        """The call that produced a PHONE order: it arrived a little before the
        acceptance and ended after it; some waited long (T-1)."""
        wait = R.randint(13, 50) if R.random() < 0.12 else R.randint(2, 11)
        talk_before = R.randint(40, 110)
        answered = o.at - dt.timedelta(seconds=talk_before)
        arrived = answered - dt.timedelta(seconds=wait)
        ended = o.at + dt.timedelta(seconds=R.randint(40, 150))
        o.call_end = ended
        calls.append({"call_id": "CALL-" + o.id, "arrived_at": arrived, "answered_at": answered,
                      "ended_at": ended, "agent_id": o.opener[0], "order_id": o.id})

    def add(prefix, otype, steps, channel=None, customer=None, area=None, subtype="",
            summary="", at=None, opener=None):
        channel = channel or R.choices(["PHONE", "WEB", "APP", "SMS", "EMAIL", "VOIP", "FAX",
                                        "COUNTER"], [78, 6, 8, 2, 2, 2, 1, 1])[0]
        if otype == "DISPATCH":
            channel = "COUNTER"
        o = Order(new_id(prefix), otype, at or random_time(), channel, customer, area, subtype,
                  summary, opener)
        if channel == "PHONE":
            phone_call(o)
        orders.append(run(o, steps))
        return o

    # FAULT_REPAIR: 130, most from residential customers, some anonymous
    for i in range(130):
        anon = R.random() < 0.12
        cust = None if anon else R.choice(residential if R.random() < 0.8 else customers)
        area = R.choice(["URBAN", "URBAN", "RURAL", "REMOTE"]) if anon else None
        flags = {}
        x = R.random()
        if x < 0.12:
            flags["late"] = True
        elif x < 0.16:
            flags["suspend"] = True
        if i in (17, 64):
            flags["reopen"] = True
        if i == 33:
            flags["returned"] = True
        if i in (45, 90):
            flags["transfer"] = True
        if i == 71:
            flags["cancel"] = True
        o = add("F", "FAULT_REPAIR", fault_steps(**flags), customer=cust, area=area,
                summary=R.choice(FAULT_SUMMARIES), at=random_time(1, 31))
        if i in (5, 29, 58, 88, 111):  # W-9: the neighbour calls about the same outage
            later = o.at + dt.timedelta(minutes=R.randint(8, 20))
            if later < MONTH_END - dt.timedelta(hours=1):
                add("F", "FAULT_REPAIR", merge_steps(o.id), channel="PHONE", customer=o.customer,
                    area=None if o.customer else o.area, summary="repeat: " + o.rows[0]["summary"],
                    at=later)

    # INQUIRY: 60
    for _ in range(60):
        add("Q", "INQUIRY", inquiry_steps, customer=R.choice(customers) if R.random() < 0.7 else None,
            summary=R.choice(["tariff question", "bill amount", "planned outage dates",
                              "how to pay online", "meter reading date"]))

    # SERVICE_REQUEST: 50 across the subtypes
    subs = (["NEW_CONNECTION"] * 8 + ["CAPACITY_CHANGE"] * 5 + ["RECONNECTION"] * 12 +
            ["APPLIANCE_DAMAGE"] * 6 + ["METER_CHECK"] * 7 + ["METER_READING_CHECK"] * 7 +
            ["OTHER"] * 5)
    for sub in subs:
        cust = R.choice(customers)
        add("S", "SERVICE_REQUEST", request_steps(sub), customer=cust, subtype=sub,
            summary=sub.lower().replace("_", " "), at=random_time(1, 28))

    # COMPLAINT: 22 across the categories (W-15)
    cats = ["SERVICE", "BUSINESS", "OUTAGE", "SUPPLY_QUALITY", "GRID_CONSTRUCTION"]
    for i in range(22):
        cust = R.choice(customers)
        add("C", "COMPLAINT",
            complaint_steps(late_contact=i == 3, late_reply=i in (6, 15), urged=i in (6, 11, 15),
                            reopen=i == 9, suspend=i == 13),
            customer=cust, subtype=cats[i % 5] if i != 20 else "",
            summary="complaint: " + cats[i % 5].lower().replace("_", " "),
            at=random_time(1, 26) if i != 21 else random_time(30, 31))

    for kind, n in (("REPORT", 8), ("OPINION", 10), ("SUGGESTION", 8), ("PRAISE", 10)):
        for _ in range(n):
            add(kind[0] if kind != "PRAISE" else "P", kind, back_office_steps(kind),
                customer=R.choice(customers) if R.random() < 0.6 else None,
                summary=kind.lower(), at=random_time(1, 27))

    for _ in range(12):
        add("D", "DISPATCH", dispatch_task_steps, customer=R.choice(customers), channel="COUNTER",
            summary="inspect the service drop after the storm", opener=R.choice(SHIFT_LEADS))

    # calls that produced no order: answered questions, and abandoned ones
    for i in range(160):
        arrived = random_time()
        x = R.random()
        if x < 0.22:  # abandoned: half within 12 s, half after waiting longer
            wait = R.randint(3, 11) if R.random() < 0.5 else R.randint(14, 90)
            calls.append({"call_id": "CALL-X%04d" % i, "arrived_at": arrived, "answered_at": "",
                          "ended_at": arrived + dt.timedelta(seconds=wait), "agent_id": "",
                          "order_id": ""})
            continue
        wait = R.randint(13, 45) if x < 0.32 else R.randint(2, 11)
        answered = arrived + dt.timedelta(seconds=wait)
        calls.append({"call_id": "CALL-X%04d" % i, "arrived_at": arrived, "answered_at": answered,
                      "ended_at": answered + dt.timedelta(seconds=R.randint(30, 400)),
                      "agent_id": R.choice(AGENTS)[0], "order_id": ""})

    notices = notices_of_month()

    # rows in time order (the order's own sequence breaks ties)
    rows = []
    for k, o in enumerate(orders):
        for j, r in enumerate(o.rows):
            rows.append((r["at"], k, j, r))
    rows.sort(key=lambda x: (x[0], x[1], x[2]))
    calls.sort(key=lambda c: (c["arrived_at"], c["call_id"]))

    def write(name, cols, items, comment):
        path = os.path.join(args.out, name)
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write("# %s — generated by gen_month.py (seed %d); do not edit by hand.\r\n"
                    % (name, SEED))
            f.write("# %s\r\n" % comment)
            w = csv.DictWriter(f, fieldnames=cols, lineterminator="\r\n")
            w.writeheader()
            for it in items:
                w.writerow({k: fmt(v) if isinstance(v, dt.datetime) else v
                            for k, v in it.items() if k in cols})
        print("wrote %s (%d rows)" % (path, len(items)))

    write("orders-2026-10.csv", ORDER_COLS, [r for _, _, _, r in rows],
          "95598 work orders of October 2026: one row per opening (OPEN) or event; "
          "times UTC+08:00")
    write("calls-2026-10.csv", CALL_COLS, calls,
          "hotline calls of October 2026; an empty answered_at is an abandoned call")
    write("notices-2026-10.csv", NOTICE_COLS, notices,
          "outage notices of October 2026; a repeated notice_id is a re-publication (T-10)")


def notices_of_month():
    def t(d, h, m=0):
        return dt.datetime(2026, 10, d, h, m, tzinfo=TZ)
    n = []

    def pub(nid, kind, unit, feeder, start, end, at):
        n.append({"notice_id": nid, "kind": kind, "unit": unit, "feeder": feeder,
                  "start": start, "end": end, "published_at": at})
    # T-7: planned maintenance, 7 days ahead (met), one only 5 days ahead (breached)
    pub("N-2610-01", "PLANNED_MAINTENANCE", "CD-01-dispatch", "F104", t(16, 8), t(16, 17), t(8, 10))
    pub("N-2610-02", "PLANNED_MAINTENANCE", "NX-02-dispatch", "F201", t(17, 8), t(17, 16), t(12, 15))
    pub("N-2610-03", "PLANNED_MAINTENANCE", "CD-01-dispatch", "F101", t(22, 9), t(22, 15), t(13, 9))
    # a T-10 change announced in time: the outage ends two hours later
    pub("N-2610-03", "PLANNED_MAINTENANCE", "CD-01-dispatch", "F101", t(22, 9), t(22, 17), t(22, 12))
    pub("N-2610-04", "PLANNED_MAINTENANCE", "SQ-03-dispatch", "F301", t(28, 8), t(28, 18), t(19, 11))
    # a T-10 change announced late: the outage starts earlier, 20 minutes' notice
    pub("N-2610-04", "PLANNED_MAINTENANCE", "SQ-03-dispatch", "F301", t(28, 7), t(28, 18), t(28, 6, 40))
    # T-8: ordered use, 24 h ahead (met) and 12 h ahead (breached)
    pub("N-2610-05", "ORDERED_USE", "CD-01-marketing", "L110-7", t(21, 14), t(21, 20), t(20, 9))
    pub("N-2610-06", "ORDERED_USE", "NX-02-marketing", "F202", t(23, 20), t(24, 6), t(23, 8))
    # T-9: 30 minutes for the others
    pub("N-2610-07", "TEMPORARY_MAINTENANCE", "CD-01", "F105", t(9, 13), t(9, 15), t(9, 10))
    pub("N-2610-08", "FAULT", "NX-02", "F206", t(14, 10, 30), t(14, 13), t(14, 9, 50))
    pub("N-2610-09", "FAULT", "CD-01", "F108", t(25, 19, 0), t(25, 22), t(25, 18, 50))
    pub("N-2610-10", "ARREARS", "NX-02", "F205", t(27, 9), t(27, 18), t(20, 9))
    pub("N-2610-11", "EMERGENCY", "CD-01-dispatch", "F110", t(30, 18), t(30, 21), t(30, 17, 15))
    return n


if __name__ == "__main__":
    main()
