"""powersvc — a ctypes binding of libpowersvc (standard library only).

libpowersvc holds a power utility's 95598 customer-service rules: customers
and their consistency checks, work orders and their lifecycles, SLA clocks on
business calendars, paid/free classification, hotline calls, outage notices
and the KPI report. This module binds every function of ``powersvc.h`` and
wraps them in Python style:

- handles are classes (:class:`Context`, :class:`Customer`, :class:`Order`,
  :class:`Calendar`) that are context managers and free their handle when
  closed, left, or garbage-collected;
- every ``PSVC_E*`` status becomes its own exception class, a subclass of
  :class:`PowersvcError`, carrying ``.code`` and ``.message``
  (``psvc_errmsg``);
- the enum domains are :class:`enum.IntEnum` / :class:`enum.IntFlag` classes
  generated from the library's own table at import time (``Tariff``,
  ``Source``, ``Role``, ``Metric`` ...); an enum argument may also be given as
  its name (``"RURAL"``, ``"PSVC_AREA_RURAL"``);
- times are accepted as ``int`` seconds since 1970 (UTC) or as *aware*
  :class:`datetime.datetime` objects (a naive one is a :class:`ValueError`),
  and returned as both (``sla.deadline`` and ``sla.deadline_dt``);
- a :class:`Store` subclass written in Python can be the storage backend;
  :class:`MemoryStore` is one, :class:`JournalStore` is the library's
  crash-safe journal file.

The library is found by :func:`load`: ``$PSVC_LIB``, else
``ctypes.util.find_library("powersvc")``, else a build directory of the
source tree this file sits in (``../../build/*/``). It is loaded when this
module is imported.

Threads: a context, and what was loaded from it, is used by one thread at a
time (as in C). Store callbacks run on the thread that called the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import glob
import json
import operator
import os
import weakref
from array import array as _array_type
from contextlib import contextmanager
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int,
                    c_int32, c_int64, c_size_t, c_uint, c_uint32, c_void_p)
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

__version__ = "1.0.0"

# ---------------------------------------------------------------------------
# C types: the structs of powersvc.h, member for member
# ---------------------------------------------------------------------------

c_time = c_int64  # psvc_time

_MALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t)
_REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t)
_FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p)


class psvc_allocator(Structure):
    _fields_ = [("size", c_uint32),
                ("malloc_fn", _MALLOC_FN),
                ("realloc_fn", _REALLOC_FN),
                ("free_fn", _FREE_FN),
                ("user", c_void_p)]


_SINK_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)
_EACH_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_void_p, c_size_t)
_BEGIN_FN = CFUNCTYPE(c_int, c_void_p)
_PUT_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p, c_void_p, c_size_t)
_GET_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p, _SINK_FN, c_void_p)
_DEL_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p)
_SCAN_FN = CFUNCTYPE(c_int, c_void_p, c_int, _EACH_FN, c_void_p)
_CLOSE_FN = CFUNCTYPE(None, c_void_p)


class psvc_store(Structure):
    _fields_ = [("abi", c_uint32),
                ("user", c_void_p),
                ("begin", _BEGIN_FN),
                ("commit", _BEGIN_FN),
                ("rollback", _BEGIN_FN),
                ("put", _PUT_FN),
                ("get", _GET_FN),
                ("del", _DEL_FN),
                ("scan", _SCAN_FN),
                ("close", _CLOSE_FN)]


class psvc_actor(Structure):
    _fields_ = [("size", c_uint32), ("id", c_char_p), ("role", c_int), ("unit", c_char_p)]


class psvc_order_spec(Structure):
    _fields_ = [("size", c_uint32),
                ("id", c_char_p),
                ("type", c_int),
                ("channel", c_int),
                ("customer_id", c_char_p),
                ("area", c_int),
                ("accepted_at", c_time),
                ("summary", c_char_p),
                ("subtype", c_int)]


class psvc_event(Structure):
    _fields_ = [("size", c_uint32),
                ("action", c_int),
                ("at", c_time),
                ("target", c_char_p),
                ("value", c_int),
                ("note", c_char_p)]


class psvc_filter(Structure):
    _fields_ = [("size", c_uint32),
                ("state_mask", c_uint),
                ("type_mask", c_uint),
                ("unit", c_char_p),
                ("customer_id", c_char_p),
                ("from", c_time),
                ("to", c_time)]


class psvc_policy(Structure):
    _fields_ = [("size", c_uint32),
                ("metric", c_int),
                ("order_type", c_int),
                ("area", c_int),
                ("subtype", c_int),
                ("clock", c_int),
                ("limit", c_int64),
                ("calendar", c_char_p),
                ("runs_when_suspended", c_int),
                ("at_risk_percent", c_int),
                ("levels", c_int * 4)]


class psvc_sla(Structure):
    _fields_ = [("size", c_uint32),
                ("metric", c_int),
                ("status", c_int),
                ("started_at", c_time),
                ("deadline", c_time),
                ("stopped_at", c_time),
                ("limit_s", c_int64),
                ("elapsed_s", c_int64),
                ("remaining_s", c_int64),
                ("level", c_int),
                ("cycle", c_int),
                ("ever_breached", c_int)]


class psvc_notice(Structure):
    _fields_ = [("size", c_uint32),
                ("id", c_char_p),
                ("kind", c_int),
                ("unit", c_char_p),
                ("feeder", c_char_p),
                ("start", c_time),
                ("end", c_time),
                ("published_at", c_time)]


class psvc_boundary_query(Structure):
    _fields_ = [("size", c_uint32),
                ("supply", c_int),
                ("location", c_int),
                ("agreed_owner", c_int),
                ("customer_caused", c_int)]


class psvc_boundary_result(Structure):
    _fields_ = [("size", c_uint32),
                ("owner", c_int),
                ("paid", c_int),
                ("rule", c_char_p),
                ("reason", c_char_p)]


class psvc_quote(Structure):
    _fields_ = [("size", c_uint32),
                ("owner", c_int),
                ("paid", c_int),
                ("rule", c_char_p),
                ("reason", c_char_p),
                ("amount_cents", c_int64)]


def _new(cls, **kw):
    """A struct as its PSVC_*_INIT macro makes it: size set, the rest zero."""
    s = cls(**kw)
    s.size = ctypes.sizeof(cls)
    return s


# ---------------------------------------------------------------------------
# The function table: every PSVC_API function of powersvc.h
# ---------------------------------------------------------------------------

_V, _I, _U, _S, _SZ, _T = c_void_p, c_int, c_uint, c_char_p, c_size_t, c_time
_PV, _PI, _PS, _PI64, _PI32 = (POINTER(c_void_p), POINTER(c_int), POINTER(c_char_p),
                               POINTER(c_int64), POINTER(c_int32))
_P = POINTER

#: name -> (restype, argtypes). Opaque handles are void *; a char ** that the
#: caller frees with psvc_free is void ** (so that the pointer can be freed).
FUNCTIONS = {
    # 1. basics
    "psvc_version": (_S, []),
    "psvc_version_number": (_I, []),
    "psvc_strerror": (_S, [_I]),
    "psvc_errmsg": (_S, [_V]),
    "psvc_free": (None, [_V]),
    "psvc_set_allocator": (_I, [_P(psvc_allocator)]),
    "psvc_enum_name": (_S, [_I, _I]),
    "psvc_enum_value": (_I, [_I, _S, _PI]),
    "psvc_enum_entry": (_I, [_I, _SZ, _PI, _PS]),
    # 2. context and storage
    "psvc_ctx_open": (_I, [_PV, _P(psvc_store)]),
    "psvc_ctx_close": (None, [_V]),
    "psvc_store_journal": (_I, [_P(psvc_store), _S]),
    "psvc_ctx_begin": (_I, [_V]),
    "psvc_ctx_commit": (_I, [_V]),
    "psvc_ctx_rollback": (_I, [_V]),
    "psvc_journal_report": (_S, [_P(psvc_store)]),
    "psvc_ctx_compact": (_I, [_V]),
    # 3. customers
    "psvc_customer_new": (_I, [_PV, _S]),
    "psvc_customer_free": (None, [_V]),
    "psvc_customer_clone": (_I, [_V, _PV]),
    "psvc_customer_set_name": (_I, [_V, _S]),
    "psvc_customer_set_relation": (_I, [_V, _I]),
    "psvc_customer_set_tariff": (_I, [_V, _I]),
    "psvc_customer_set_sources": (_I, [_V, _U]),
    "psvc_customer_set_usage": (_I, [_V, _U]),
    "psvc_customer_set_importance": (_I, [_V, _I]),
    "psvc_customer_set_load_class": (_I, [_V, _I]),
    "psvc_customer_set_segment": (_I, [_V, _I]),
    "psvc_customer_set_area": (_I, [_V, _I]),
    "psvc_customer_set_voltage": (_I, [_V, c_int32]),
    "psvc_customer_set_capacity": (_I, [_V, c_int32]),
    "psvc_customer_set_supply_end": (_I, [_V, _T]),
    "psvc_customer_set_season": (_I, [_V, _U]),
    "psvc_customer_set_unit": (_I, [_V, _S]),
    "psvc_customer_set_feeder": (_I, [_V, _S]),
    "psvc_customer_set_phone": (_I, [_V, _S]),
    "psvc_customer_set_manager": (_I, [_V, _S]),
    "psvc_customer_id": (_S, [_V]),
    "psvc_customer_name": (_S, [_V]),
    "psvc_customer_relation": (_I, [_V]),
    "psvc_customer_tariff": (_I, [_V]),
    "psvc_customer_sources": (_U, [_V]),
    "psvc_customer_usage": (_U, [_V]),
    "psvc_customer_importance": (_I, [_V]),
    "psvc_customer_load_class": (_I, [_V]),
    "psvc_customer_segment": (_I, [_V]),
    "psvc_customer_area": (_I, [_V]),
    "psvc_customer_voltage": (c_int32, [_V]),
    "psvc_customer_capacity": (c_int32, [_V]),
    "psvc_customer_supply_end": (_T, [_V]),
    "psvc_customer_season": (_U, [_V]),
    "psvc_customer_unit": (_S, [_V]),
    "psvc_customer_feeder": (_S, [_V]),
    "psvc_customer_phone": (_S, [_V]),
    "psvc_customer_manager": (_S, [_V]),
    "psvc_customer_check": (_I, [_V, _T, _PV]),
    "psvc_findings_count": (_SZ, [_V]),
    "psvc_findings_code": (_S, [_V, _SZ]),
    "psvc_findings_severity": (_I, [_V, _SZ]),
    "psvc_findings_message": (_S, [_V, _SZ]),
    "psvc_findings_field": (_S, [_V, _SZ]),
    "psvc_findings_max_severity": (_I, [_V]),
    "psvc_findings_free": (None, [_V]),
    "psvc_customer_save": (_I, [_V, _V]),
    "psvc_customer_add": (_I, [_V, _V]),
    "psvc_customer_load": (_I, [_V, _S, _PV]),
    "psvc_customer_delete": (_I, [_V, _S]),
    "psvc_list_count": (_SZ, [_V]),
    "psvc_list_id": (_S, [_V, _SZ]),
    "psvc_list_free": (None, [_V]),
    "psvc_customer_list": (_I, [_V, _PV]),
    # 4. work orders
    "psvc_order_open": (_I, [_V, _P(psvc_order_spec), _P(psvc_actor)]),
    "psvc_order_apply": (_I, [_V, _S, _P(psvc_event), _P(psvc_actor)]),
    "psvc_order_load": (_I, [_V, _S, _PV]),
    "psvc_order_free": (None, [_V]),
    "psvc_order_id": (_S, [_V]),
    "psvc_order_type": (_I, [_V]),
    "psvc_order_channel": (_I, [_V]),
    "psvc_order_customer": (_S, [_V]),
    "psvc_order_area": (_I, [_V]),
    "psvc_order_state": (_I, [_V]),
    "psvc_order_accepted_at": (_T, [_V]),
    "psvc_order_responsible_unit": (_S, [_V]),
    "psvc_order_current_unit": (_S, [_V]),
    "psvc_order_urge_count": (_I, [_V]),
    "psvc_order_escalation_level": (_I, [_V]),
    "psvc_order_satisfaction": (_I, [_V]),
    "psvc_order_merged_into": (_S, [_V]),
    "psvc_order_event_count": (_SZ, [_V]),
    "psvc_order_event_action": (_I, [_V, _SZ]),
    "psvc_order_event_at": (_T, [_V, _SZ]),
    "psvc_order_event_actor": (_S, [_V, _SZ]),
    "psvc_order_event_role": (_I, [_V, _SZ]),
    "psvc_order_event_unit": (_S, [_V, _SZ]),
    "psvc_order_event_target": (_S, [_V, _SZ]),
    "psvc_order_event_value": (_I, [_V, _SZ]),
    "psvc_order_event_note": (_S, [_V, _SZ]),
    "psvc_order_subtype": (_I, [_V]),
    "psvc_order_summary": (_S, [_V]),
    "psvc_order_opened_by": (_S, [_V]),
    "psvc_order_opened_role": (_I, [_V]),
    "psvc_order_opened_unit": (_S, [_V]),
    "psvc_order_suspended_from": (_I, [_V]),
    "psvc_order_reopen_count": (_I, [_V]),
    "psvc_order_is_open": (_I, [_V]),
    "psvc_permit": (_I, [_V, _I, _I, _I, _I]),
    "psvc_order_find": (_I, [_V, _P(psvc_filter), _PV]),
    "psvc_handover": (_I, [_V, _S, _T, _PV]),
    # 5. calendars
    "psvc_calendar_new": (_I, [_PV, _I]),
    "psvc_calendar_free": (None, [_V]),
    "psvc_calendar_add_hours": (_I, [_V, _I, _I, _I]),
    "psvc_calendar_add_holiday": (_I, [_V, _I, _I, _I]),
    "psvc_calendar_add_workday": (_I, [_V, _I, _I, _I, _I]),
    "psvc_calendar_parse": (_I, [_S, _PV, _PV]),
    "psvc_calendar_import_ical": (_I, [_V, _S, _PV]),
    "psvc_calendar_is_workday": (_I, [_V, _I, _I, _I]),
    "psvc_calendar_add_seconds": (_I, [_V, _T, c_int64, _PI64]),
    "psvc_calendar_add_workdays": (_I, [_V, _T, _I, _PI64]),
    "psvc_calendar_elapsed": (_I, [_V, _T, _T, _PI64]),
    "psvc_calendar_add_seconds_n": (_I, [_V, _PI64, _PI64, _PI64, _SZ]),
    "psvc_calendar_add_workdays_n": (_I, [_V, _PI64, _PI32, _PI64, _SZ]),
    # 5. SLA, calls, notices, reports
    "psvc_ctx_set_calendar": (_I, [_V, _S, _V]),
    "psvc_policy_profile": (_I, [_V, _S]),
    "psvc_policy_set": (_I, [_V, _I, _I, _I, _I, c_int64, _S]),
    "psvc_policy_define": (_I, [_V, _P(psvc_policy)]),
    "psvc_order_sla": (_I, [_V, _S, _I, _T, _P(psvc_sla)]),
    "psvc_sla_crossed": (_I, [_V, _I, _T, _T, _PV]),
    "psvc_call_record": (_I, [_V, _S, _T, _T, _T, _S, _S]),
    "psvc_call_sla": (_I, [_V, _S, _P(psvc_sla)]),
    "psvc_notice_publish": (_I, [_V, _P(psvc_notice)]),
    "psvc_notice_sla": (_I, [_V, _S, _P(psvc_sla)]),
    "psvc_notice_affected": (_I, [_V, _S, _PV]),
    "psvc_notice_active": (_I, [_V, _S, _T, _PV]),
    "psvc_report_json": (_I, [_V, _T, _T, _T, _S, _PV]),
    # 6. paid vs free service
    "psvc_service_classify": (_I, [_P(psvc_boundary_query), _P(psvc_boundary_result)]),
    "psvc_fee_set": (_I, [_V, _S, c_int64]),
    "psvc_fee_get": (_I, [_V, _S, _PI64]),
    "psvc_order_quote": (_I, [_V, _S, _P(psvc_boundary_query), _S, _P(psvc_quote)]),
}

# ---------------------------------------------------------------------------
# Loading the library
# ---------------------------------------------------------------------------

_lib = None
_lib_path = None
_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates(path):
    if path is not None:
        yield os.fspath(path)
        return
    env = os.environ.get("PSVC_LIB")
    if env:  # explicit: nothing else is tried
        yield env
        return
    found = ctypes.util.find_library("powersvc")
    if found:
        yield found
    # The source tree's build directories, newest first. A sanitizer build
    # cannot be loaded without its runtime preloaded: those are left out.
    root = os.path.normpath(os.path.join(_HERE, "..", ".."))
    libs = [p for p in glob.glob(os.path.join(root, "build", "*", "libpowersvc.so"))
            if "san" not in os.path.basename(os.path.dirname(p))
            and "coverage" not in os.path.basename(os.path.dirname(p))]
    libs.sort(key=os.path.getmtime, reverse=True)
    yield from libs


def _declare(lib):
    for name, (restype, argtypes) in FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def load(path=None):
    """Loads libpowersvc and returns the ctypes.CDLL, its prototypes set.

    ``path`` None: ``$PSVC_LIB`` if set (and only that), else
    ``ctypes.util.find_library("powersvc")``, else the newest
    ``build/*/libpowersvc.so`` of the source tree around this module. The
    first call (made on import) also generates the enum classes; later calls
    without a path return the library already loaded.
    """
    global _lib, _lib_path
    if _lib is not None and path is None:
        return _lib
    errors = []
    for cand in _candidates(path):
        try:
            lib = ctypes.CDLL(cand)
            _declare(lib)
        except (OSError, AttributeError) as e:
            errors.append(f"{cand}: {e}")
            continue
        major = lib.psvc_version_number() // 10000
        if major != 1:
            errors.append(f"{cand}: version {lib.psvc_version().decode()} is not 1.x")
            continue
        _lib, _lib_path = lib, cand
        if "Status" not in globals():
            _make_enums(lib)
        return lib
    raise OSError("libpowersvc not found (" + ("; ".join(errors) or "no candidate") +
                  "): set PSVC_LIB to the path of libpowersvc.so")


def library_path():
    """The path (or name) the library was loaded from."""
    return _lib_path


# ---------------------------------------------------------------------------
# Enums, generated from the library's table
# ---------------------------------------------------------------------------

class Domain(enum.IntEnum):
    """The enum domains of psvc_enum_name (PSVC_DOM_*)."""
    RELATION = 1
    TARIFF = 2
    SOURCE = 3
    USAGE = 4
    SEGMENT = 5
    AREA = 6
    ORDER_TYPE = 7
    CHANNEL = 8
    STATE = 9
    ACTION = 10
    ROLE = 11
    SATISFACTION = 12
    METRIC = 13
    SLA_STATUS = 14
    CLOCK = 15
    NOTICE_KIND = 16
    SUPPLY_POINT = 17
    LOCATION = 18
    OWNER = 19
    SEVERITY = 20
    IMPORTANCE = 21
    COMPLAINT = 22
    REQUEST = 23
    RECORD = 24
    STATUS = 25


#: domain -> (Python class name, the C constants' prefix, flags?)
DOMAINS = {
    Domain.RELATION: ("Relation", "PSVC_RELATION_", False),
    Domain.TARIFF: ("Tariff", "PSVC_TARIFF_", False),
    Domain.SOURCE: ("Source", "PSVC_SOURCE_", True),
    Domain.USAGE: ("Usage", "PSVC_USAGE_", True),
    Domain.SEGMENT: ("Segment", "PSVC_SEGMENT_", False),
    Domain.AREA: ("Area", "PSVC_AREA_", False),
    Domain.ORDER_TYPE: ("OrderType", "PSVC_ORDER_", False),
    Domain.CHANNEL: ("Channel", "PSVC_CHANNEL_", False),
    Domain.STATE: ("State", "PSVC_STATE_", False),
    Domain.ACTION: ("Action", "PSVC_ACT_", False),
    Domain.ROLE: ("Role", "PSVC_ROLE_", False),
    Domain.SATISFACTION: ("Satisfaction", "PSVC_SAT_", False),
    Domain.METRIC: ("Metric", "PSVC_METRIC_", False),
    Domain.SLA_STATUS: ("SlaStatus", "PSVC_SLA_", False),
    Domain.CLOCK: ("Clock", "PSVC_CLOCK_", False),
    Domain.NOTICE_KIND: ("NoticeKind", "PSVC_NOTICE_", False),
    Domain.SUPPLY_POINT: ("SupplyPoint", "PSVC_SUPPLY_", False),
    Domain.LOCATION: ("Location", "PSVC_LOC_", False),
    Domain.OWNER: ("Owner", "PSVC_OWNER_", False),
    Domain.SEVERITY: ("Severity", "PSVC_SEV_", False),
    Domain.IMPORTANCE: ("Importance", "PSVC_IMPORTANCE_", False),
    Domain.COMPLAINT: ("Complaint", "PSVC_COMPLAINT_", False),
    Domain.REQUEST: ("Request", "PSVC_REQUEST_", False),
    Domain.RECORD: ("Record", "PSVC_REC_", False),
    Domain.STATUS: ("Status", "PSVC_", False),
}

#: domain -> the generated class
ENUMS = {}

# Constants that belong to no enum domain.
VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH = 1, 0, 0
VERSION_STRING = "1.0.0"
VERSION_NUMBER = VERSION_MAJOR * 10000 + VERSION_MINOR * 100 + VERSION_PATCH
STORE_ABI = 1
NOTE_CONTACT = 1  # PSVC_NOTE_CONTACT: a NOTE that records a call-back (T-17)
OK = 0


def _domain_entries(lib, domain):
    """(name, value) of a domain in value order, through psvc_enum_entry,
    checked against psvc_enum_name."""
    out, i = [], 0
    value, name = c_int(), c_char_p()
    while True:
        rc = lib.psvc_enum_entry(int(domain), i, byref(value), byref(name))
        if rc != 0:
            break
        n = name.value.decode()
        check = lib.psvc_enum_name(int(domain), value.value)
        assert check is not None and check.decode() == n, (domain, n)
        out.append((n, value.value))
        i += 1
    return out


def _make_enums(lib):
    g = globals()
    for dom, (clsname, _prefix, flags) in DOMAINS.items():
        base = enum.IntFlag if flags else enum.IntEnum
        members = _domain_entries(lib, dom)
        cls = base(clsname, members, module=__name__, qualname=clsname)
        cls.domain = dom
        g[clsname] = cls
        ENUMS[dom] = cls
        if clsname not in __all__:
            __all__.append(clsname)


def _as_enum(cls, v):
    """v as a member of cls, or the plain int if the library knows no such
    value (a newer library's value)."""
    try:
        return cls(v)
    except ValueError:
        return v


def _enum_arg(domain, v):
    """An enum argument: a member, an int, or a name ("RURAL", "PSVC_AREA_RURAL",
    "HV|DUAL_SOURCE" for flags). None is 0."""
    if v is None:
        return 0
    if isinstance(v, str):
        if "|" in v and DOMAINS[domain][2]:
            r = 0
            for part in v.split("|"):
                r |= enum_value(domain, part.strip())
            return r
        return enum_value(domain, v)
    if isinstance(v, bool):
        raise TypeError(f"{DOMAINS[domain][0]}: expected an enum value, not bool")
    if DOMAINS[domain][2] and not isinstance(v, int):
        # an iterable of flags
        r = 0
        for part in v:
            r |= _enum_arg(domain, part)
        return r
    return operator.index(v)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

class PowersvcError(Exception):
    """A libpowersvc call failed. ``code`` is the PSVC_E* status,
    ``message`` the library's detail (psvc_errmsg)."""

    code = None
    detail = None  # the parsers' "line N: ..." (their char **err), else None

    def __init__(self, message="", code=None):
        if code is not None:
            self.code = code
        self.message = message
        super().__init__(message)

    @property
    def status(self):
        """The code as a :class:`Status` member."""
        return _as_enum(ENUMS[Domain.STATUS], self.code)

    @property
    def strerror(self):
        return strerror(self.code)

    def __str__(self):
        head = f"{getattr(self.status, 'name', self.code)} ({self.strerror})"
        text = f"{head}: {self.message}" if self.message else head
        cause = self.__cause__
        if cause is not None:  # a Python store callback that raised
            text += f" [in the store: {type(cause).__name__}: {cause}]"
        return text

    def __reduce__(self):
        return (type(self), (self.message, self.code))


class InvalidArgumentError(PowersvcError, ValueError):
    """PSVC_EINVAL: bad argument (NULL, out-of-range enum, bad string)."""
    code = -1


class OutOfMemoryError(PowersvcError, MemoryError):
    """PSVC_ENOMEM."""
    code = -2


class NotFoundError(PowersvcError, LookupError):
    """PSVC_ENOTFOUND."""
    code = -3


class AlreadyExistsError(PowersvcError):
    """PSVC_EEXIST: duplicate id."""
    code = -4


class StateError(PowersvcError):
    """PSVC_ESTATE: action not allowed in the current state."""
    code = -5


class PermissionDeniedError(PowersvcError):
    """PSVC_EPERM: the actor's role may not perform the action."""
    code = -6


class StorageError(PowersvcError):
    """PSVC_EIO: a storage callback failed; nothing was changed. If the
    callback was Python code that raised, the exception is ``__cause__``."""
    code = -7


class CorruptError(PowersvcError):
    """PSVC_ECORRUPT: stored data failed validation."""
    code = -8


class RangeError(PowersvcError, ValueError):
    """PSVC_ERANGE: time or number out of range."""
    code = -9


class ParseError(PowersvcError, ValueError):
    """PSVC_EPARSE: text input malformed."""
    code = -10


#: status code -> exception class
ERRORS = {cls.code: cls for cls in (
    InvalidArgumentError, OutOfMemoryError, NotFoundError, AlreadyExistsError,
    StateError, PermissionDeniedError, StorageError, CorruptError, RangeError,
    ParseError)}

# The C names, for those who think in them.
EINVAL, ENOMEM, ENOTFOUND, EEXIST, ESTATE, EPERM, EIO, ECORRUPT, ERANGE, EPARSE = (
    ERRORS[c] for c in range(-1, -11, -1))


def error_for(code, message=""):
    """The exception (not raised) for a PSVC_E* status."""
    cls = ERRORS.get(code)
    return cls(message) if cls else PowersvcError(message, code)


def _text(b):
    return None if b is None else b.decode("utf-8", "replace")


def _raise(rc, message, cause=None, detail=None):
    if isinstance(cause, (KeyboardInterrupt, SystemExit)):
        raise cause
    err = error_for(rc, message)
    if detail is not None:
        err.detail = detail
    if cause is not None:
        raise err from cause
    raise err


def _check(rc, ctx_handle=None):
    """rc < 0: raises the exception of the code, with psvc_errmsg(ctx)."""
    if rc < 0:
        _raise(rc, _text(_lib.psvc_errmsg(ctx_handle)))
    return rc


# ---------------------------------------------------------------------------
# Conversions: strings, times
# ---------------------------------------------------------------------------

def _b(s, what="string"):
    """A str argument as UTF-8 bytes (None stays NULL)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        b = s
    elif isinstance(s, str):
        b = s.encode("utf-8")
    else:
        raise TypeError(f"{what}: expected str, not {type(s).__name__}")
    if b"\0" in b:
        raise ValueError(f"{what}: embedded NUL character")
    return b


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)


def to_seconds(t):
    """A time argument as psvc_time: int seconds since 1970-01-01T00:00:00Z, or
    an aware datetime (a naive one is a ValueError). None is 0."""
    if t is None:
        return 0
    if isinstance(t, datetime):
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError(f"naive datetime {t.isoformat()}: give it a tzinfo "
                             "(e.g. timezone.utc)")
        return (t - EPOCH) // _SECOND
    if isinstance(t, bool):
        raise TypeError("a time is int seconds or an aware datetime, not bool")
    if isinstance(t, date):
        raise TypeError("a time is int seconds or an aware datetime, not a date")
    if isinstance(t, float):
        raise TypeError("a time is int seconds or an aware datetime, not float")
    return operator.index(t)


def to_datetime(secs):
    """psvc_time -> aware UTC datetime (None if out of datetime's range)."""
    try:
        return EPOCH + timedelta(seconds=secs)
    except OverflowError:
        return None


def _dt_or_none(secs):
    return None if not secs else to_datetime(secs)


def _span(s):
    """A duration as seconds: an int, or a timedelta."""
    if isinstance(s, timedelta):
        return s // _SECOND
    if isinstance(s, bool):
        raise TypeError("a duration is int seconds or a timedelta, not bool")
    return operator.index(s)


def _fmt_secs(s):
    sign = "-" if s < 0 else ""
    s = abs(int(s))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = []
    if d:
        parts.append(f"{d}d")
    if h:
        parts.append(f"{h}h")
    if m:
        parts.append(f"{m}m")
    if s or not parts:
        parts.append(f"{s}s")
    return sign + "".join(parts)


def _iso(secs):
    dt = to_datetime(secs)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else str(secs)


def _take_list(lst):
    """Copies a psvc_list to a Python list of str and frees it."""
    try:
        n = _lib.psvc_list_count(lst)
        return [_text(_lib.psvc_list_id(lst, i)) for i in range(n)]
    finally:
        _lib.psvc_list_free(lst)


def _take_string(p):
    """Copies a char * the library returned and frees it with psvc_free."""
    if not p:
        return None
    try:
        return ctypes.string_at(p).decode("utf-8", "replace")
    finally:
        _lib.psvc_free(p)


# ---------------------------------------------------------------------------
# Basics
# ---------------------------------------------------------------------------

def version():
    """The library's version string ("1.0.0")."""
    return _lib.psvc_version().decode()


def version_number():
    """MAJOR*10000 + MINOR*100 + PATCH."""
    return _lib.psvc_version_number()


def strerror(code):
    """Static text of a status code."""
    return _lib.psvc_strerror(int(code)).decode()


def errmsg(ctx=None):
    """psvc_errmsg: a context's last failure, or (None) this thread's last
    failing call that takes no context."""
    h = ctx._handle if isinstance(ctx, Context) else None
    return _text(_lib.psvc_errmsg(h))


def enum_name(domain, value):
    """The name of an enum value ("LARGE_INDUSTRY"), or None if unknown."""
    return _text(_lib.psvc_enum_name(int(domain), int(value)))


def enum_value(domain, name):
    """Name -> value, case-insensitive, prefix allowed ("rural",
    "PSVC_AREA_RURAL"); InvalidArgumentError if unknown."""
    out = c_int()
    _check(_lib.psvc_enum_value(int(domain), _b(name, "name"), byref(out)))
    return out.value


def enum_entry(domain, i):
    """The i-th (value, name) of a domain, in value order; NotFoundError past
    the end."""
    value, name = c_int(), c_char_p()
    _check(_lib.psvc_enum_entry(int(domain), i, byref(value), byref(name)))
    return value.value, name.value.decode()


# ---- allocator ---------------------------------------------------------------

_libc = ctypes.CDLL(None)
_libc.malloc.restype = c_void_p
_libc.malloc.argtypes = [c_size_t]
_libc.realloc.restype = c_void_p
_libc.realloc.argtypes = [c_void_p, c_size_t]
_libc.free.restype = None
_libc.free.argtypes = [c_void_p]


class Allocator:
    """An allocator for :func:`set_allocator`. This base class forwards to
    libc; override malloc/realloc/free (addresses are ints, 0 or None is
    failure) to instrument or to inject failures. An exception raised in
    malloc or realloc is a failed allocation."""

    def malloc(self, n):
        return _libc.malloc(n)

    def realloc(self, p, n):
        return _libc.realloc(p, n)

    def free(self, p):
        _libc.free(p)


class CountingAllocator(Allocator):
    """Counts live blocks and calls; fails every allocation after
    ``fail_after`` successful ones (None: never), for out-of-memory tests."""

    def __init__(self, fail_after=None):
        self.fail_after = fail_after
        self.allocations = 0
        self.frees = 0
        self.live = 0

    def _may(self):
        if self.fail_after is not None and self.allocations >= self.fail_after:
            return False
        return True

    def malloc(self, n):
        if not self._may():
            return None
        p = super().malloc(n)
        if p:
            self.allocations += 1
            self.live += 1
        return p

    def realloc(self, p, n):
        if not self._may():
            return None
        q = super().realloc(p, n)
        if q:
            self.allocations += 1
        return q

    def free(self, p):
        if p:
            self.frees += 1
            self.live -= 1
        super().free(p)


_allocator_keep = None  # the installed allocator's callbacks, kept alive


def set_allocator(allocator):
    """Installs an :class:`Allocator` for every allocation the library makes
    (None restores libc). StateError while anything allocated by the current
    allocator is alive: close and free every library object first."""
    global _allocator_keep
    if allocator is None:
        _check(_lib.psvc_set_allocator(None))
        _allocator_keep = None
        return

    def m(user, n):
        try:
            return allocator.malloc(n) or None
        except BaseException:
            return None

    def r(user, p, n):
        try:
            return allocator.realloc(p, n) or None
        except BaseException:
            return None

    def f(user, p):
        try:
            allocator.free(p)
        except BaseException:
            pass

    keep = (allocator, _MALLOC_FN(m), _REALLOC_FN(r), _FREE_FN(f))
    a = _new(psvc_allocator, malloc_fn=keep[1], realloc_fn=keep[2], free_fn=keep[3])
    _check(_lib.psvc_set_allocator(byref(a)))
    _allocator_keep = keep


# ---------------------------------------------------------------------------
# Handles
# ---------------------------------------------------------------------------

class _Handle:
    """A library object freed by ``_free``: close(), ``with`` or GC."""

    _free = None
    _h = None
    _fin = None

    def _adopt(self, h):
        self._h = h
        self._fin = weakref.finalize(self, getattr(_lib, self._free), h)

    @property
    def _handle(self):
        if self._h is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._h

    @property
    def closed(self):
        return self._h is None

    def close(self):
        """Frees the handle (idempotent)."""
        if self._fin is not None:
            self._fin()
        self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# ---- customers -------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One consistency finding (C-10 ... C-20)."""
    code: str
    severity: int
    field: str
    message: str

    def __str__(self):
        sev = getattr(self.severity, "name", self.severity)
        return f"{self.code} {sev} {self.field}: {self.message}"


class Findings(list):
    """The findings of :meth:`Customer.check`, a list of :class:`Finding`,
    with ``max_severity`` (0 if none)."""

    max_severity = 0

    @property
    def errors(self):
        return [f for f in self if f.severity == ENUMS[Domain.SEVERITY].ERROR]


# field -> (kind, domain or None); kinds: str, enum, flags, int, time, mask
_CUSTOMER_FIELDS = {
    "name": ("str", None),
    "relation": ("enum", Domain.RELATION),
    "tariff": ("enum", Domain.TARIFF),
    "sources": ("enum", Domain.SOURCE),
    "usage": ("enum", Domain.USAGE),
    "importance": ("enum", Domain.IMPORTANCE),
    "load_class": ("int", None),
    "segment": ("enum", Domain.SEGMENT),
    "area": ("enum", Domain.AREA),
    "voltage": ("int", None),
    "capacity": ("int", None),
    "supply_end": ("time", None),
    "season": ("mask", None),
    "unit": ("str", None),
    "feeder": ("str", None),
    "phone": ("str", None),
    "manager": ("str", None),
}


def _customer_property(field, kind, domain):
    gname = f"psvc_customer_{field}"
    sname = f"psvc_customer_set_{field}"

    def fget(self):
        v = getattr(_lib, gname)(self._handle)
        if kind == "str":
            return _text(v)
        if kind == "enum":
            return _as_enum(ENUMS[domain], v)
        return v

    def fset(self, v):
        if kind == "str":
            arg = _b("" if v is None else v, field)
        elif kind == "enum":
            arg = _enum_arg(domain, v)
        elif kind == "time":
            arg = to_seconds(v)
        elif kind == "mask":
            arg = _month_mask(v)
        else:
            arg = 0 if v is None else operator.index(v)
        _check(getattr(_lib, sname)(self._handle, arg))

    return property(fget, fset, doc=f"psvc_customer_{field} / psvc_customer_set_{field}")


def _month_mask(v):
    """season: a month mask (bit 0 = January), or an iterable of months 1..12."""
    if v is None:
        return 0
    if isinstance(v, int):
        return v
    mask = 0
    for m in v:
        if not 1 <= m <= 12:
            raise ValueError(f"month {m} is not 1..12")
        mask |= 1 << (m - 1)
    return mask


class Customer(_Handle):
    """A customer value object (psvc_customer). ``Customer("0100000001",
    name="Wang Fang", tariff=Tariff.RESIDENTIAL, ...)``; every field is a
    property whose setter validates (InvalidArgumentError, customer
    unchanged). Strings set to None or "" are cleared."""

    _free = "psvc_customer_free"
    FIELDS = tuple(_CUSTOMER_FIELDS)

    def __init__(self, id, **fields):
        out = c_void_p()
        _check(_lib.psvc_customer_new(byref(out), _b(id, "id")))
        self._adopt(out.value)
        for k, v in fields.items():
            if k not in _CUSTOMER_FIELDS and k != "supply_end_dt":
                self.close()
                raise TypeError(f"Customer has no field {k!r}")
            try:
                setattr(self, k, v)
            except BaseException:
                self.close()
                raise

    @classmethod
    def _wrap(cls, h):
        c = cls.__new__(cls)
        c._adopt(h)
        return c

    @property
    def id(self):
        return _text(_lib.psvc_customer_id(self._handle))

    @property
    def supply_end_dt(self):
        """supply_end as an aware datetime, None if unset."""
        return _dt_or_none(self.supply_end)

    @supply_end_dt.setter
    def supply_end_dt(self, v):
        self.supply_end = v

    @property
    def season_months(self):
        """season as a list of months 1..12."""
        m = self.season
        return [i + 1 for i in range(12) if m & (1 << i)]

    def clone(self):
        """A deep copy (psvc_customer_clone)."""
        out = c_void_p()
        _check(_lib.psvc_customer_clone(self._handle, byref(out)))
        return Customer._wrap(out.value)

    __copy__ = clone

    def __deepcopy__(self, memo):
        return self.clone()

    def check(self, now):
        """The consistency findings (C-10 ... C-20) as of ``now``."""
        out = c_void_p()
        _check(_lib.psvc_customer_check(self._handle, to_seconds(now), byref(out)))
        f = out.value
        try:
            sev = ENUMS[Domain.SEVERITY]
            res = Findings(
                Finding(_text(_lib.psvc_findings_code(f, i)),
                        _as_enum(sev, _lib.psvc_findings_severity(f, i)),
                        _text(_lib.psvc_findings_field(f, i)),
                        _text(_lib.psvc_findings_message(f, i)))
                for i in range(_lib.psvc_findings_count(f)))
            res.max_severity = _as_enum(sev, _lib.psvc_findings_max_severity(f))
            return res
        finally:
            _lib.psvc_findings_free(f)

    def to_dict(self):
        d = {"id": self.id}
        for k in _CUSTOMER_FIELDS:
            d[k] = getattr(self, k)
        return d

    def __eq__(self, other):
        if not isinstance(other, Customer):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None

    def __repr__(self):
        if self.closed:
            return "<Customer closed>"
        return f"<Customer {self.id!r} {self.name!r}>"


def _install_customer_properties():
    for field, (kind, dom) in _CUSTOMER_FIELDS.items():
        setattr(Customer, field, _customer_property(field, kind, dom))


_install_customer_properties()


# ---- work orders ------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Who performs an action: staff id, role (Role), unit (may be None)."""
    id: str
    role: int
    unit: str = None

    def _c(self):
        return _new(psvc_actor, id=_b(self.id, "actor id"),
                    role=_enum_arg(Domain.ROLE, self.role), unit=_b(self.unit, "unit"))


def _actor(who):
    if isinstance(who, Actor):
        return who._c()
    if isinstance(who, (tuple, list)):
        return Actor(*who)._c()
    raise TypeError("who: expected an Actor or an (id, role[, unit]) tuple")


@dataclass(frozen=True)
class Event:
    """One entry of an order's history (W-11)."""
    action: int
    at: int
    actor: str
    role: int
    unit: str
    target: str
    value: int
    note: str

    @property
    def at_dt(self):
        return to_datetime(self.at)


class Order(_Handle):
    """A snapshot of a work order (psvc_order_load), read through its
    properties; ``events`` is the history."""

    _free = "psvc_order_free"

    @classmethod
    def _wrap(cls, h):
        o = cls.__new__(cls)
        o._adopt(h)
        return o

    def _get(self, name, *args):
        return getattr(_lib, "psvc_order_" + name)(self._handle, *args)

    id = property(lambda s: _text(s._get("id")))
    type = property(lambda s: _as_enum(ENUMS[Domain.ORDER_TYPE], s._get("type")))
    channel = property(lambda s: _as_enum(ENUMS[Domain.CHANNEL], s._get("channel")))
    customer = property(lambda s: _text(s._get("customer")), doc="None: anonymous")
    area = property(lambda s: _as_enum(ENUMS[Domain.AREA], s._get("area")))
    state = property(lambda s: _as_enum(ENUMS[Domain.STATE], s._get("state")))
    accepted_at = property(lambda s: s._get("accepted_at"))
    accepted_at_dt = property(lambda s: to_datetime(s._get("accepted_at")))
    responsible_unit = property(lambda s: _text(s._get("responsible_unit")))
    current_unit = property(lambda s: _text(s._get("current_unit")))
    urge_count = property(lambda s: s._get("urge_count"))
    escalation_level = property(lambda s: s._get("escalation_level"))
    satisfaction = property(lambda s: _as_enum(ENUMS[Domain.SATISFACTION],
                                               s._get("satisfaction")))
    merged_into = property(lambda s: _text(s._get("merged_into")))
    event_count = property(lambda s: s._get("event_count"))
    subtype = property(lambda s: s._get("subtype"))
    summary = property(lambda s: _text(s._get("summary")))
    opened_by = property(lambda s: _text(s._get("opened_by")))
    opened_role = property(lambda s: _as_enum(ENUMS[Domain.ROLE], s._get("opened_role")))
    opened_unit = property(lambda s: _text(s._get("opened_unit")))
    suspended_from = property(lambda s: _as_enum(ENUMS[Domain.STATE],
                                                 s._get("suspended_from")))
    reopen_count = property(lambda s: s._get("reopen_count"))
    is_open = property(lambda s: bool(s._get("is_open")))

    def event(self, i):
        """The i-th event of the history (IndexError past the end)."""
        n = self.event_count
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("event index out of range")
        g = self._get
        return Event(_as_enum(ENUMS[Domain.ACTION], g("event_action", i)),
                     g("event_at", i),
                     _text(g("event_actor", i)),
                     _as_enum(ENUMS[Domain.ROLE], g("event_role", i)),
                     _text(g("event_unit", i)),
                     _text(g("event_target", i)),
                     g("event_value", i),
                     _text(g("event_note", i)))

    @property
    def events(self):
        return [self.event(i) for i in range(self.event_count)]

    def __repr__(self):
        if self.closed:
            return "<Order closed>"
        kind = getattr(self.type, "name", self.type)
        return f"<Order {self.id!r} {kind} {getattr(self.state, 'name', self.state)}>"


# ---- SLA -----------------------------------------------------------------------

@dataclass(frozen=True)
class Sla:
    """A clock as of a moment (psvc_sla). Times are int seconds, with ``*_dt``
    aware datetimes (None where the field is 0: not started, running)."""
    metric: int
    status: int
    started_at: int
    deadline: int
    stopped_at: int
    limit_s: int
    elapsed_s: int
    remaining_s: int
    level: int
    cycle: int
    ever_breached: bool

    @classmethod
    def _from(cls, s):
        return cls(_as_enum(ENUMS[Domain.METRIC], s.metric),
                   _as_enum(ENUMS[Domain.SLA_STATUS], s.status),
                   s.started_at, s.deadline, s.stopped_at, s.limit_s, s.elapsed_s,
                   s.remaining_s, s.level, s.cycle, bool(s.ever_breached))

    started_at_dt = property(lambda s: _dt_or_none(s.started_at))
    deadline_dt = property(lambda s: _dt_or_none(s.deadline))
    stopped_at_dt = property(lambda s: _dt_or_none(s.stopped_at))
    limit = property(lambda s: timedelta(seconds=s.limit_s))
    elapsed = property(lambda s: timedelta(seconds=s.elapsed_s))
    remaining = property(lambda s: timedelta(seconds=s.remaining_s))

    @property
    def applies(self):
        return self.status != 0

    @property
    def met(self):
        return self.status == ENUMS[Domain.SLA_STATUS].MET

    @property
    def breached(self):
        return self.status == ENUMS[Domain.SLA_STATUS].BREACHED

    def __str__(self):
        m = getattr(self.metric, "name", self.metric)
        st = getattr(self.status, "name", self.status)
        if not self.status:
            return f"{m} {st}"
        s = (f"{m} {st}: {_fmt_secs(self.elapsed_s)} of {_fmt_secs(self.limit_s)}, "
             f"{_fmt_secs(self.remaining_s)} left")
        if self.deadline:
            s += f", deadline {_iso(self.deadline)}"
        return s


@dataclass
class Policy:
    """An SLA override with every knob (psvc_policy). ``limit``: seconds (or a
    timedelta) for WALL and BUSINESS_HOURS, days for the day clocks."""
    metric: int
    clock: int
    limit: int
    order_type: int = 0
    area: int = 0
    subtype: int = 0
    calendar: str = None
    runs_when_suspended: bool = False
    at_risk_percent: int = 0
    levels: tuple = (0, 0, 0, 0)

    def _c(self):
        lv = list(self.levels) + [0] * (4 - len(self.levels))
        if len(lv) != 4:
            raise ValueError("levels: at most four thresholds")
        p = _new(psvc_policy,
                 metric=_enum_arg(Domain.METRIC, self.metric),
                 order_type=_enum_arg(Domain.ORDER_TYPE, self.order_type),
                 area=_enum_arg(Domain.AREA, self.area),
                 subtype=operator.index(self.subtype or 0),
                 clock=_enum_arg(Domain.CLOCK, self.clock),
                 limit=_span(self.limit),
                 calendar=_b(self.calendar, "calendar"),
                 runs_when_suspended=1 if self.runs_when_suspended else 0,
                 at_risk_percent=operator.index(self.at_risk_percent or 0))
        for i, v in enumerate(lv):
            p.levels[i] = v
        return p


# ---- paid vs free -------------------------------------------------------------

@dataclass(frozen=True)
class BoundaryResult:
    """Who owns the faulty facility and whether the repair is paid (S-1 ... S-5)."""
    owner: int
    paid: bool
    rule: str
    reason: str


@dataclass(frozen=True)
class Quote:
    """A repair quote for a FAULT_REPAIR order."""
    owner: int
    paid: bool
    rule: str
    reason: str
    amount_cents: int


def _bq(supply, location, agreed_owner, customer_caused):
    return _new(psvc_boundary_query,
                supply=_enum_arg(Domain.SUPPLY_POINT, supply),
                location=_enum_arg(Domain.LOCATION, location),
                agreed_owner=_enum_arg(Domain.OWNER, agreed_owner),
                customer_caused=1 if customer_caused else 0)


def service_classify(supply, location, agreed_owner=0, customer_caused=False):
    """psvc_service_classify: owner, paid, rule and a reason to read out."""
    q = _bq(supply, location, agreed_owner, customer_caused)
    r = _new(psvc_boundary_result)
    _check(_lib.psvc_service_classify(byref(q), byref(r)))
    return BoundaryResult(_as_enum(ENUMS[Domain.OWNER], r.owner), bool(r.paid),
                          _text(r.rule), _text(r.reason))


# ---- calendars -----------------------------------------------------------------

def _ymd(y, m=None, d=None):
    if isinstance(y, date):
        if m is not None or d is not None:
            raise TypeError("give a date or (y, m, d), not both")
        return y.year, y.month, y.day
    return operator.index(y), operator.index(m), operator.index(d)


_WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def _weekday(w):
    if isinstance(w, str):
        try:
            return _WEEKDAYS[w[:3].lower()]
        except KeyError:
            raise ValueError(f"unknown weekday {w!r}") from None
    return operator.index(w)


def _minutes(v):
    """A time of day as minutes since midnight: int, "HH:MM" or a time."""
    if isinstance(v, str):
        h, _, m = v.partition(":")
        return int(h) * 60 + int(m or 0)
    if hasattr(v, "hour") and hasattr(v, "minute"):
        return v.hour * 60 + v.minute
    return operator.index(v)


_FORMATS = {c_int64: ("q", "l"), c_int32: ("i", "l")}


def _c_array(seq, ctype, n, conv):
    """seq as a C array of n ctype: zero-copy for a writable contiguous buffer
    of the right format (array.array('q'), ...), else converted by conv."""
    try:
        mv = memoryview(seq)
    except TypeError:
        mv = None
    if mv is not None:
        if (mv.ndim == 1 and mv.format in _FORMATS.get(ctype, ()) and
                mv.itemsize == ctypes.sizeof(ctype) and mv.c_contiguous):
            if len(mv) != n:
                raise ValueError(f"length {len(mv)}, expected {n}")
            if mv.readonly:
                return (ctype * n).from_buffer_copy(mv)
            return (ctype * n).from_buffer(mv)
        seq = mv.tolist()
    vals = [conv(x) for x in seq]
    if len(vals) != n:
        raise ValueError(f"length {len(vals)}, expected {n}")
    return (ctype * n)(*vals)


class Calendar(_Handle):
    """A business calendar (T-22, T-23): ``Calendar(480)`` (UTC+8, no hours
    yet), ``Calendar.parse(text)`` (docs/calendar-format.md) or
    ``Calendar.load(path)``. Time arguments are int seconds or aware
    datetimes, and results come back in the same form."""

    _free = "psvc_calendar_free"

    def __init__(self, utc_offset_min=0):
        out = c_void_p()
        _check(_lib.psvc_calendar_new(byref(out), operator.index(utc_offset_min)))
        self._adopt(out.value)

    @classmethod
    def parse(cls, text):
        """Parses the calendar text format; ParseError, whose ``detail`` is
        the library's "line N: ..." (and ``message`` psvc_errmsg)."""
        out, err = c_void_p(), c_void_p()
        rc = _lib.psvc_calendar_parse(_b(text, "text"), byref(out), byref(err))
        detail = _take_string(err.value)
        if rc < 0:
            _raise(rc, _text(_lib.psvc_errmsg(None)), detail=detail)
        c = cls.__new__(cls)
        c._adopt(out.value)
        return c

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.parse(f.read())

    def add_hours(self, weekday, open, close):
        """A working window: weekday 1 = Monday ... 7 (or "mon"); open/close
        as minutes since midnight, "HH:MM" or datetime.time."""
        _check(_lib.psvc_calendar_add_hours(self._handle, _weekday(weekday),
                                            _minutes(open), _minutes(close)))
        return self

    def add_holiday(self, y, m=None, d=None):
        """A holiday: a date, or y, m, d."""
        _check(_lib.psvc_calendar_add_holiday(self._handle, *_ymd(y, m, d)))
        return self

    def add_workday(self, day, as_weekday):
        """A make-up working day (调休) that works the hours of as_weekday."""
        y, m, d = _ymd(day)
        _check(_lib.psvc_calendar_add_workday(self._handle, y, m, d, _weekday(as_weekday)))
        return self

    def import_ical(self, text):
        """Adds the all-day VEVENTs of an iCalendar text as holidays."""
        err = c_void_p()
        rc = _lib.psvc_calendar_import_ical(self._handle, _b(text, "text"), byref(err))
        detail = _take_string(err.value)
        if rc < 0:
            _raise(rc, _text(_lib.psvc_errmsg(None)), detail=detail)
        return self

    def is_workday(self, y, m=None, d=None):
        """True for a day with working hours."""
        return bool(_check(_lib.psvc_calendar_is_workday(self._handle, *_ymd(y, m, d))))

    @staticmethod
    def _back(t, secs):
        return to_datetime(secs) if isinstance(t, datetime) else secs

    def add_seconds(self, t, secs):
        """The instant at which ``secs`` business seconds (int or timedelta)
        have passed after t."""
        out = c_int64()
        _check(_lib.psvc_calendar_add_seconds(self._handle, to_seconds(t), _span(secs),
                                              byref(out)))
        return self._back(t, out.value)

    def add_workdays(self, t, days):
        """T-23: 23:59:59 local of the days-th working day after t's day."""
        out = c_int64()
        _check(_lib.psvc_calendar_add_workdays(self._handle, to_seconds(t),
                                               operator.index(days), byref(out)))
        return self._back(t, out.value)

    def elapsed(self, t0, t1):
        """Business seconds in [t0, t1)."""
        out = c_int64()
        _check(_lib.psvc_calendar_elapsed(self._handle, to_seconds(t0), to_seconds(t1),
                                          byref(out)))
        return out.value

    def _bulk(self, fn, times, amounts, ctype, conv):
        n = len(times)
        dts = n > 0 and not isinstance(times, (bytes, bytearray, memoryview)) \
            and isinstance(times[0], datetime)
        tin = _c_array(times, c_int64, n, to_seconds)
        if isinstance(amounts, (int, timedelta)) and not isinstance(amounts, bool):
            amounts = [amounts] * n
        ain = _c_array(amounts, ctype, n, conv)
        if isinstance(times, _array_type):
            res = _array_type("q", bytes(8 * n))
            out = (c_int64 * n).from_buffer(res) if n else (c_int64 * 0)()
        else:
            res = None
            out = (c_int64 * n)()
        _check(fn(self._handle, tin, ain, out, n))
        if res is not None:
            return res
        if dts:
            return [to_datetime(v) for v in out]
        return list(out)

    def add_seconds_n(self, times, secs):
        """add_seconds for many times at once (psvc_calendar_add_seconds_n).
        ``times``: a list of ints or datetimes, or an array.array('q') (then
        the result is an array.array('q') too, without copies); ``secs``: a
        sequence of the same length, or one int for all. Nothing is returned
        unless every element succeeds."""
        return self._bulk(_lib.psvc_calendar_add_seconds_n, times, secs, c_int64, _span)

    def add_workdays_n(self, times, days):
        """add_workdays for many times at once (days: a sequence, an
        array.array('i'), or one int for all)."""
        return self._bulk(_lib.psvc_calendar_add_workdays_n, times, days, c_int32,
                          operator.index)


# ---------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------

class Store:
    """Base class of a storage backend written in Python (docs/storage.md).

    The library serialises its records itself and hands this object opaque
    bytes by (kind, key): ``kind`` is a :class:`Record` member, ``key`` a str,
    ``data`` bytes. Every mutation is begin -> put/delete... -> commit; on
    any failure the library calls rollback and raises StorageError (EIO),
    its state unchanged. A method fails by raising (or by returning a
    non-zero int); the exception becomes the StorageError's ``__cause__``.

    - ``get(kind, key)`` returns the bytes, or None if absent;
    - ``scan(kind)`` returns an iterable of (key, data) of that kind;
    - ``close()`` is called once when the context that used the store
      closes (or fails to open); it may keep the data, so that another
      Context can be opened on the same object afterwards.

    A store is used by one context at a time.
    """

    def begin(self):
        pass

    def commit(self):
        pass

    def rollback(self):
        pass

    def put(self, kind, key, data):
        raise NotImplementedError

    def get(self, kind, key):
        raise NotImplementedError

    def delete(self, kind, key):
        raise NotImplementedError

    def scan(self, kind):
        raise NotImplementedError

    def close(self):
        pass


class MemoryStore(Store):
    """A dict-backed :class:`Store`: ``records`` maps (kind, key) to bytes.
    Transactions are staged and applied at commit. The data survives close,
    so a second Context opened on the same object sees everything."""

    def __init__(self):
        self.records = {}
        self._staged = None
        self.closes = 0

    def begin(self):
        self._staged = {}

    def commit(self):
        for k, v in (self._staged or {}).items():
            if v is None:
                self.records.pop(k, None)
            else:
                self.records[k] = v
        self._staged = None

    def rollback(self):
        self._staged = None

    def put(self, kind, key, data):
        target = self._staged if self._staged is not None else self.records
        target[(int(kind), key)] = bytes(data)

    def get(self, kind, key):
        k = (int(kind), key)
        if self._staged is not None and k in self._staged:
            return self._staged[k]
        return self.records.get(k)

    def delete(self, kind, key):
        if self._staged is not None:
            self._staged[(int(kind), key)] = None
        else:
            del self.records[(int(kind), key)]

    def scan(self, kind):
        kind = int(kind)
        return sorted((k, v) for (kd, k), v in self.records.items() if kd == kind)

    def close(self):
        self.closes += 1


_CB_FAILED = StorageError.code  # what a Python callback that raised returns (-7)


def _rc_of(r):
    if r is None:
        return 0
    rc = operator.index(r)
    if rc and not -2**31 <= rc < 2**31:
        return -1
    return rc


class _StoreBridge:
    """The psvc_store table of a Python Store: CFUNCTYPE trampolines that
    catch every exception (a Python exception must never cross into C)."""

    def __init__(self, store):
        self.store = store
        self.exc = None
        rec = ENUMS[Domain.RECORD]

        def guard(fn):
            def call(*a):
                try:
                    return _rc_of(fn(*a))
                except BaseException as e:  # noqa: B902 - never into C
                    self.exc = e
                    return _CB_FAILED
            return call

        def kind_of(k):
            return _as_enum(rec, k)

        def key_of(k):
            return k.decode("utf-8", "surrogateescape")

        @guard
        def begin(user):
            return store.begin()

        @guard
        def commit(user):
            return store.commit()

        @guard
        def rollback(user):
            return store.rollback()

        @guard
        def put(user, kind, key, data, n):
            return store.put(kind_of(kind), key_of(key), ctypes.string_at(data, n) if n else b"")

        @guard
        def get(user, kind, key, sink, arg):
            data = store.get(kind_of(kind), key_of(key))
            if data is None:
                return NotFoundError.code  # PSVC_ENOTFOUND: absent
            data = bytes(data)
            return sink(arg, data, len(data))

        @guard
        def delete(user, kind, key):
            return store.delete(kind_of(kind), key_of(key))

        @guard
        def scan(user, kind, each, arg):
            for key, data in store.scan(kind_of(kind)) or ():
                kb = key.encode("utf-8", "surrogateescape") if isinstance(key, str) else bytes(key)
                data = bytes(data)
                rc = each(arg, kb, data, len(data))
                if rc:
                    return rc
            return 0

        def close(user):
            try:
                store.close()
            except BaseException as e:  # noqa: B902
                self.exc = e

        self._fns = (_BEGIN_FN(begin), _BEGIN_FN(commit), _BEGIN_FN(rollback),
                     _PUT_FN(put), _GET_FN(get), _DEL_FN(delete), _SCAN_FN(scan),
                     _CLOSE_FN(close))
        t = psvc_store(abi=STORE_ABI, user=None)
        for name, fn in zip(("begin", "commit", "rollback", "put", "get", "del", "scan",
                             "close"), self._fns):
            setattr(t, name, fn)
        self.table = t

    def take_exc(self):
        e, self.exc = self.exc, None
        return e


class JournalStore:
    """The built-in crash-safe journal file (psvc_store_journal): opens (and
    locks) ``path`` at once; StorageError if another opener holds it,
    CorruptError for damaged committed data. Pass it to :class:`Context`,
    which then owns it; a JournalStore never handed over is closed by
    close(), ``with`` or GC."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self._table = psvc_store()
        _check(_lib.psvc_store_journal(byref(self._table), os.fsencode(self.path)))
        self._state = "open"  # open -> owned (by a Context) -> closed
        self._fin = weakref.finalize(self, _close_table, self._table)

    @property
    def report(self):
        """What opening the journal did: "clean" or "recovered: cut N bytes
        ..." (None once closed)."""
        if self._state == "closed":
            return None
        return _text(_lib.psvc_journal_report(byref(self._table)))

    def _take(self):
        if self._state != "open":
            raise ValueError("this JournalStore was already used by a Context; "
                             "open a new JournalStore(path)")
        self._fin.detach()
        self._state = "owned"
        return self._table

    def _closed(self):
        self._state = "closed"

    def close(self):
        """Closes the journal if no Context owns it."""
        if self._state == "open":
            self._fin()
            self._state = "closed"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _close_table(table):
    if table.close:
        table.close(table.user)


# ---------------------------------------------------------------------------
# The context
# ---------------------------------------------------------------------------

def _ctx_close(h, bridge, journal):
    _lib.psvc_ctx_close(h)
    if journal is not None:
        journal._closed()
    # bridge: kept alive (with its trampolines) until here


def _mask(domain, values):
    """A state/type filter: None (any), one value, or an iterable -> bit mask."""
    if values is None:
        return 0
    if isinstance(values, (int, str)):
        values = [values]
    m = 0
    for v in values:
        m |= 1 << _enum_arg(domain, v)
    return m


class Context(_Handle):
    """A libpowersvc context (psvc_ctx): everything loaded from one store.

    ``store``: None (in memory only), a :class:`Store` (Python backend), a
    :class:`JournalStore`, or a path (str / PathLike) to a journal file.
    The context owns the store from then on and closes it when it closes.
    """

    def __init__(self, store=None):
        self._bridge = None
        self._journal = None
        if isinstance(store, (str, bytes, os.PathLike)):
            store = JournalStore(store)
        if store is None:
            table = None
        elif isinstance(store, JournalStore):
            table = store._take()
            self._journal = store
        elif isinstance(store, Store):
            self._bridge = _StoreBridge(store)
            table = self._bridge.table
        else:
            raise TypeError("store: expected None, a Store, a JournalStore or a path")
        self.store = store
        out = c_void_p()
        rc = _lib.psvc_ctx_open(byref(out), byref(table) if table is not None else None)
        if rc < 0:
            msg = _text(_lib.psvc_errmsg(None))
            if self._journal is not None:
                self._journal._closed()
            _raise(rc, msg, self._bridge.take_exc() if self._bridge else None)
        self._h = out.value
        self._fin = weakref.finalize(self, _ctx_close, self._h, self._bridge, self._journal)

    # ---- plumbing
    def _call(self, name, *args):
        h = self._handle
        if self._bridge is not None:
            self._bridge.exc = None
        rc = getattr(_lib, name)(h, *args)
        if rc < 0:
            cause = self._bridge.take_exc() if self._bridge else None
            _raise(rc, _text(_lib.psvc_errmsg(h)), cause)
        if self._bridge is not None and isinstance(self._bridge.exc,
                                                   (KeyboardInterrupt, SystemExit)):
            raise self._bridge.take_exc()
        return rc

    def _list(self, name, *args):
        out = c_void_p()
        self._call(name, *args, byref(out))
        return _take_list(out.value)

    @property
    def errmsg(self):
        """The detail of this context's last failure ("" if none)."""
        return _text(_lib.psvc_errmsg(self._handle))

    # ---- transactions and storage
    def begin(self):
        """Starts a store transaction grouping many calls (bulk import)."""
        self._call("psvc_ctx_begin")

    def commit(self):
        self._call("psvc_ctx_commit")

    def rollback(self):
        """Rolls back: the in-memory state is restored exactly."""
        self._call("psvc_ctx_rollback")

    @contextmanager
    def transaction(self):
        """``with ctx.transaction():`` begin, commit on success, roll back
        (and re-raise) on an exception."""
        self.begin()
        try:
            yield self
        except BaseException:
            try:
                self.rollback()
            except StateError:
                pass  # the library already rolled back (a failed store write)
            raise
        self.commit()

    def compact(self):
        """Rewrites the context's journal to its live records (journal only)."""
        self._call("psvc_ctx_compact")

    @property
    def journal_report(self):
        """psvc_journal_report of the context's journal store (None if the
        store is not a journal)."""
        if self._journal is None or self.closed:
            return None
        return _text(_lib.psvc_journal_report(byref(self._journal._table)))

    # ---- customers
    def save(self, customer):
        """Inserts or replaces; InvalidArgumentError for a customer with
        ERROR findings."""
        self._call("psvc_customer_save", customer._handle)

    def add(self, customer):
        """Inserts only; AlreadyExistsError if the id is taken (C-17)."""
        self._call("psvc_customer_add", customer._handle)

    def customer(self, id):
        """Loads a customer (a new Customer object); NotFoundError."""
        out = c_void_p()
        self._call("psvc_customer_load", _b(id, "id"), byref(out))
        return Customer._wrap(out.value)

    load_customer = customer

    def delete_customer(self, id):
        self._call("psvc_customer_delete", _b(id, "id"))

    def customer_ids(self):
        """All customer ids, sorted bytewise."""
        return self._list("psvc_customer_list")

    # ---- orders
    def open_order(self, order_id, type, channel, who, accepted_at, *, customer=None,
                   area=0, summary=None, subtype=0):
        """Accepts a new order (state ACCEPTED)."""
        spec = _new(psvc_order_spec,
                    id=_b(order_id, "order id"),
                    type=_enum_arg(Domain.ORDER_TYPE, type),
                    channel=_enum_arg(Domain.CHANNEL, channel),
                    customer_id=_b(customer, "customer"),
                    area=_enum_arg(Domain.AREA, area),
                    accepted_at=to_seconds(accepted_at),
                    summary=_b(summary, "summary"),
                    subtype=self._subtype(type, subtype))
        actor = _actor(who)
        self._call("psvc_order_open", byref(spec), byref(actor))

    @staticmethod
    def _subtype(type, subtype):
        if isinstance(subtype, str):  # a COMPLAINT_* or a REQUEST_* name
            t = _enum_arg(Domain.ORDER_TYPE, type)
            complaint = t == ENUMS[Domain.ORDER_TYPE].COMPLAINT
            return enum_value(Domain.COMPLAINT if complaint else Domain.REQUEST, subtype)
        return operator.index(subtype or 0)

    def apply(self, order_id, action, at, who, *, target=None, value=0, note=None):
        """Applies one action (docs/lifecycle.md). StateError / PermissionDeniedError
        when refused; nothing changes then."""
        ev = _new(psvc_event, action=_enum_arg(Domain.ACTION, action), at=to_seconds(at),
                  target=_b(target, "target"), value=operator.index(value or 0),
                  note=_b(note, "note"))
        actor = _actor(who)
        self._call("psvc_order_apply", _b(order_id, "order id"), byref(ev), byref(actor))

    def order(self, order_id):
        """A snapshot of an order (Order); NotFoundError."""
        out = c_void_p()
        self._call("psvc_order_load", _b(order_id, "order id"), byref(out))
        return Order._wrap(out.value)

    load_order = order

    def permit(self, order_type, action, role, allow=True):
        """Narrows or widens the default grants (order_type 0: every type;
        action 0: opening an order). Not stored."""
        self._call("psvc_permit", _enum_arg(Domain.ORDER_TYPE, order_type),
                   _enum_arg(Domain.ACTION, action), _enum_arg(Domain.ROLE, role),
                   1 if allow else 0)

    def find_orders(self, *, states=None, types=None, unit=None, customer=None,
                    accepted_from=None, accepted_to=None):
        """Order ids matching every criterion, by accepted_at then id."""
        f = _new(psvc_filter, state_mask=_mask(Domain.STATE, states),
                 type_mask=_mask(Domain.ORDER_TYPE, types), unit=_b(unit, "unit"),
                 customer_id=_b(customer, "customer"))
        setattr(f, "from", to_seconds(accepted_from))
        f.to = to_seconds(accepted_to)
        return self._list("psvc_order_find", byref(f))

    def handover(self, unit, now):
        """W-13: the open orders a unit hands over, most urgent first."""
        return self._list("psvc_handover", _b(unit, "unit"), to_seconds(now))

    # ---- SLA
    def set_calendar(self, name, calendar):
        """Attaches a copy of a Calendar under a name ("default" replaces the
        default calendar)."""
        self._call("psvc_ctx_set_calendar", _b(name, "name"), calendar._handle)

    def policy_profile(self, name):
        """Switches to "seed", "sgcc" or "gbt28583" (drops every override)."""
        self._call("psvc_policy_profile", _b(name, "name"))

    def policy_set(self, metric, order_type, area, clock, limit, calendar=None):
        """An override; limit in seconds (or a timedelta) for WALL and
        BUSINESS_HOURS, in days for CALENDAR_DAYS and WORK_DAYS."""
        self._call("psvc_policy_set", _enum_arg(Domain.METRIC, metric),
                   _enum_arg(Domain.ORDER_TYPE, order_type), _enum_arg(Domain.AREA, area),
                   _enum_arg(Domain.CLOCK, clock), _span(limit), _b(calendar, "calendar"))

    def policy_define(self, policy=None, **kw):
        """An override with every knob: a Policy, or its fields as keywords."""
        if policy is None:
            policy = Policy(**kw)
        elif kw:
            raise TypeError("give a Policy or keywords, not both")
        p = policy._c()
        self._call("psvc_policy_define", byref(p))

    def order_sla(self, order_id, metric, now):
        """The clock of one metric of an order as of ``now`` (Sla)."""
        s = _new(psvc_sla)
        self._call("psvc_order_sla", _b(order_id, "order id"),
                   _enum_arg(Domain.METRIC, metric), to_seconds(now), byref(s))
        return Sla._from(s)

    def sla_crossed(self, metric, start, end):
        """Ids of the orders that crossed an escalation threshold on metric
        (0 = any) in [start, end)."""
        return self._list("psvc_sla_crossed", _enum_arg(Domain.METRIC, metric),
                          to_seconds(start), to_seconds(end))

    # ---- calls and notices
    def record_call(self, call_id, arrived_at, answered_at, ended_at, agent_id=None,
                    order_id=None):
        """T-1/T-2: a hotline call; answered_at None or 0 = abandoned."""
        self._call("psvc_call_record", _b(call_id, "call id"), to_seconds(arrived_at),
                   to_seconds(answered_at), to_seconds(ended_at), _b(agent_id, "agent id"),
                   _b(order_id, "order id"))

    def call_sla(self, call_id):
        """The ANSWER clock of a call (Sla)."""
        s = _new(psvc_sla)
        self._call("psvc_call_sla", _b(call_id, "call id"), byref(s))
        return Sla._from(s)

    def publish_notice(self, notice_id, kind, unit, feeder, start, end, published_at):
        """Publishes an outage notice, or re-publishes a change of it."""
        n = _new(psvc_notice, id=_b(notice_id, "notice id"),
                 kind=_enum_arg(Domain.NOTICE_KIND, kind), unit=_b(unit, "unit"),
                 feeder=_b(feeder, "feeder"), start=to_seconds(start), end=to_seconds(end),
                 published_at=to_seconds(published_at))
        self._call("psvc_notice_publish", byref(n))

    def notice_sla(self, notice_id):
        """The NOTICE_LEAD clock of a notice (Sla)."""
        s = _new(psvc_sla)
        self._call("psvc_notice_sla", _b(notice_id, "notice id"), byref(s))
        return Sla._from(s)

    def notice_affected(self, notice_id):
        """T-11: customer ids on the notice's feeder to tell individually."""
        return self._list("psvc_notice_affected", _b(notice_id, "notice id"))

    def notice_active(self, customer_id, now):
        """O-6: notice ids whose outage covers the customer's feeder at now."""
        return self._list("psvc_notice_active", _b(customer_id, "customer id"),
                          to_seconds(now))

    # ---- reports
    def report_json(self, start, end, now, group_by=None):
        """The KPI report (docs/reports.md) as JSON text."""
        out = c_void_p()
        self._call("psvc_report_json", to_seconds(start), to_seconds(end), to_seconds(now),
                   _b(group_by, "group_by"), byref(out))
        return _take_string(out.value)

    def report(self, start, end, now, group_by=None):
        """The KPI report, parsed (a dict)."""
        return json.loads(self.report_json(start, end, now, group_by))

    # ---- fees and quotes
    def fee_set(self, service_code, amount_cents):
        self._call("psvc_fee_set", _b(service_code, "service code"),
                   operator.index(amount_cents))

    def fee_get(self, service_code):
        """The fee in cents; NotFoundError if the code has none."""
        out = c_int64()
        self._call("psvc_fee_get", _b(service_code, "service code"), byref(out))
        return out.value

    def order_quote(self, order_id, supply, location, *, agreed_owner=0,
                    customer_caused=False, service_code=None):
        """The repair quote of a FAULT_REPAIR order (Quote)."""
        q = _bq(supply, location, agreed_owner, customer_caused)
        r = _new(psvc_quote)
        self._call("psvc_order_quote", _b(order_id, "order id"), byref(q),
                   _b(service_code, "service code"), byref(r))
        return Quote(_as_enum(ENUMS[Domain.OWNER], r.owner), bool(r.paid), _text(r.rule),
                     _text(r.reason), r.amount_cents)

    def __repr__(self):
        return "<Context closed>" if self.closed else f"<Context store={self.store!r}>"


__all__ = [
    "load", "library_path", "version", "version_number", "strerror", "errmsg",
    "enum_name", "enum_value", "enum_entry", "set_allocator", "Allocator",
    "CountingAllocator", "to_seconds", "to_datetime", "Domain", "DOMAINS", "ENUMS",
    "PowersvcError", "InvalidArgumentError", "OutOfMemoryError", "NotFoundError",
    "AlreadyExistsError", "StateError", "PermissionDeniedError", "StorageError",
    "CorruptError", "RangeError", "ParseError", "ERRORS", "error_for",
    "Context", "Customer", "Finding", "Findings", "Order", "Event", "Actor", "Sla",
    "Policy", "Calendar", "BoundaryResult", "Quote", "service_classify",
    "Store", "MemoryStore", "JournalStore", "FUNCTIONS", "NOTE_CONTACT", "STORE_ABI",
]

try:
    load()
except OSError as _e:
    raise ImportError(str(_e)) from None
