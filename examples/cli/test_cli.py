#!/usr/bin/env python3
"""example.cli — drives the psvc tool as a user would: as a subprocess, checking
its output and exit codes (examples/cli/README.md). Every test runs in a fresh
temporary directory. PSVC_CLI names the tool (ctest passes it), PSVC_DATA the
sample data (default: ../data next to this file).

Exit codes: 0 ok, 1 usage, 2 input or refused by a rule, 3 not found, 4 storage,
5 other. Under a sanitizer build a leak or an error changes the exit code, so
every check of an exit code is also a check that the tool ran clean.
"""
import csv
import fcntl
import hashlib
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.environ.get("PSVC_CLI") or shutil.which("psvc")
DATA = os.environ.get("PSVC_DATA") or os.path.join(HERE, "..", "data")
CUSTOMERS = os.path.join(DATA, "customers-full.csv")
ORDERS = os.path.join(DATA, "orders-2026-10.csv")
CALLS = os.path.join(DATA, "calls-2026-10.csv")
NOTICES = os.path.join(DATA, "notices-2026-10.csv")
CALENDAR = os.path.join(DATA, "cn-2026.cal")
OLD_CUSTOMERS = os.path.join(DATA, "customers.csv")

SUBCOMMANDS = [("customer", "add"), ("customer", "show"), ("customer", "check"),
               ("customer", "list"), ("customer", "import"), ("order", "open"),
               ("order", "act"), ("order", "show"), ("order", "list"), ("order", "sla"),
               ("order", "handover"), ("calendar", "check"), ("calendar", "add"),
               ("calendar", "between"), ("classify", None), ("notice", "publish"),
               ("notice", "check"), ("report", None), ("import", None), ("export", None)]

CUSTOMER_HEADER = ("id,name,relation,tariff,sources,usage,importance,load_class,segment,area,"
                   "voltage_v,capacity_kva,supply_end,season,unit,feeder,phone,manager")
ORDER_HEADER = ("order_id,at,action,actor,role,unit,target,value,note,type,subtype,channel,"
                "area,customer_id,summary")
GOOD_CUSTOMER = ("0900000001,Wang Fang,DIRECT,RESIDENTIAL,LV,,,3,ORDINARY,URBAN,220,8,,,CD-01,"
                 "F101,13812345678,CM-007")


def tool_env(extra=None):
    """The environment of the tool: a sanitizer's finding (a leak, an error) exits
    86, an exit code the tool never uses, so no expected code can hide it."""
    e = dict(os.environ)
    e.pop("PSVC_CALENDAR", None)
    for var in ("ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"):
        if "exitcode" not in e.get(var, ""):
            e[var] = (e[var] + ":" if e.get(var) else "") + "exitcode=86"
    e.update(extra or {})
    return e


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(ln for ln in f if not ln.startswith("#")))


class CliTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="psvc-cli-")
        self.db = os.path.join(self.dir, "t.journal")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- helpers ------------------------------------------------------------------
    def run_cli(self, *args, rc=0, db=True, env=None):
        argv = [CLI] + (["--db", self.db] if db else []) + [str(a) for a in args]
        p = subprocess.run(argv, cwd=self.dir, capture_output=True, text=True,
                           env=tool_env(env), timeout=60)
        if rc is not None:
            self.assertEqual(p.returncode, rc,
                             "psvc %s\nexit %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(map(str, args)), p.returncode, rc, p.stdout, p.stderr))
        return p

    def json_of(self, *args, **kw):
        p = self.run_cli(*(list(args) + ["--json"]), **kw)
        return json.loads(p.stdout)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        return path

    def journal_state(self, export=False):
        """The journal's bytes (and what export shows): what "nothing committed" must
        leave unchanged."""
        with open(self.db, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        return digest, self.run_cli("export", "--show-personal").stdout if export else None

    def import_sample(self):
        p = self.run_cli("--now", "2026-11-01", "import", CUSTOMERS, ORDERS, NOTICES, CALLS,
                         "--json")
        return json.loads(p.stdout)

    def seed(self):
        if not os.path.exists(self.db):
            self.run_cli("customer", "import", CUSTOMERS, "--now", "2026-11-01")

    def assert_import_fails(self, files, where, column, words=(), rc=2, export=False):
        """A failed import: FILE:LINE: column NAME: ... on stderr, the exit code, and
        the journal exactly as it was, byte for byte."""
        self.seed()
        before = self.journal_state(export)
        p = self.run_cli("import", *files, rc=rc)
        prefix = "psvc: %s: column %s: " % (where, column)
        self.assertIn(prefix, p.stderr)
        for w in words:
            self.assertIn(w, p.stderr)
        self.assertEqual(self.journal_state(export), before,
                         "the failed import changed the journal")
        return p

    # ---- help and usage -------------------------------------------------------------
    def test_help_of_every_subcommand(self):
        for group, sub in SUBCOMMANDS:
            args = [group] + ([sub] if sub else [])
            p = self.run_cli(*(args + ["--help"]), db=False)
            self.assertTrue(p.stdout.startswith("usage: psvc " + " ".join(args)), p.stdout)
        for args in (["order", "act"], ["report"]):
            for how in (args + ["-h"], ["help"] + args, args + ["--json", "--help"]):
                p = self.run_cli(*how, db=False)
                self.assertTrue(p.stdout.startswith("usage: psvc " + " ".join(args)), p.stdout)
        p = self.run_cli("--help", db=False)
        for group, _ in SUBCOMMANDS:
            self.assertIn(group, p.stdout)
        self.assertIn("Exit codes", p.stdout)
        p = self.run_cli("order", "--help", db=False)
        self.assertIn("psvc order handover", p.stdout)
        p = self.run_cli("--version", db=False)
        self.assertIn("libpowersvc 1.", p.stdout)

    def test_usage_errors_exit_1(self):
        self.run_cli(db=False, rc=1)
        self.assertIn("unknown command", self.run_cli("frobnicate", rc=1).stderr)
        self.assertIn("unknown subcommand", self.run_cli("order", "frob", rc=1).stderr)
        self.run_cli("customer", rc=1)
        self.assertIn("unknown option '--bogus'", self.run_cli("customer", "list", "--bogus",
                                                               rc=1).stderr)
        self.assertIn("needs a value", self.run_cli("order", "list", "--state", rc=1).stderr)
        self.assertIn("takes no value", self.run_cli("export", "--json=1", rc=1).stderr)
        self.run_cli("customer", "show", rc=1)
        self.run_cli("order", "act", "F1", rc=1)
        self.run_cli("report", "--from", "2026-10-01", rc=1)
        self.run_cli("report", "--month", "2026-13", rc=1)
        self.run_cli("report", "--month", "2026-10", "--group-by", "colour", rc=1)
        self.run_cli("classify", "--supply", "LV_PUBLIC", rc=1)
        self.run_cli("--now", "yesterday", "customer", "list", rc=1)
        self.run_cli("--profile", "nope", "customer", "add", "X1", "--sources", "LV", rc=1)
        self.assertFalse(os.path.exists(self.db))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "powersvc.journal")))

    # ---- customers ----------------------------------------------------------------------
    def add_wang(self, *extra, rc=0):
        return self.run_cli("customer", "add", "0100000001", "--name", "Wang Fang",
                            "--relation", "DIRECT", "--tariff", "RESIDENTIAL", "--sources", "LV",
                            "--voltage-v", "220", "--capacity-kva", "8", "--area", "URBAN",
                            "--unit", "CD-01", "--feeder", "F101", "--phone", "13812345678",
                            "--manager", "CM-007", "--load-class", "3", *extra, rc=rc)

    def test_customer_add_show_list_masked(self):
        p = self.add_wang()
        self.assertIn("saved", p.stdout)
        p = self.run_cli("customer", "show", "0100000001")
        self.assertIn("Wang F*", p.stdout)
        self.assertIn("138****5678", p.stdout)
        self.assertNotIn("Wang Fang", p.stdout)
        self.assertNotIn("13812345678", p.stdout)
        p = self.run_cli("customer", "show", "0100000001", "--show-personal")
        self.assertIn("Wang Fang", p.stdout)
        self.assertIn("13812345678", p.stdout)
        j = self.json_of("customer", "show", "0100000001")
        self.assertEqual(j["customer"]["name"], "Wang F*")
        self.assertEqual(j["customer"]["phone"], "138****5678")
        self.assertEqual(j["customer"]["tariff"], "RESIDENTIAL")
        self.assertEqual(j["customer"]["sources"], ["LV"])
        j = self.json_of("customer", "show", "0100000001", "--show-personal")
        self.assertEqual(j["customer"]["name"], "Wang Fang")
        p = self.run_cli("customer", "list")
        self.assertIn("Wang F*", p.stdout)
        self.assertNotIn("Wang Fang", p.stdout)
        self.assertIn("1 customers", p.stdout)
        j = self.json_of("customer", "list", "--show-personal")
        self.assertEqual([c["phone"] for c in j], ["13812345678"])

    def test_masking_of_other_names(self):
        self.run_cli("customer", "import", CUSTOMERS, "--now", "2026-11-01")
        rows = {c["id"]: c for c in self.json_of("customer", "list")}
        self.assertEqual(rows["0100000004"]["name"], "王*")
        self.assertEqual(rows["0300000003"]["name"], "Harbour L* L*")
        self.assertEqual(rows["0100000004"]["phone"], "139****5678")
        rows = {c["id"]: c for c in self.json_of("customer", "list", "--show-personal")}
        self.assertEqual(rows["0100000004"]["name"], "王芳")
        self.assertEqual(rows["0300000003"]["name"], "Harbour Logistics, Ltd.")

    def test_customer_add_refused_by_a_rule(self):
        p = self.run_cli("customer", "add", "0600000003", "--name", "Road Works Camp",
                         "--relation", "DIRECT", "--tariff", "COMMERCIAL", "--sources", "LV",
                         "--usage", "TEMPORARY", rc=2)
        self.assertIn("C-12", p.stdout + p.stderr)
        self.assertIn("--supply_end", p.stderr)
        self.assertFalse(os.path.exists(self.db), "a refused customer created the journal")
        j = self.json_of("customer", "add", "X1", "--relation", "WHOLESALE", "--tariff",
                         "RESIDENTIAL", "--sources", "HV", rc=2)
        self.assertFalse(j["saved"])
        self.assertIn("C-10", [f["rule"] for f in j["findings"]])
        p = self.run_cli("customer", "add", "X1", "--tariff", "PLATINUM", rc=2)
        self.assertIn("--tariff: unknown value 'PLATINUM'", p.stderr)
        self.run_cli("customer", "add", "bad id!", rc=2)
        self.run_cli("customer", "add", "X1", "--sources", "LV", "--supply-end", "2026-02-30",
                     rc=2)

    def test_customer_duplicate_and_replace(self):
        self.add_wang()
        p = self.add_wang(rc=2)
        self.assertIn("C-17", p.stderr)
        self.add_wang("--replace", "--name", "Wang Li")
        j = self.json_of("customer", "show", "0100000001", "--show-personal")
        self.assertEqual(j["customer"]["name"], "Wang Li")

    def test_not_found_exit_3(self):
        p = self.run_cli("customer", "list", rc=3)
        self.assertIn("no journal", p.stderr)
        self.assertFalse(os.path.exists(self.db))
        self.add_wang()
        self.run_cli("customer", "show", "0999999999", rc=3)
        self.run_cli("order", "show", "F-NOPE", rc=3)
        self.run_cli("order", "sla", "F-NOPE", rc=3)
        self.run_cli("notice", "check", "N-NOPE", rc=3)
        self.run_cli("notice", "check", "--customer", "0999999999", rc=3)
        self.run_cli("order", "act", "F-NOPE", "NOTE", "--note", "x", rc=3)
        self.run_cli("calendar", "check", os.path.join(self.dir, "none.cal"), rc=3)
        self.run_cli("import", os.path.join(self.dir, "none.csv"), rc=3)

    def test_customer_check_and_list_filters(self):
        self.run_cli("customer", "import", CUSTOMERS, "--now", "2026-11-01")
        p = self.run_cli("customer", "check", "--now", "2026-11-01")
        self.assertIn("C-16", p.stdout)
        self.assertIn("37 customers checked: 0 errors", p.stdout)
        j = self.json_of("customer", "check", "0800000001", "--now", "2026-11-01")
        self.assertEqual(j["customers"][0]["findings"][0]["rule"], "C-16")
        self.assertEqual(j["errors"], 0)
        # the expo's temporary supply has ended by December: a warning (C-12), exit 0
        j = self.json_of("customer", "check", "0400000003", "--now", "2026-12-01")
        self.assertIn("C-12", [f["rule"] for f in j["customers"][0]["findings"]])
        self.run_cli("customer", "check", "0999999999", rc=3)
        ids = [c["id"] for c in self.json_of("customer", "list", "--area", "REMOTE")]
        self.assertEqual(ids, ["0100000003", "0100000010", "0100000011", "0500000002",
                               "0700000002"])
        ids = [c["id"] for c in self.json_of("customer", "list", "--tariff", "WHOLESALE")]
        self.assertEqual(ids, ["0700000001", "0700000002"])
        self.assertEqual(len(self.json_of("customer", "list", "--feeder", "F101")), 4)

    def test_customer_import_only_takes_customers(self):
        self.run_cli("customer", "import", CUSTOMERS)
        self.assertEqual(len(self.json_of("customer", "list")), 37)
        p = self.run_cli("customer", "import", ORDERS, rc=2)
        self.assertIn("not a customer file", p.stderr)
        p = self.run_cli("customer", "import", CUSTOMERS, rc=2)
        self.assertIn("column id: duplicate id", p.stderr)
        self.run_cli("customer", "import", CUSTOMERS, "--replace")

    # ---- orders -------------------------------------------------------------------------
    def open_fault(self, oid="F1", at="2026-10-08 09:00"):
        return self.run_cli("order", "open", oid, "--type", "FAULT_REPAIR", "--customer",
                            "0100000001", "--at", at, "--actor", "A101", "--unit", "95598-CC")

    def act(self, oid, action, at, *extra, rc=0):
        return self.run_cli("order", "act", oid, action, "--at", at, *extra, rc=rc)

    def test_order_lifecycle_between_invocations(self):
        self.add_wang()
        self.assertIn("state ACCEPTED", self.open_fault().stdout)
        self.act("F1", "DISPATCH", "2026-10-08 09:02", "--target", "CD-01", "--actor", "A101")
        p = self.act("F1", "RECEIVE", "2026-10-08 09:05", "--actor", "R1", "--role",
                     "REPAIR_CREW", "--unit", "CD-01")
        self.assertIn("state RECEIVED, at unit CD-01", p.stdout)
        # the role check (W-4 grants): an AGENT may not arrive on site
        p = self.act("F1", "ARRIVE", "2026-10-08 09:30", rc=2)
        self.assertIn("--role", p.stderr)
        # time runs forward only (W-11)
        p = self.act("F1", "ARRIVE", "2026-10-08 09:01", "--actor", "R1", "--role",
                     "REPAIR_CREW", rc=2)
        self.assertIn("--at", p.stderr)
        self.act("F1", "ARRIVE", "2026-10-08 09:30", "--actor", "R1", "--role", "REPAIR_CREW")
        # the clock as of a time between: ARRIVAL met in 30 of 40 minutes
        j = self.json_of("order", "sla", "F1", "--metric", "ARRIVAL", "--now", "2026-10-08 10:00")
        self.assertEqual(j["sla"][0]["status"], "MET")
        self.assertEqual(j["sla"][0]["elapsed_s"], 1800)
        self.assertEqual(j["sla"][0]["limit_s"], 2400)
        # RESOLVE runs from the arrival (T-18): at risk after 2.5 of 3 hours
        j = self.json_of("order", "sla", "F1", "--metric", "RESOLVE", "--now", "2026-10-08 12:00")
        self.assertEqual(j["sla"][0]["status"], "AT_RISK")
        p = self.run_cli("order", "sla", "F1", "--now", "2026-10-08 13:00")
        self.assertIn("BREACHED", p.stdout)
        self.act("F1", "RESOLVE", "2026-10-08 11:00", "--actor", "R1", "--role", "REPAIR_CREW")
        self.act("F1", "VISIT", "2026-10-08 15:00", "--value", "SATISFIED", "--actor", "A102")
        self.act("F1", "CLOSE", "2026-10-08 15:05", "--actor", "A102")
        self.act("F1", "NOTE", "2026-10-09 08:00", "--note", "customer thanked the crew")
        p = self.run_cli("order", "show", "F1", "--now", "2026-10-10")
        for word in ("CLOSED", "history:", "DISPATCH", "SATISFIED", "customer thanked",
                     "SLA clocks", "ARRIVAL"):
            self.assertIn(word, p.stdout)
        j = self.json_of("order", "show", "F1", "--now", "2026-10-10")
        self.assertEqual(j["order"]["state"], "CLOSED")
        self.assertEqual(j["order"]["responsible_unit"], "CD-01")
        self.assertEqual([e["action"] for e in j["order"]["events"]],
                         ["DISPATCH", "RECEIVE", "ARRIVE", "RESOLVE", "VISIT", "CLOSE", "NOTE"])
        self.assertEqual(j["order"]["events"][0]["at"], "2026-10-08T09:02:00+08:00")
        # a closed order accepts only NOTE
        p = self.act("F1", "RESOLVE", "2026-10-09 09:00", "--role", "REPAIR_CREW", "--actor",
                     "R1", rc=2)
        self.assertIn("ACTION", p.stderr)
        self.assertIn("not allowed", p.stderr)

    def test_order_open_errors(self):
        self.add_wang()
        self.open_fault()
        p = self.run_cli("order", "open", "F1", "--type", "INQUIRY", rc=2)
        self.assertIn("ID: duplicate id: order 'F1' already exists", p.stderr)
        p = self.run_cli("order", "open", "S1", "--type", "SERVICE_REQUEST", rc=2)
        self.assertIn("--customer", p.stderr)
        p = self.run_cli("order", "open", "F2", "--type", "FAULT_REPAIR", rc=2)
        self.assertIn("--area", p.stderr)
        self.run_cli("order", "open", "F2", "--type", "FAULT_REPAIR", "--area", "RURAL")
        p = self.run_cli("order", "open", "C1", "--type", "COMPLAINT", "--subtype", "WEATHER",
                         rc=2)
        self.assertIn("--subtype", p.stderr)
        p = self.run_cli("order", "open", "Q1", "--type", "INQUIRY", "--subtype", "OUTAGE", rc=2)
        self.assertIn("--subtype", p.stderr)
        p = self.run_cli("order", "open", "Q1", "--type", "INQUIRY", "--customer", "0999999999",
                         rc=3)
        self.assertIn("--customer", p.stderr)
        p = self.run_cli("order", "open", "Q1", "--type", "INQUIRY", "--role", "REPAIR_CREW",
                         rc=2)
        self.assertIn("--role", p.stderr)
        j = self.json_of("order", "open", "C1", "--type", "COMPLAINT", "--subtype", "OUTAGE",
                         "--customer", "0100000001", "--at", "2026-10-09T01:00:00Z")
        self.assertEqual(j["subtype"], "OUTAGE")
        self.assertEqual(j["accepted_at"], "2026-10-09T09:00:00+08:00")
        p = self.act("C1", "DISPATCH", "2026-10-09 09:10", rc=2)
        self.assertIn("--target", p.stderr)
        p = self.act("C1", "VISIT", "2026-10-09 09:10", "--value", "HAPPY", rc=2)
        self.assertIn("--value", p.stderr)
        p = self.act("C1", "FLY", "2026-10-09 09:10", rc=2)
        self.assertIn("ACTION", p.stderr)

    def test_order_list_and_handover(self):
        self.add_wang()
        self.open_fault("F1", "2026-10-08 09:00")
        self.open_fault("F2", "2026-10-08 09:10")
        self.act("F1", "DISPATCH", "2026-10-08 09:02", "--target", "CD-01")
        self.act("F2", "DISPATCH", "2026-10-08 09:11", "--target", "CD-01")
        self.run_cli("order", "open", "Q1", "--type", "INQUIRY", "--at", "2026-10-08 08:00")
        ids = [o["id"] for o in self.json_of("order", "list")]
        self.assertEqual(ids, ["Q1", "F1", "F2"])
        ids = [o["id"] for o in self.json_of("order", "list", "--type", "FAULT_REPAIR",
                                             "--state", "DISPATCHED")]
        self.assertEqual(ids, ["F1", "F2"])
        ids = [o["id"] for o in self.json_of("order", "list", "--from", "2026-10-08 09:05")]
        self.assertEqual(ids, ["F2"])
        self.assertIn("3 orders", self.run_cli("order", "list").stdout)
        j = self.json_of("order", "handover", "CD-01", "--now", "2026-10-08 09:30")
        self.assertEqual([o["id"] for o in j["orders"]], ["F1", "F2"])
        self.assertEqual(j["orders"][0]["most_urgent"]["metric"], "ARRIVAL")
        p = self.run_cli("order", "handover", "CD-01", "--now", "2026-10-08 09:30")
        self.assertIn("W-13", p.stdout)
        self.assertIn("2 open orders", p.stdout)

    # ---- calendars ----------------------------------------------------------------------
    def test_calendar_commands(self):
        j = self.json_of("calendar", "check", CALENDAR, "--year", "2026", db=False)
        self.assertTrue(j["valid"])
        october = j["months"][9]
        # 22 weekdays, National Day 1-7 Oct takes 5 of them, Saturday 10 Oct is worked
        self.assertEqual(october["working_days"], 18)
        self.assertEqual(october["business_s"], 18 * 7 * 3600)
        p = self.run_cli("calendar", "check", CALENDAR, "--year", "2026", db=False)
        self.assertIn("valid", p.stdout)
        self.assertIn("2026-10", p.stdout)
        # T-23: one working day after 30 Sep is 8 Oct, to its last second
        j = self.json_of("calendar", "add", CALENDAR, "2026-09-30 16:00", "1wd", db=False)
        self.assertEqual(j["result"], "2026-10-08T23:59:59+08:00")
        j = self.json_of("calendar", "add", CALENDAR, "2026-09-30 17:00", "1h", db=False)
        self.assertEqual(j["result"], "2026-10-08T09:00:00+08:00")
        p = self.run_cli("calendar", "add", CALENDAR, "2026-09-30 17:00", "1h30m", db=False)
        self.assertIn("2026-10-08 09:30:00", p.stdout)
        j = self.json_of("calendar", "between", CALENDAR, "2026-10-08 08:00", "2026-10-09 08:00",
                         db=False)
        self.assertEqual(j["business_s"], 7 * 3600)
        self.assertEqual(j["working_days"], 2)
        self.assertIn("07:00:00", self.run_cli("calendar", "between", CALENDAR, "2026-10-08",
                                               "2026-10-09", db=False).stdout)
        self.run_cli("calendar", "add", CALENDAR, "2026-09-30 17:00", "1 hour", db=False, rc=2)
        self.run_cli("calendar", "between", CALENDAR, "2026-10-09", "2026-10-08", db=False, rc=2)
        bad = self.write("bad.cal", "utc+08:00\nhours mon-fri 08:30-12:00\nholiday 2026-02-30\n")
        p = self.run_cli("calendar", "check", bad, db=False, rc=2)
        self.assertIn("bad.cal:3:", p.stderr)
        self.assertIn("2026-02-30", p.stderr)
        # a calendar for the SLA clocks must parse too
        self.add_wang()
        self.run_cli("--calendar", bad, "order", "list", rc=2)

    # ---- paid or free -------------------------------------------------------------------
    def test_classify(self):
        p = self.run_cli("classify", "--supply", "LV_PUBLIC", "--location", "CUSTOMER_SIDE",
                         db=False)
        self.assertTrue(p.stdout.startswith("paid service (S-3(1))"), p.stdout)
        j = self.json_of("classify", "--supply", "HV_PUBLIC_10KV", "--location", "METER",
                         db=False)
        self.assertEqual((j["paid"], j["owner"], j["rule"]), (False, "UTILITY", "S-4"))
        self.assertTrue(j["reason"])
        j = self.json_of("classify", "--supply", "LV_PUBLIC", "--location", "METER",
                         "--customer-caused", db=False)
        self.assertTrue(j["paid"])
        p = self.run_cli("classify", "--supply", "CABLE", "--location", "BOUNDARY_DEVICE",
                         db=False, rc=2)
        self.assertIn("contract", p.stderr)
        j = self.json_of("classify", "--supply", "CABLE", "--location", "BOUNDARY_DEVICE",
                         "--agreed-owner", "CUSTOMER", db=False)
        self.assertEqual((j["rule"], j["paid"]), ("S-3(4)", True))
        self.run_cli("classify", "--supply", "SOLAR", "--location", "METER", db=False, rc=2)
        # a quote for a FAULT_REPAIR order
        self.add_wang()
        self.open_fault()
        p = self.run_cli("classify", "--supply", "LV_PUBLIC", "--location", "CUSTOMER_SIDE",
                         "--order", "F1", "--service", "LV-REPAIR", "--fee", "120.50")
        self.assertIn("120.50 yuan", p.stdout)
        j = self.json_of("classify", "--supply", "LV_PUBLIC", "--location", "PUBLIC_NETWORK",
                         "--order", "F1")
        self.assertEqual(j["amount_cents"], 0)
        self.run_cli("classify", "--supply", "LV_PUBLIC", "--location", "CUSTOMER_SIDE",
                     "--order", "F1", rc=3)  # paid, but no fee for it
        self.run_cli("classify", "--supply", "LV_PUBLIC", "--location", "CUSTOMER_SIDE",
                     "--order", "F9", "--service", "X", "--fee", "1", rc=3)

    # ---- notices ------------------------------------------------------------------------
    def test_notice_publish_and_check(self):
        self.run_cli("customer", "import", CUSTOMERS)
        p = self.run_cli("notice", "publish", "N1", "--kind", "PLANNED_MAINTENANCE", "--unit",
                         "CD-01-dispatch", "--feeder", "F104", "--start", "2026-10-16 08:00",
                         "--end", "2026-10-16 17:00", "--at", "2026-10-08 10:00")
        self.assertIn("MET", p.stdout)
        self.assertIn("0400000001", p.stdout)  # the hospital, IMPORTANT (T-11)
        self.assertIn("Provincial H*", p.stdout)
        self.assertNotIn("Provincial Hospital", p.stdout)
        j = self.json_of("notice", "check", "N1", "--show-personal")
        self.assertEqual(j["lead"]["status"], "MET")
        self.assertEqual(j["notice"]["feeder"], "F104")
        self.assertEqual([c["name"] for c in j["tell_individually"]], ["Provincial Hospital"])
        # a later end announced 30 minutes before the old end: a late T-10 change
        j = self.json_of("notice", "publish", "N1", "--kind", "PLANNED_MAINTENANCE", "--unit",
                         "CD-01-dispatch", "--feeder", "F104", "--start", "2026-10-16 08:00",
                         "--end", "2026-10-16 19:00", "--at", "2026-10-16 16:30")
        self.assertEqual(j["lead"]["status"], "BREACHED")
        self.assertEqual(j["notice"]["late_changes"], 1)
        p = self.run_cli("notice", "publish", "N1", "--kind", "FAULT", "--unit", "CD-01",
                         "--feeder", "F104", "--start", "2026-10-16 08:00", "--end",
                         "2026-10-16 19:00", "--at", "2026-10-16 16:40", rc=2)
        self.assertIn("kind", p.stderr)
        self.run_cli("notice", "publish", "N2", "--kind", "FAULT", "--unit", "CD-01",
                     "--feeder", "F104", "--start", "2026-10-16 08:00", "--end",
                     "2026-10-16 07:00", rc=2)
        self.run_cli("notice", "publish", "N2", "--kind", "FAULT", rc=1)
        # O-6: the hospital calls during the outage
        j = self.json_of("notice", "check", "--customer", "0400000001", "--now",
                         "2026-10-16 12:00")
        self.assertEqual([n["id"] for n in j["active"]], ["N1"])
        p = self.run_cli("notice", "check", "--customer", "0400000001", "--now",
                         "2026-10-16 12:00")
        self.assertIn("no second crew", p.stdout)
        j = self.json_of("notice", "check", "--customer", "0400000001", "--now",
                         "2026-10-17 12:00")
        self.assertEqual(j["active"], [])

    # ---- the sample data, the report, export ----------------------------------------
    def test_import_sample_month_then_report(self):
        j = self.import_sample()
        orders = csv_rows(ORDERS)
        opens = [r for r in orders if r["action"] == "OPEN"]
        self.assertEqual(j["customers"], len(csv_rows(CUSTOMERS)))
        self.assertEqual(j["orders"], len(opens))
        self.assertEqual(j["events"], len(orders) - len(opens))
        self.assertEqual(j["calls"], len(csv_rows(CALLS)))
        self.assertEqual(j["notices"] + j["notice_changes"], len(csv_rows(NOTICES)))
        self.assertGreaterEqual(len(opens), 200)
        # every order type, merged repeat contacts, a reopened order, abandoned calls
        self.assertEqual({r["type"] for r in opens},
                         {"SERVICE_REQUEST", "INQUIRY", "FAULT_REPAIR", "COMPLAINT", "REPORT",
                          "OPINION", "SUGGESTION", "PRAISE", "DISPATCH"})
        rep = self.json_of("--calendar", CALENDAR, "report", "--month", "2026-10", "--now",
                           "2026-11-01", "--group-by", "type")
        self.assertEqual(rep["schema"], "psvc.report.v1")
        self.assertEqual(rep["total"]["orders"], len(opens))
        self.assertEqual(rep["monthly"]["month"], "2026-10")
        self.assertTrue(rep["monthly"]["on_time"])
        self.assertGreater(rep["total"]["merged"], 0)
        self.assertGreater(rep["total"]["reopened"], 0)
        self.assertGreater(rep["total"]["metrics"]["ARRIVAL"]["breached"], 0)
        self.assertGreater(rep["calls"]["abandoned"], 0)
        self.assertGreater(rep["calls"]["breached"], 0)
        self.assertGreater(rep["complaints"]["total"], 0)
        self.assertGreater(rep["notices"]["late_changes"], 0)
        self.assertEqual(len(rep["groups"]), 9)
        p = self.run_cli("--calendar", CALENDAR, "report", "--month", "2026-10", "--now",
                         "2026-11-01")
        for words in ("KPI report 2026-10-01 00:00:00 .. 2026-11-01 00:00:00",
                      "monthly report 2026-10 (T-12)", "FAULT_REPAIR", "TOTAL",
                      "on-time rate by time limit (Q-1)", "satisfaction (Q-4)",
                      "calls (Q-2, T-1)", "complaints (Q-7)", "outage notices"):
            self.assertIn(words, p.stdout)
        for group_by, key in (("unit", "CD-01"), ("area", "URBAN"), ("none", "all")):
            rep = self.json_of("report", "--from", "2026-10-01", "--to", "2026-11-01",
                               "--now", "2026-11-01", "--group-by", group_by)
            self.assertIn(key, [g["key"] for g in rep["groups"]])
        rep = self.json_of("report", "--from", "2026-10-10", "--to", "2026-10-11", "--now",
                           "2026-11-01")
        self.assertIsNone(rep["monthly"])
        # the same data gives the same bytes; no personal data (W-12)
        a = self.run_cli("report", "--month", "2026-10", "--now", "2026-11-01", "--json").stdout
        b = self.run_cli("report", "--month", "2026-10", "--now", "2026-11-01", "--json").stdout
        self.assertEqual(a, b)
        self.assertNotIn("Wang", a)
        self.assertNotIn("1380000", a)

    def test_export_json_lines(self):
        self.import_sample()
        p = self.run_cli("export")
        lines = [json.loads(ln) for ln in p.stdout.splitlines()]
        kinds = [x["kind"] for x in lines]
        self.assertEqual(kinds.count("customer"), 37)
        self.assertEqual(kinds.count("order"), len([r for r in csv_rows(ORDERS)
                                                    if r["action"] == "OPEN"]))
        self.assertEqual(kinds.count("call"), len(csv_rows(CALLS)))
        self.assertEqual(kinds.count("notice"), 11)
        self.assertEqual(kinds, sorted(kinds, key=["customer", "order", "notice", "call"].index))
        wang = next(x for x in lines if x.get("id") == "0100000001")
        self.assertEqual((wang["name"], wang["phone"]), ("Wang F*", "138****0001"))
        self.assertNotIn("Wang Fang", p.stdout)
        self.assertNotIn("13800000001", p.stdout)
        order = next(x for x in lines if x["kind"] == "order")
        self.assertTrue(order["events"])
        abandoned = [x for x in lines if x["kind"] == "call" and x["answered_at"] is None]
        self.assertTrue(abandoned)
        self.assertTrue(all(x["order_id"] is None for x in abandoned))
        notice = next(x for x in lines if x["kind"] == "notice" and x["changes"])
        self.assertEqual(notice["id"], "N-2610-03")
        p = self.run_cli("export", "--show-personal", "--kind", "customers")
        self.assertIn("Wang Fang", p.stdout)
        self.assertIn("13800000001", p.stdout)
        self.assertEqual(len(p.stdout.splitlines()), 37)
        out = os.path.join(self.dir, "x.jsonl")
        p = self.run_cli("export", "--kind", "order,call", "--output", out)
        with open(out, encoding="utf-8") as f:
            self.assertEqual({json.loads(ln)["kind"] for ln in f}, {"order", "call"})
        self.run_cli("export", "--kind", "invoices", rc=1)

    # ---- the journal --------------------------------------------------------------------
    def test_default_journal_and_db_option(self):
        p = self.run_cli("customer", "add", "X1", "--sources", "LV", db=False)
        self.assertIn("powersvc.journal", p.stdout)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "powersvc.journal")))
        other = os.path.join(self.dir, "other.journal")
        self.run_cli("--db", other, "customer", "add", "Y1", "--sources", "LV", db=False)
        ids = [c["id"] for c in self.json_of("customer", "list", db=False)]
        self.assertEqual(ids, ["X1"])
        ids = [c["id"] for c in self.json_of("customer", "list", "--db", other, db=False)]
        self.assertEqual(ids, ["Y1"])
        self.run_cli("customer", "show", "Y1", db=False, rc=3)

    def test_storage_errors_exit_4(self):
        self.add_wang()
        with open(self.db, "rb+") as f:  # a second writer holds the lock
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            p = self.run_cli("customer", "list", rc=4)
            self.assertIn("locked", p.stderr)
        self.run_cli("customer", "list")
        junk = os.path.join(self.dir, "junk.journal")
        with open(junk, "wb") as f:
            f.write(b"this is not a journal, just some text" * 10)
        self.run_cli("--db", junk, "customer", "list", db=False, rc=4)
        self.run_cli("--db", self.dir, "customer", "list", db=False, rc=4)

    # ---- CSV import: the formats and every error path --------------------------------
    def test_rfc4180_quoting_crlf_and_multiline(self):
        self.write("c.csv", CUSTOMER_HEADER + "\r\n" + GOOD_CUSTOMER + "\r\n")
        self.write("o.csv",
                   "\ufeff# a comment before the header\r\n" + ORDER_HEADER + "\r\n"
                   'F1,2026-10-08 09:00,OPEN,A101,AGENT,95598-CC,,,,FAULT_REPAIR,,PHONE,,'
                   '0900000001,"no power, ""whole"" building\r\nsince 9am"\r\n'
                   "\r\n"
                   'F1,2026-10-08T01:02:00Z,DISPATCH,A101,AGENT,,CD-01,,"",,,,,,\r\n'
                   "F1,2026-10-08 09:05:30,NOTE,A101,AGENT,,,,plain note,,,,,,")  # no final CRLF
        j = self.json_of("import", "c.csv", "o.csv")
        self.assertEqual((j["orders"], j["events"]), (1, 2))
        o = self.json_of("order", "show", "F1")["order"]
        self.assertEqual(o["summary"], 'no power, "whole" building\r\nsince 9am')
        self.assertEqual(o["events"][0]["at"], "2026-10-08T09:02:00+08:00")
        self.assertEqual(o["events"][1]["note"], "plain note")
        # line numbers count physical lines: the bad row after the quoted line break
        self.write("o2.csv", ORDER_HEADER + "\n"
                   'F2,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,"two\nlines"\n'
                   "F2,2026-10-08 09:01,LAUNCH,A101,AGENT,,,,,,,,,,\n")
        self.assert_import_fails(["o2.csv"], "o2.csv:4", "action", ["LAUNCH"])

    def test_import_error_missing_header(self):
        self.seed()
        before = self.journal_state(export=True)
        p = self.run_cli("import", OLD_CUSTOMERS, rc=2)  # customer_demo's file: no header
        self.assertIn("%s:4: missing header row" % OLD_CUSTOMERS, p.stderr)
        self.write("empty.csv", "# only a comment\n")
        p = self.run_cli("import", "empty.csv", rc=2)
        self.assertIn("empty.csv:2: missing header row", p.stderr)
        self.assertEqual(self.journal_state(export=True), before)

    def test_import_error_unknown_column(self):
        self.write("c.csv", CUSTOMER_HEADER + ",colour\n" + GOOD_CUSTOMER + ",red\n")
        self.assert_import_fails(["c.csv"], "c.csv:1", "colour", ["unknown column"])

    def test_import_error_header_named_twice_or_missing_required(self):
        self.write("o.csv", "order_id,at,action,actor,role,at\n")
        self.assert_import_fails(["o.csv"], "o.csv:1", "at", ["named twice"])
        self.write("o.csv", "order_id,at,action,role\n")
        self.assert_import_fails(["o.csv"], "o.csv:1", "actor", ["missing from the header"])

    def test_import_error_wrong_column_count(self):
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER + "\n"
                   + GOOD_CUSTOMER.rsplit(",", 1)[0].replace("0900000001", "0900000002") + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:3", "manager",
                                 ["missing", "17 fields, the header 18"])
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER + ",extra\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "#19", ["19 fields, the header 18"])

    def test_import_error_bad_enum(self):
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace("RESIDENTIAL",
                                                                             "PLATINUM") + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "tariff",
                                 ["unknown value 'PLATINUM'", "RESIDENTIAL"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PIGEON,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "channel", ["PIGEON"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,JANITOR,,,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "role", ["JANITOR"])
        self.write("c.csv", CUSTOMER_HEADER + "\n"
                   + GOOD_CUSTOMER.replace(",LV,", ",LV|SOLAR,") + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "sources", ["SOLAR"])

    def test_import_error_bad_time(self):
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-13-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "at", ["2026-13-08"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "at", ["time of day"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08T09:00:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "at", ["offset"])
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at\n"
                   "K1,2026-10-08 09:00:00,9am,2026-10-08 09:05:00\n")
        self.assert_import_fails(["k.csv"], "k.csv:2", "answered_at")
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace(
            ",8,,,CD-01", ",8,2026-02-30,,CD-01") + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "supply_end", ["not a real date"])

    def test_import_error_bad_id(self):
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q 1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "order_id", ["bad id 'Q 1'"])
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace("0900000001",
                                                                             "01/01") + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "id", ["bad id"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,cust#1,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "customer_id", ["bad id"])

    def test_import_error_duplicate_id(self):
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER + "\n" + GOOD_CUSTOMER + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:3", "id", ["duplicate id", "C-17"])
        # an id the journal already holds
        self.write("c.csv", CUSTOMER_HEADER + "\n"
                   + GOOD_CUSTOMER.replace("0900000001", "0100000001") + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "id", ["duplicate id"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n"
                   "Q1,2026-10-08 09:10,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:3", "order_id", ["already exists"])
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at\n"
                   "K1,2026-10-08 09:00:00,,2026-10-08 09:00:20\n"
                   "K1,2026-10-08 09:10:00,,2026-10-08 09:10:20\n")
        self.assert_import_fails(["k.csv"], "k.csv:3", "call_id", ["duplicate id"])

    def test_import_error_refused_by_lifecycle(self):
        # ARRIVE before DISPATCH: the order is still ACCEPTED
        self.write("o.csv", ORDER_HEADER + "\n"
                   "F1,2026-10-08 09:00,OPEN,A101,AGENT,95598-CC,,,,FAULT_REPAIR,,PHONE,,"
                   "0100000001,no power\n"
                   "F1,2026-10-08 09:20,ARRIVE,R1,REPAIR_CREW,CD-01,,,,,,,,,\n")
        p = self.assert_import_fails(["o.csv"], "o.csv:3", "action",
                                     ["ARRIVE is not allowed", "ACCEPTED"])
        self.assertIn("nothing was imported", p.stderr)
        # the role: a REPAIR_CREW may not close an order
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n"
                   "Q1,2026-10-08 09:01,REPLY,A101,AGENT,,,,,,,,,,\n"
                   "Q1,2026-10-08 09:02,CLOSE,R1,REPAIR_CREW,,,,,,,,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:4", "role", ["not permitted"])
        # history runs forward only (W-11)
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n"
                   "Q1,2026-10-08 08:59,REPLY,A101,AGENT,,,,,,,,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:3", "at", ["earlier"])
        # an event for an order that was never opened; MERGE into an unknown order
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q9,2026-10-08 09:00,REPLY,A101,AGENT,,,,,,,,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "order_id", ["no order"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n"
                   "Q1,2026-10-08 09:01,MERGE,A101,AGENT,,Q7,,,,,,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:3", "target")
        # a row's columns for the other kind of row; a missing reason
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,CD-01,,,INQUIRY,,PHONE,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "target", ["only an event"])
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,,\n"
                   "Q1,2026-10-08 09:01,CANCEL,SL01,SHIFT_LEAD,,,,,,,,,,\n")
        self.assert_import_fails(["o.csv"], "o.csv:3", "note", ["reason"])
        # an order for a customer the journal does not hold
        self.write("o.csv", ORDER_HEADER + "\n"
                   "S1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,SERVICE_REQUEST,METER_CHECK,PHONE,,"
                   "0999999999,\n")
        self.assert_import_fails(["o.csv"], "o.csv:2", "customer_id", ["no customer"])

    def test_import_error_refused_customer_rule(self):
        self.write("c.csv", CUSTOMER_HEADER + "\n"
                   "0600000003,Road Works Camp,DIRECT,COMMERCIAL,LV,TEMPORARY,,3,ORDINARY,RURAL,"
                   "380,30,,,NX-02,F205,13800000013,TA-011\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "supply_end", ["rule C-12"])
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace(",3,ORD", ",7,ORD")
                   + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "load_class")

    def test_import_error_calls_and_notices(self):
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at,agent_id,order_id\n"
                   "K1,2026-10-08 09:00:00,2026-10-08 09:00:05,2026-10-08 09:03:00,A101,F404\n")
        self.assert_import_fails(["k.csv"], "k.csv:2", "order_id", ["no order"])
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at,agent_id,order_id\n"
                   "K1,2026-10-08 09:00:00,,2026-10-08 09:03:00,,F404\n")
        self.assert_import_fails(["k.csv"], "k.csv:2", "order_id", ["abandoned"])
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at\n"
                   "K1,2026-10-08 09:00:00,2026-10-08 09:00:05,2026-10-08 08:00:00\n")
        self.assert_import_fails(["k.csv"], "k.csv:2", "ended_at")
        header = "notice_id,kind,unit,feeder,start,end,published_at\n"
        self.write("n.csv", header + "N1,FAULT,CD-01,F101,2026-10-08 10:00,2026-10-08 09:00,"
                   "2026-10-08 08:00\n")
        self.assert_import_fails(["n.csv"], "n.csv:2", "end")
        self.write("n.csv", header + "N1,FAULT,CD-01,F101,2026-10-08 10:00,2026-10-08 12:00,"
                   "2026-10-08 08:00\nN1,ARREARS,CD-01,F101,2026-10-08 10:00,2026-10-08 12:00,"
                   "2026-10-08 08:10\n")
        self.assert_import_fails(["n.csv"], "n.csv:3", "kind")
        self.write("n.csv", header + "N1,FAULT,CD-01,F101,2026-10-08 10:00,2026-10-08 12:00,"
                   "2026-10-08 08:00\nN1,FAULT,CD-01,F101,2026-10-08 10:00,2026-10-08 12:00,"
                   "2026-10-08 07:00\n")
        self.assert_import_fails(["n.csv"], "n.csv:3", "published_at")

    def test_import_error_csv_syntax(self):
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace(
            "Wang Fang", 'Wang "Fang"') + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "name", ["quote inside an unquoted"])
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace(
            "Wang Fang", '"Wang" Fang') + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "name", ["after the closing quote"])
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER.replace(
            "Wang Fang", '"Wang Fang') + "\n")
        self.assert_import_fails(["c.csv"], "c.csv:2", "name", ["never closed"])

    def test_failed_import_commits_nothing_of_earlier_files(self):
        # customers and orders of the first files were applied in the transaction;
        # the bad call at the end rolls all of them back
        self.write("c.csv", CUSTOMER_HEADER + "\n" + GOOD_CUSTOMER + "\n")
        self.write("o.csv", ORDER_HEADER + "\n"
                   "Q1,2026-10-08 09:00,OPEN,A101,AGENT,,,,,INQUIRY,,PHONE,,0900000001,\n")
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at,agent_id,order_id\n"
                   "K1,2026-10-08 08:59:00,2026-10-08 08:59:05,2026-10-08 09:03:00,A101,Q1\n"
                   "K2,2026-10-08 09:00:00,2026-10-08 09:00:05,2026-10-08 09:03:00,A101,Q2\n")
        self.assert_import_fails(["k.csv", "o.csv", "c.csv"], "k.csv:3", "order_id", export=True)
        self.run_cli("customer", "show", "0900000001", rc=3)
        self.run_cli("order", "show", "Q1", rc=3)
        # the same files without the bad row import in full
        self.write("k.csv", "call_id,arrived_at,answered_at,ended_at,agent_id,order_id\n"
                   "K1,2026-10-08 08:59:00,2026-10-08 08:59:05,2026-10-08 09:03:00,A101,Q1\n")
        j = self.json_of("import", "k.csv", "o.csv", "c.csv")
        self.assertEqual((j["customers"], j["orders"], j["calls"]), (1, 1, 1))
        self.assertEqual([f["kind"] for f in j["files"]], ["customer", "order", "call"])

    # ---- the progress line --------------------------------------------------------------
    def run_on_tty(self, *args, env=None):
        """Runs psvc with its stdout on a pseudo-terminal; returns (rc, stdout, stderr)."""
        master, slave = pty.openpty()
        p = subprocess.Popen([CLI, "--db", self.db] + list(args), cwd=self.dir, stdout=slave,
                             stderr=subprocess.PIPE, env=tool_env(env))
        os.close(slave)
        out = b""
        while True:
            try:
                r, _, _ = select.select([master], [], [], 30)
                if not r:
                    break
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        err = p.stderr.read().decode()
        p.stderr.close()
        rc = p.wait(timeout=60)
        os.close(master)
        return rc, out.decode(), err

    def test_progress_line_only_on_a_terminal_over_the_threshold(self):
        env = {"PSVC_PROGRESS_MIN": "100"}
        rc, out, err = self.run_on_tty("--now", "2026-11-01", "import", CUSTOMERS, ORDERS,
                                       CALLS, env=env)
        self.assertEqual(rc, 0, err)
        self.assertIn("\rimporting", err)
        self.assertIn("imported 2", err)
        self.assertIn("imported into", out)
        rc, out, err = self.run_on_tty("report", "--month", "2026-10", env=env)
        self.assertEqual(rc, 0, err)
        self.assertIn("\rreport: evaluating", err)
        self.assertIn("KPI report", out)
        # below the threshold (the default 100,000), or without a terminal: no progress
        rc, out, err = self.run_on_tty("report", "--month", "2026-10")
        self.assertEqual((rc, err), (0, ""))
        os.unlink(self.db)
        p = self.run_cli("import", CUSTOMERS, ORDERS, env=env)
        self.assertEqual(p.stderr, "")


def run_parallel(jobs):
    """Runs the tests on `jobs` threads (each test has its own directory, and the
    time goes to the tool's processes), reporting like unittest's verbose runner."""
    import concurrent.futures
    import time
    tests = list(unittest.defaultTestLoader.loadTestsFromTestCase(CliTest))
    start = time.monotonic()

    def one(test):
        result = unittest.TestResult()
        t0 = time.monotonic()
        test.run(result)
        return test, result, time.monotonic() - t0

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for test, result, secs in pool.map(one, tests):
            problems = result.failures + result.errors
            status = "ok" if not problems else "FAIL"
            print("%s ... %s (%.1f s)" % (test.id().split(".")[-1], status, secs), flush=True)
            for _, trace in problems:
                print(trace, flush=True)
            failed += bool(problems)
    print("\nRan %d tests in %.1f s on %d threads: %s"
          % (len(tests), time.monotonic() - start, jobs,
             "OK" if not failed else "FAILED (%d)" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if not CLI or not os.path.exists(CLI):
        sys.exit("test_cli.py: set PSVC_CLI to the psvc tool")
    if len(sys.argv) > 1:  # particular tests, unittest's options
        unittest.main(verbosity=2)
    else:
        sys.exit(run_parallel(int(os.environ.get("PSVC_TEST_JOBS", "4"))))
