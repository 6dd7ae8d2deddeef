--[[
test_powersvc.lua — the tests of powersvc.lua, run by ctest as example.lua:

    PSVC_LIB=<libpowersvc.so> LUA_PATH='examples/lua/?.lua' luajit test_powersvc.lua

Plain asserts and a tiny runner: each test is a function, run in order; the
runner prints "ok" or "FAIL" with the error and a traceback for each, then a
summary, and exits non-zero if any failed. Optional environment:
PSVC_HEADER (include/powersvc.h: the cdef is checked against it),
PSVC_LUA_README (README.md: its example is run), PSVC_CALENDAR
(examples/data/cn-2026.cal), PSVC_TEST_TMP (where journals are written).
Paths default to the source tree, relative to this file.
]]
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local ffi = require("ffi")
local bit = require("bit")
local psvc = require("powersvc")

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then
    return default
  end
  return v
end

local HEADER = env("PSVC_HEADER", here .. "/../../include/powersvc.h")
local README = env("PSVC_LUA_README", here .. "/README.md")
local CALENDAR = env("PSVC_CALENDAR", here .. "/../data/cn-2026.cal")
local TMP = env("PSVC_TEST_TMP", os.getenv("TMPDIR") or "/tmp")

-- ---- the runner --------------------------------------------------------------------
local tests = {}
local function test(name, fn)
  tests[#tests + 1] = {name = name, fn = fn}
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function write_file(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function eq(got, want, what)
  if got ~= want then
    if type(got) == "string" and type(want) == "string" and #got + #want > 400 then
      local i = 1
      while got:sub(i, i) == want:sub(i, i) do
        i = i + 1
      end
      error(string.format("%s: differs at byte %d: got ...%s..., want ...%s...", what or "value",
                          i, got:sub(i - 40, i + 60), want:sub(i - 40, i + 60)), 2)
    end
    error(string.format("%s: got %s, want %s", what or "value", tostring(got), tostring(want)), 2)
  end
end

-- Calls fn(...) and asserts it raises a psvc.Error named `name` with a
-- message; returns the error.
local function raises(name, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then
    error("expected " .. name .. ", but the call succeeded", 2)
  end
  if not psvc.is_error(err) then
    error("expected a psvc.Error " .. name .. ", got: " .. tostring(err), 2)
  end
  if err.name ~= name or err.code ~= psvc[name] then
    error("expected " .. name .. ", got " .. tostring(err), 2)
  end
  assert(type(err.message) == "string" and #err.message > 0, "the error has no message")
  assert(tostring(err) == name .. ": " .. err.message, "tostring(err)")
  return err
end

local function has(list, x)
  for _, v in ipairs(list) do
    if v == x then
      return true
    end
  end
  return false
end

local function same_list(a, b, what)
  eq(table.concat(a, ","), table.concat(b, ","), what)
end

local function tmp_path(name)
  local p = TMP .. "/lua-test-" .. name
  os.remove(p)
  os.remove(p .. ".compact")
  return p
end

-- ---- fixtures ------------------------------------------------------------------------
local T0 = 1793581200 -- Monday 2026-11-02 09:00 +08:00
local NOV1, DEC1 = 1793462400, 1796054400 -- 2026-11-01 / 2026-12-01 00:00 +08:00
local AGENT = {id = "a01", role = "AGENT", unit = "hotline"}
local CREW = {id = "c07", role = "REPAIR_CREW", unit = "crew-east"}
local LEAD = {id = "s01", role = "SUPERVISOR", unit = "hotline"}

local function wang()
  return {id = "0100000001", name = "Wang Fang", relation = "DIRECT", tariff = "RESIDENTIAL",
          sources = "LV", area = "URBAN", voltage = 220, feeder = "F101", unit = "CD-01"}
end

local function fault(ctx, id, at, extra)
  local spec = {id = id, type = "FAULT_REPAIR", channel = "PHONE", customer_id = "0100000001",
                accepted_at = at, who = AGENT}
  for k, v in pairs(extra or {}) do
    spec[k] = v
  end
  ctx:order_open(spec)
end

-- ---- the binding and the header ---------------------------------------------------
local function normalise(s)
  s = s:gsub("/%*.-%*/", " "):gsub("%s+", " "):gsub(" ?([%(%)%*,;{}]) ?", "%1")
  return (s:gsub("^ ", ""):gsub(" $", ""))
end

-- The header's declarations, the way gen_cdef.sh turns them into the cdef:
-- preprocessor lines and comments dropped, PSVC_API defined away.
local function header_declarations(h)
  h = h:gsub("/%*.-%*/", " "):gsub("\\\n", " ")
  local out = {}
  for line in h:gmatch("[^\n]*") do
    if not line:match("^%s*#") then
      out[#out + 1] = line
    end
  end
  h = table.concat(out, "\n"):gsub("PSVC_API", "")
  h = h:gsub('extern%s*"C"%s*{', ""):gsub("^%s*}%s*$", "")
  return h
end

test("cdef is the header's, every PSVC_API function is bound", function()
  local h = read_file(HEADER)
  local decls = normalise(header_declarations(h)):gsub("}$", "")
  eq(normalise(psvc.cdef), decls, "normalised cdef vs include/powersvc.h")

  local src = read_file(here .. "/powersvc.lua")
  local code = src:gsub("M%.cdef = %[%[.-%]%]", "")
  local missing, n = {}, 0
  for name in h:gmatch("PSVC_API[^;]-[%s%*](psvc_[%w_]+)%s*%(") do
    n = n + 1
    if not (code:find("C%." .. name .. "%f[^%w_]") or code:find('"' .. name .. '"', 1, true)) then
      missing[#missing + 1] = name
    end
    assert(type(psvc.C[name]) == "cdata", name .. " is not exported by the library")
  end
  assert(n >= 138, "found only " .. n .. " PSVC_API functions in the header")
  eq(table.concat(missing, " "), "", "PSVC_API functions the binding never calls")
end)

test("version and enums", function()
  eq(psvc.version(), psvc.VERSION_STRING, "version")
  eq(psvc.version_number(), 10000, "version number")
  eq(psvc.strerror(psvc.ENOTFOUND), "not found", "strerror")
  eq(psvc.enums.ORDER_TYPE.FAULT_REPAIR, 3, "enums by name")
  eq(psvc.enums.STATE[8], "CLOSED", "enums by value")
  eq(psvc.enum_name(psvc.DOM.AREA, 2), "RURAL", "enum_name")
  eq(psvc.enum_name("AREA", 99), nil, "enum_name unknown")
  eq(psvc.enum_value("AREA", "rural"), 2, "enum_value any case")
  eq(psvc.enum_value(psvc.DOM.AREA, "PSVC_AREA_REMOTE"), 3, "enum_value with prefix")
  eq(psvc.enum_value("TARIFF", 5), 5, "a number passes")
  local e = raises("EINVAL", psvc.enum_value, "AREA", "suburban")
  assert(e.message:find("suburban", 1, true), e.message)
  raises("EINVAL", psvc.enum_value, "NO_SUCH_DOMAIN", "x")
  eq(#psvc.enum_entries("SLA_STATUS"), 7, "SLA statuses")
  local v, n = psvc.enum_entry("CLOCK", 3)
  eq(v, 4, "enum_entry value")
  eq(n, "BUSINESS_HOURS", "enum_entry name")
  eq(psvc.enum_entry("CLOCK", 4), nil, "enum_entry past the end")
  raises("EINVAL", psvc.enum_entry, 99, 0)
  eq(psvc.enum_entries("SLA_STATUS")[1].name, "NOT_APPLICABLE", "first SLA status")
  eq(psvc.OK, 0, "OK")
  eq(psvc.EPARSE, -10, "EPARSE")
  eq(psvc.flags(psvc.DOM.SOURCE, "HV|DUAL_SOURCE"), 5, "flags from text")
  eq(psvc.flags(psvc.DOM.SOURCE, {"lv", "DEDICATED_LINE"}), 18, "flags from a list")
  same_list(psvc.flag_names("SOURCE", 5), {"HV", "DUAL_SOURCE"}, "flag_names")
end)

-- ---- errors ----------------------------------------------------------------------------
test("every status code is raised with its message", function()
  local ctx = psvc.open()
  -- EINVAL: a bad id (no context: the thread's message)
  local e = raises("EINVAL", psvc.customer, "not an id!")
  assert(e.message:find("id", 1, true), e.message)
  eq(e.func, "psvc_customer_new", "func")
  eq(psvc.errmsg(), e.message, "the thread's message")
  -- EINVAL raised by the binding itself
  raises("EINVAL", ctx.order_open, ctx, "not a table")
  raises("EINVAL", psvc.customer("x").set_area, psvc.customer("y"), "SUBURB")
  -- ENOTFOUND, EEXIST
  e = raises("ENOTFOUND", ctx.customer_load, ctx, "nobody")
  assert(e.message:find("nobody", 1, true), e.message)
  eq(ctx:errmsg(), e.message, "the context's message")
  ctx:customer_add(wang())
  e = raises("EEXIST", ctx.customer_add, ctx, wang())
  assert(e.message:find("C-17", 1, true), e.message)
  -- EPERM: a repair crew may not open orders
  e = raises("EPERM", ctx.order_open, ctx, {id = "F-9", type = "FAULT_REPAIR",
             channel = "PHONE", customer_id = "0100000001", accepted_at = T0, who = CREW})
  assert(e.message:find("REPAIR_CREW", 1, true), e.message)
  -- ESTATE: closing an order that was just accepted; commit outside a transaction
  fault(ctx, "F-1", T0)
  e = raises("ESTATE", ctx.order_apply, ctx, "F-1", {action = "CLOSE", at = T0 + 1}, AGENT)
  assert(e.message:find("CLOSE", 1, true), e.message)
  raises("ESTATE", ctx.commit, ctx)
  -- ERANGE: an event before the previous one; a span that ends before it starts
  raises("ERANGE", ctx.order_apply, ctx, "F-1", {action = "DISPATCH", at = T0 - 10,
         target = "crew-east"}, AGENT)
  raises("ERANGE", psvc.calendar(480).elapsed, psvc.calendar(480), T0 + 10, T0)
  -- EPARSE: the message is "line N: ..."
  e = raises("EPARSE", psvc.calendar_parse, "utc+08:00\nholyday 2026-10-01\n")
  assert(e.message:find("^line 2: "), e.message)
  -- EIO: a journal is locked by its first opener
  local path = tmp_path("locked.journal")
  local j1 = psvc.open_journal(path)
  e = raises("EIO", psvc.open_journal, path)
  assert(e.message:find("locked", 1, true), e.message)
  j1:close()
  -- ECORRUPT: a journal whose header is damaged
  write_file(path, "PSVCJRNL" .. string.rep("\255", 120))
  raises("ECORRUPT", psvc.open_journal, path)
  os.remove(path)
  -- (ENOMEM: see "a Lua allocator")
  -- a closed context
  ctx:close()
  e = raises("EINVAL", ctx.customer_list, ctx)
  assert(e.message:find("closed", 1, true), e.message)
end)

-- ---- customers -----------------------------------------------------------------------
test("customers: round trip, setters and getters, findings", function()
  local ctx = psvc.open()
  local c = psvc.customer("0200000001", {
    name = "Shenzhen Foundry Ltd", relation = "DIRECT", tariff = "LARGE_INDUSTRY",
    sources = {"HV", "DUAL_SOURCE", "SELF_GENERATION"}, usage = "IMPORTANT|SEASONAL",
    importance = "FIRST", load_class = 1, segment = "KEY_ACCOUNT", area = "URBAN",
    voltage = 10000, capacity = 2000, season = {6, 7, 8}, unit = "SZ-01", feeder = "F301",
    phone = "0755-1234567", manager = "CM-001"})
  eq(c:id(), "0200000001", "id")
  eq(c:tariff(), "LARGE_INDUSTRY", "tariff")
  eq(c:sources(), 1 + 4 + 8, "sources")
  eq(c:season(), 0xE0, "season")
  eq(#c:check(T0), 0, "no findings")
  ctx:customer_add(c)
  local back = ctx:customer_load("0200000001"):to_table()
  local want = c:to_table()
  for _, f in ipairs(psvc.CUSTOMER_FIELDS) do
    eq(back[f], want[f], "loaded " .. f)
  end
  eq(back.importance, "FIRST", "importance")
  eq(back.segment, "KEY_ACCOUNT", "segment")
  eq(back.manager, "CM-001", "manager")

  -- setters chain, "" clears a string, a clone is independent
  local d = c:clone():set_phone(""):set_capacity(100)
  eq(d:phone(), nil, "cleared phone")
  eq(c:phone(), "0755-1234567", "the original keeps its phone")
  local findings = d:check(T0)
  eq(findings.max_severity, "WARNING", "max severity")
  eq(findings[1].code, "C-14", "finding code")
  eq(findings[1].field, "capacity", "finding field")
  eq(findings[1].severity, "WARNING", "finding severity")
  assert(findings[1].message:find("315", 1, true), findings[1].message)

  -- save replaces; an ERROR finding is refused, naming the rule
  ctx:customer_save(d)
  eq(ctx:customer_load("0200000001"):capacity(), 100, "replaced")
  local bad = d:clone():set_sources("HV|LV")
  eq(bad:check(T0).max_severity, "ERROR", "HV and LV")
  local e = raises("EINVAL", ctx.customer_save, ctx, bad)
  assert(e.message:find("C-11", 1, true), e.message)

  -- a temporary customer's supply end (times in and out)
  local t = psvc.customer("0300000001", {name = "Fair", relation = "DIRECT",
    tariff = "COMMERCIAL", sources = "LV", usage = "TEMPORARY", supply_end = T0 + 86400 * 30})
  eq(t:supply_end(), T0 + 86400 * 30, "supply_end")
  ctx:customer_add(t)
  ctx:customer_add(wang())
  same_list(ctx:customer_list(), {"0100000001", "0200000001", "0300000001"}, "list")
  ctx:customer_delete("0300000001")
  same_list(ctx:customer_list(), {"0100000001", "0200000001"}, "after delete")
  raises("ENOTFOUND", ctx.customer_delete, ctx, "0300000001")
  raises("EINVAL", psvc.customer, "x", {colour = "blue"})
  c:free()
  c:free() -- twice is harmless
  raises("EINVAL", c.id, c)
end)

-- ---- orders and SLA ----------------------------------------------------------------------
test("a fault order's lifecycle and its SLA clocks", function()
  local ctx = psvc.open()
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0, {summary = "no power in the whole building"})
  local o = ctx:order_load("F-1")
  eq(o:state(), "ACCEPTED", "state")
  eq(o:event_count(), 0, "opening is not an event")
  eq(o:type(), "FAULT_REPAIR", "type")
  eq(o:channel(), "PHONE", "channel")
  eq(o:customer(), "0100000001", "customer")
  eq(o:area(), "URBAN", "area from the customer")
  eq(o:accepted_at(), T0, "accepted_at")
  eq(o:summary(), "no power in the whole building", "summary")
  eq(o:opened_by(), "a01", "opened_by")
  eq(o:opened_role(), "AGENT", "opened_role")
  eq(o:opened_unit(), "hotline", "opened_unit")
  eq(o:subtype(), nil, "no subtype")
  assert(o:is_open(), "open")

  local s = ctx:order_sla("F-1", "ARRIVAL", T0 + 1200)
  eq(s.status, "RUNNING", "ARRIVAL at 20 min")
  eq(s.limit_s, 2400, "seed urban ARRIVAL limit")
  eq(s.elapsed_s, 1200, "elapsed")
  eq(s.remaining_s, 1200, "remaining")
  eq(s.deadline, T0 + 2400, "deadline")
  eq(s.level, 1, "50 % reached")
  eq(s.cycle, 1, "cycle")
  eq(s.ever_breached, false, "ever_breached")
  eq(ctx:order_sla("F-1", "ARRIVAL", T0 + 2000).status, "AT_RISK", "at 83 %")
  eq(ctx:order_sla("F-1", "RESOLVE", T0 + 60).status, "PENDING", "RESOLVE before ARRIVE")
  eq(ctx:order_sla("F-1", "REPLY", T0 + 60).status, "NOT_APPLICABLE", "no REPLY policy")

  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 100, target = "crew-east"}, AGENT)
  ctx:order_apply("F-1", {action = "URGE", at = T0 + 200}, AGENT)
  ctx:order_apply("F-1", {action = "RECEIVE", at = T0 + 300}, CREW)
  ctx:order_apply("F-1", {action = "SUSPEND", at = T0 + 600, note = "road closed"}, CREW)
  eq(ctx:order_sla("F-1", "ARRIVAL", T0 + 900).status, "PAUSED", "suspended")
  eq(ctx:order_load("F-1"):suspended_from(), "RECEIVED", "suspended_from")
  ctx:order_apply("F-1", {action = "RESUME", at = T0 + 1200}, CREW)
  ctx:order_apply("F-1", {action = "ARRIVE", at = T0 + 2700}, CREW)
  s = ctx:order_sla("F-1", "ARRIVAL", T0 + 3000)
  eq(s.status, "MET", "ARRIVAL with the pause given back")
  eq(s.elapsed_s, 2100, "2700 s less the 600 s pause")
  eq(s.stopped_at, T0 + 2700, "stopped_at")
  ctx:order_apply("F-1", {action = "RESOLVE", at = T0 + 2700 + 11000}, CREW)
  s = ctx:order_sla("F-1", "RESOLVE", T0 + 20000)
  eq(s.status, "BREACHED", "RESOLVE after 3 h")
  eq(s.remaining_s, -200, "overdue by 200 s")
  eq(s.ever_breached, true, "ever_breached")
  eq(s.level, 3, "level 3")

  -- an unsatisfied return visit reopens: cycle 2
  ctx:order_apply("F-1", {action = "VISIT", at = T0 + 86400, value = "UNSATISFIED",
                          note = "lights flicker"}, AGENT)
  o = ctx:order_load("F-1")
  eq(o:state(), "DISPATCHED", "back to DISPATCHED")
  eq(o:reopen_count(), 1, "reopen_count")
  eq(o:satisfaction(), "UNSATISFIED", "satisfaction")
  eq(o:urge_count(), 1, "urge_count")
  eq(o:responsible_unit(), "crew-east", "responsible unit")
  eq(o:current_unit(), "crew-east", "current unit")
  s = ctx:order_sla("F-1", "ARRIVAL", T0 + 86400 + 60)
  eq(s.cycle, 2, "ARRIVAL cycle 2")
  eq(s.started_at, T0 + 86400, "cycle 2 starts at the visit")
  eq(ctx:order_sla("F-1", "RESOLVE", T0 + 86400 + 60).ever_breached, true, "old breach kept")
  ctx:order_apply("F-1", {action = "RECEIVE", at = T0 + 86500}, CREW)
  ctx:order_apply("F-1", {action = "ARRIVE", at = T0 + 87000}, CREW)
  ctx:order_apply("F-1", {action = "RESOLVE", at = T0 + 88000}, CREW)
  ctx:order_apply("F-1", {action = "VISIT", at = T0 + 90000, value = "SATISFIED"}, AGENT)
  ctx:order_apply("F-1", {action = "ESCALATE", at = T0 + 90010, value = 2}, LEAD)
  ctx:order_apply("F-1", {action = "CLOSE", at = T0 + 90060}, AGENT)
  raises("ESTATE", ctx.order_apply, ctx, "F-1", {action = "URGE", at = T0 + 90100}, AGENT)
  ctx:order_apply("F-1", {action = "NOTE", at = T0 + 90100, note = "customer thanked"}, AGENT)

  o = ctx:order_load("F-1")
  eq(o:state(), "CLOSED", "closed")
  assert(not o:is_open(), "not open")
  eq(o:escalation_level(), 2, "escalation level")
  eq(o:satisfaction(), "SATISFIED", "last visit")
  eq(o:event_count(), 15, "events")
  local ev = o:event(1)
  eq(ev.action, "DISPATCH", "event 1 action")
  eq(ev.at, T0 + 100, "event 1 at")
  eq(ev.actor, "a01", "event 1 actor")
  eq(ev.role, "AGENT", "event 1 role")
  eq(ev.unit, "hotline", "event 1 unit")
  eq(ev.target, "crew-east", "event 1 target")
  eq(o:event(4).note, "road closed", "SUSPEND note")
  eq(o:event(8).value, psvc.enums.SATISFACTION.UNSATISFIED, "VISIT value")
  eq(o:event(16), nil, "past the end")
  eq(o:events()[15].action, "NOTE", "last event")
  local t = o:to_table()
  eq(t.state, "CLOSED", "to_table state")
  eq(#t.events, 15, "to_table events")
  eq(ctx:order_sla("F-1", "DISPATCH", T0 + 90100).elapsed_s, 100, "DISPATCH from acceptance")
  o:free()
end)

test("order queries: find, handover, permit, subtypes, merge, SLA crossings", function()
  local ctx = psvc.open()
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0)
  fault(ctx, "F-2", T0 + 60)
  fault(ctx, "F-3", T0 + 120, {area = "RURAL"})
  ctx:order_open({id = "C-1", type = "COMPLAINT", channel = "WEB", accepted_at = T0 + 180,
                  subtype = "OUTAGE", summary = "third outage this month"}, AGENT)
  ctx:order_open{id = "S-1", type = "SERVICE_REQUEST", channel = "COUNTER", who = AGENT,
                 customer_id = "0100000001", accepted_at = T0 + 240, subtype = "METER_CHECK"}
  eq(ctx:order_load("C-1"):subtype(), "OUTAGE", "complaint subtype")
  eq(ctx:order_load("C-1"):customer(), nil, "anonymous")
  eq(ctx:order_load("S-1"):subtype(), "METER_CHECK", "request subtype")
  eq(ctx:order_load("F-3"):area(), "RURAL", "area override")
  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 300, target = "crew-east"}, AGENT)
  ctx:order_apply("F-3", {action = "DISPATCH", at = T0 + 300, target = "crew-west"}, AGENT)
  ctx:order_apply("F-2", {action = "MERGE", at = T0 + 400, target = "F-1",
                          note = "same outage"}, AGENT)
  eq(ctx:order_load("F-2"):merged_into(), "F-1", "merged_into")

  same_list(ctx:order_find(), {"F-1", "F-2", "F-3", "C-1", "S-1"}, "all")
  same_list(ctx:order_find{types = "FAULT_REPAIR"}, {"F-1", "F-2", "F-3"}, "faults")
  same_list(ctx:order_find{states = {"ACCEPTED", "MERGED"}}, {"F-2", "C-1", "S-1"}, "states")
  same_list(ctx:order_find{unit = "crew-east"}, {"F-1"}, "unit")
  same_list(ctx:order_find{customer_id = "0100000001", from = T0 + 60}, {"F-2", "F-3", "S-1"},
            "customer and from")
  same_list(ctx:order_find{state_mask = bit.lshift(1, 2)}, {"F-1", "F-3"}, "state_mask")
  same_list(ctx:handover("crew-west", T0 + 600), {"F-3"}, "crew-west hands over")
  same_list(ctx:handover("hotline", T0 + 600), {"C-1", "S-1"}, "hotline hands over")

  -- grants: a dispatcher may not close; allow an agent to ARRIVE on faults
  ctx:order_apply("F-1", {action = "RECEIVE", at = T0 + 500}, CREW)
  raises("EPERM", ctx.order_apply, ctx, "F-1", {action = "ARRIVE", at = T0 + 600}, AGENT)
  ctx:permit("FAULT_REPAIR", "ARRIVE", "AGENT", true)
  ctx:order_apply("F-1", {action = "ARRIVE", at = T0 + 600}, AGENT)
  ctx:permit("ANY", "OPEN", "AGENT", false)
  raises("EPERM", ctx.order_open, ctx, {id = "F-4", type = "FAULT_REPAIR", channel = "PHONE",
         area = "URBAN", accepted_at = T0, who = AGENT})
  raises("EINVAL", ctx.permit, ctx, 0, "NOTE", "AGENT", 2)

  -- SLA crossings: F-3 (rural, 85 min from T0 + 120) crosses 50 % at
  -- T0 + 2670 and 80 % at T0 + 4200; F-1 arrived at 25 %
  same_list(ctx:sla_crossed("ARRIVAL", T0, T0 + 2400), {}, "first 40 min")
  same_list(ctx:sla_crossed("ARRIVAL", T0 + 2400, T0 + 2700), {"F-3"}, "50 %")
  same_list(ctx:sla_crossed(nil, T0 + 2700, T0 + 2710), {}, "none in 10 s")
  same_list(ctx:sla_crossed(nil, T0 + 4000, T0 + 4300), {"F-3"}, "80 %, any metric")
  -- the complaint's CONTACT clock (24 h), stopped by a NOTE with value CONTACT
  ctx:order_apply("C-1", {action = "NOTE", at = T0 + 3600, value = "CONTACT",
                          note = "called back"}, AGENT)
  local s = ctx:order_sla("C-1", "CONTACT", T0 + 7200)
  eq(s.status, "MET", "CONTACT")
  eq(s.elapsed_s, 3420, "CONTACT elapsed")
end)

-- ---- calendars and policies ---------------------------------------------------------------
test("calendars: text, scalar and bulk forms, iCalendar, building by hand", function()
  local cal = psvc.calendar_parse(read_file(CALENDAR))
  eq(cal:is_workday(2026, 10, 1), false, "National Day")
  eq(cal:is_workday("2026-10-09"), true, "a Friday")
  eq(cal:is_workday("2026-10-10"), true, "make-up Saturday")
  eq(cal:is_workday("2026-10-11"), false, "Sunday")
  raises("ERANGE", cal.is_workday, cal, 1969, 12, 31)
  -- Wednesday 2026-09-30 17:00 +08:00: half an hour of work left that day,
  -- then the National Day holidays; the next working day is Thursday 10-08
  local t = 1790758800
  eq(cal:add_seconds(t, 1800), t + 1800, "to the end of the day")
  eq(cal:add_seconds(t, 3600), 1791421200, "30 min into 2026-10-08 (09:00 +08:00)")
  eq(cal:add_workdays(t, 0), 1790783999, "end of the same day")
  eq(cal:add_workdays(t, 1), 1791475199, "end of 2026-10-08")
  eq(cal:elapsed(t, 1791421200), 3600, "elapsed over the holidays")
  local ts, secs = {t, t + 60, T0}, {3600, 0, 7 * 3600}
  local bulk = cal:add_seconds_n(ts, secs)
  for i = 1, #ts do
    eq(bulk[i], cal:add_seconds(ts[i], secs[i]), "add_seconds_n[" .. i .. "]")
  end
  local days = cal:add_workdays_n(ts, 2)
  for i = 1, #ts do
    eq(days[i], cal:add_workdays(ts[i], 2), "add_workdays_n[" .. i .. "]")
  end
  eq(#cal:add_seconds_n({}, {}), 0, "empty bulk")
  local e = raises("ERANGE", cal.add_seconds_n, cal, {t, -1}, 60)
  assert(e.message:find("1", 1, true), e.message)
  raises("EINVAL", cal.add_seconds_n, cal, {t, t}, {1})

  -- iCalendar holidays
  local ical = table.concat({"BEGIN:VCALENDAR", "BEGIN:VEVENT", "DTSTART;VALUE=DATE:20261102",
    "DTEND;VALUE=DATE:20261104", "SUMMARY:Company days", "END:VEVENT", "END:VCALENDAR", ""},
    "\r\n")
  cal:import_ical(ical)
  eq(cal:is_workday("2026-11-03"), false, "imported holiday")
  eq(cal:is_workday("2026-11-04"), true, "DTEND is exclusive")
  e = raises("EPARSE", cal.import_ical, cal, "BEGIN:VEVENT\r\n")
  assert(e.message:find("line", 1, true), e.message)

  -- by hand
  local c2 = psvc.calendar(480)
  c2:add_hours("mon", "08:30", "12:00"):add_hours(2, 510, 720)
  c2:add_holiday(2026, 11, 2):add_workday("2026-11-07", "mon")
  eq(c2:is_workday("2026-11-02"), false, "holiday")
  eq(c2:is_workday("2026-11-03"), true, "Tuesday")
  eq(c2:is_workday("2026-11-04"), false, "no Wednesday hours")
  eq(c2:is_workday("2026-11-07"), true, "make-up Saturday")
  raises("EINVAL", c2.add_hours, c2, "mon", "12:00", "08:00")
  raises("EINVAL", c2.add_hours, c2, "someday", 0, 60)
  c2:free()
  raises("EINVAL", c2.is_workday, c2, "2026-11-03")
end)

test("policies: profiles, overrides, a business-hours clock", function()
  local ctx = psvc.open()
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0)
  eq(ctx:order_sla("F-1", "ARRIVAL", T0).limit_s, 2400, "seed")
  ctx:policy_profile("sgcc")
  eq(ctx:order_sla("F-1", "ARRIVAL", T0).limit_s, 2700, "sgcc")
  ctx:policy_profile("gbt28583")
  eq(ctx:order_sla("F-1", "ARRIVAL", T0).limit_s, 3600, "gbt28583")
  raises("ENOTFOUND", ctx.policy_profile, ctx, "nowhere")
  ctx:policy_set("ARRIVAL", "FAULT_REPAIR", "URBAN", "WALL", 1800)
  eq(ctx:order_sla("F-1", "ARRIVAL", T0).limit_s, 1800, "override")
  raises("ENOTFOUND", ctx.policy_set, ctx, "ARRIVAL", 0, 0, "WALL", 60, "office")
  raises("ERANGE", ctx.policy_set, ctx, "ARRIVAL", 0, 0, "CALENDAR_DAYS", 40000)

  -- a calendar of our own; a VISIT policy on business hours with levels
  ctx:set_calendar("office", read_file(CALENDAR))
  ctx:set_calendar("default", psvc.calendar_parse(read_file(CALENDAR)))
  ctx:policy_define{metric = "VISIT", order_type = "FAULT_REPAIR", clock = "BUSINESS_HOURS",
                    limit = 4 * 3600, calendar = "office", at_risk_percent = 50,
                    levels = {25, 50, 75, 100}}
  ctx:policy_define{metric = "REPLY", order_type = "COMPLAINT", subtype = "OUTAGE",
                    clock = "WORK_DAYS", limit = 2, runs_when_suspended = true}
  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 60, target = "crew-east"}, AGENT)
  ctx:order_apply("F-1", {action = "RECEIVE", at = T0 + 120}, CREW)
  ctx:order_apply("F-1", {action = "ARRIVE", at = T0 + 600}, CREW)
  -- resolved Monday 11:00 +08:00: one working hour left before lunch
  ctx:order_apply("F-1", {action = "RESOLVE", at = T0 + 7200}, CREW)
  local s = ctx:order_sla("F-1", "VISIT", T0 + 7200 + 5 * 3600) -- 16:00
  eq(s.status, "AT_RISK", "VISIT at 3 of 4 working hours")
  eq(s.elapsed_s, 3 * 3600, "1 h before lunch, 2 h after")
  eq(s.level, 3, "75 % reached")
  eq(s.deadline, T0 + 7200 + 6 * 3600, "17:00 +08:00")
  raises("EINVAL", ctx.policy_define, ctx, {metric = "VISIT", clock = "WALL", limit = 1,
         levels = {1, 2, 3, 4, 5}})
  ctx:close()
end)

-- ---- calls, notices, the report ----------------------------------------------------------------
test("calls, outage notices and the KPI report", function()
  local ctx = psvc.open()
  ctx:customer_add(wang())
  ctx:customer_add{id = "0100000002", name = "City Hospital", relation = "DIRECT",
                   tariff = "GENERAL_COMMERCIAL_INDUSTRIAL",
                   sources = "HV|DUAL_SOURCE|SELF_GENERATION",
                   usage = "IMPORTANT", importance = "FIRST", voltage = 10000, feeder = "F101"}
  fault(ctx, "F-1", T0)
  ctx:call_record("CALL-1", T0 - 100, T0 - 95, T0 + 30, "a01", "F-1")
  ctx:call_record{id = "CALL-2", arrived_at = T0 + 10, answered_at = T0 + 40, ended_at = T0 + 100}
  ctx:call_record{id = "CALL-3", arrived_at = T0 + 20, answered_at = 0, ended_at = T0 + 25}
  raises("EEXIST", ctx.call_record, ctx, "CALL-1", T0, T0, T0)
  raises("ERANGE", ctx.call_record, ctx, "CALL-9", T0, T0 - 1, T0)
  raises("ENOTFOUND", ctx.call_record, ctx, "CALL-9", T0, T0, T0, nil, "F-404")
  raises("EINVAL", ctx.call_record, ctx, "CALL-9", T0, 0, T0, nil, "F-1")
  local s = ctx:call_sla("CALL-1")
  eq(s.status, "MET", "answered in 5 s")
  eq(s.elapsed_s, 5, "wait")
  eq(s.limit_s, 12, "T-1")
  eq(ctx:call_sla("CALL-2").status, "BREACHED", "answered in 30 s")
  eq(ctx:call_sla("CALL-3").status, "NOT_APPLICABLE", "hung up after 5 s")
  raises("ENOTFOUND", ctx.call_sla, ctx, "CALL-404")
  -- the DISPATCH clock runs from the end of the call
  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 90, target = "crew-east"}, AGENT)
  eq(ctx:order_sla("F-1", "DISPATCH", T0 + 100).elapsed_s, 60, "T-2 from the call's end")

  -- a planned outage published 8 days ahead, then moved earlier too late
  local start = T0 + 8 * 86400
  ctx:notice_publish{id = "N-1", kind = "PLANNED_MAINTENANCE", unit = "ops-east",
                     feeder = "F101", start = start, ["end"] = start + 6 * 3600, published_at = T0}
  s = ctx:notice_sla("N-1")
  eq(s.status, "MET", "8 days' notice")
  eq(s.metric, "NOTICE_LEAD", "metric")
  eq(s.limit_s, 7 * 86400, "T-7")
  eq(s.remaining_s, 86400, "a day to spare")
  same_list(ctx:notice_affected("N-1"), {"0100000002"}, "T-11: the hospital")
  same_list(ctx:notice_active("0100000001", start + 60), {"N-1"}, "O-6 during the outage")
  same_list(ctx:notice_active("0100000001", start - 60), {}, "O-6 before it")
  ctx:notice_publish{id = "N-1", kind = "PLANNED_MAINTENANCE", unit = "ops-east",
                     feeder = "F101", start = start - 3600, finish = start + 6 * 3600,
                     published_at = start - 3600 - 600}
  s = ctx:notice_sla("N-1")
  eq(s.status, "BREACHED", "a late T-10 change")
  eq(s.cycle, 2, "one re-publication")
  raises("EINVAL", ctx.notice_publish, ctx, {id = "N-1", kind = "FAULT", unit = "ops-east",
         feeder = "F101", start = start, ["end"] = start + 60, published_at = start - 60})
  raises("ERANGE", ctx.notice_publish, ctx, {id = "N-2", kind = "FAULT", unit = "ops-east",
         feeder = "F101", start = start, ["end"] = start, published_at = T0})
  raises("ENOTFOUND", ctx.notice_active, ctx, "nobody", T0)

  -- the report
  local json = ctx:report_json(NOV1, DEC1, T0 + 86400, "type")
  assert(json:sub(-1) == "\n", "one line and a newline")
  for _, key in ipairs{'"schema":"psvc.report.v1"', '"period":', '"group_by":"type"',
                       '"groups":[', '"key":"FAULT_REPAIR"', '"total":', '"complaints":',
                       '"calls":', '"offered":3', '"answered":2', '"abandoned":1',
                       '"notices":', '"published":1', '"late_changes":1',
                       '"monthly":{"month":"2026-11"', '"metrics":', '"DISPATCH":',
                       '"satisfaction":', '"by_state":'} do
    assert(json:find(key, 1, true), "report lacks " .. key .. ": " .. json)
  end
  assert(not json:find("0100000001", 1, true), "no customer ids (W-12)")
  eq(ctx:report_json(NOV1, DEC1, T0 + 86400, "type"), json, "the same bytes")
  assert(ctx:report_json(NOV1, DEC1, T0 + 86400):find('"group_by":"none"', 1, true), "none")
  assert(ctx:report_json(T0, T0 + 86400, T0 + 86400, "unit"):find('"monthly":null', 1, true),
         "not a month")
  raises("EINVAL", ctx.report_json, ctx, NOV1, DEC1, T0, "colour")
  raises("ERANGE", ctx.report_json, ctx, DEC1, NOV1, T0)
end)

-- ---- paid or free ------------------------------------------------------------------------
test("paid/free classification, fees and quotes", function()
  local r = psvc.classify{supply = "LV_PUBLIC", location = "CUSTOMER_SIDE"}
  eq(r.owner, "CUSTOMER", "owner")
  eq(r.paid, true, "paid")
  eq(r.rule, "S-3(1)", "rule")
  assert(r.reason:find("paid service", 1, true), r.reason)
  r = psvc.service_classify{supply = "HV_PUBLIC_10KV", location = "METER", customer_caused = true}
  eq(r.paid, true, "S-4 damage")
  eq(r.owner, "UTILITY", "meters are the utility's")
  eq(r.rule, "S-4", "S-4")
  r = psvc.classify{supply = "CABLE", location = "BOUNDARY_DEVICE", agreed_owner = "UTILITY"}
  eq(r.paid, false, "agreed owner")
  eq(r.rule, "S-3(4)", "cable")
  local e = raises("EINVAL", psvc.classify, {supply = "CABLE", location = "BOUNDARY_DEVICE"})
  assert(e.message:find("S-3(4)", 1, true), e.message)
  raises("EINVAL", psvc.classify, {supply = 42, location = "METER"})

  local ctx = psvc.open()
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0)
  ctx:order_open{id = "Q-1", type = "INQUIRY", channel = "PHONE", accepted_at = T0, who = AGENT}
  ctx:fee_set("LV-DROP-REPAIR", 15000)
  eq(ctx:fee_get("LV-DROP-REPAIR"), 15000, "fee")
  raises("ENOTFOUND", ctx.fee_get, ctx, "NOTHING")
  raises("ERANGE", ctx.fee_set, ctx, "LV-DROP-REPAIR", -1)
  local q = ctx:order_quote("F-1", {supply = "LV_PUBLIC", location = "CUSTOMER_SIDE"},
                            "LV-DROP-REPAIR")
  eq(q.paid, true, "quote paid")
  eq(q.amount_cents, 15000, "quote amount")
  eq(q.rule, "S-3(1)", "quote rule")
  q = ctx:order_quote("F-1", {supply = "LV_PUBLIC", location = "PUBLIC_NETWORK"})
  eq(q.paid, false, "free")
  eq(q.amount_cents, 0, "free is 0")
  raises("ENOTFOUND", ctx.order_quote, ctx, "F-1", {supply = "LV_PUBLIC",
         location = "CUSTOMER_SIDE"}, "NO-FEE")
  raises("EINVAL", ctx.order_quote, ctx, "Q-1", {supply = "LV_PUBLIC", location = "METER"})
  raises("ENOTFOUND", ctx.order_quote, ctx, "F-404", {supply = "LV_PUBLIC", location = "METER"})
end)

-- ---- transactions and stores ---------------------------------------------------------------
test("transactions: commit, rollback, the helper", function()
  local ctx = psvc.open()
  ctx:begin()
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0)
  raises("ESTATE", ctx.begin, ctx)
  ctx:commit()
  local e = raises("ESTATE", ctx.customer_delete, ctx, "0100000001")
  assert(e.message:find("order", 1, true), e.message)

  ctx:begin()
  ctx:customer_add{id = "0100000009", name = "Zhao", relation = "DIRECT",
                   tariff = "RESIDENTIAL", sources = "LV"}
  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 60, target = "crew-east"}, AGENT)
  ctx:rollback()
  same_list(ctx:customer_list(), {"0100000001"}, "rolled back")
  eq(ctx:order_load("F-1"):state(), "ACCEPTED", "rolled back apply")
  raises("ESTATE", ctx.rollback, ctx)

  local a, b = ctx:transaction(function(c, x)
    c:order_apply("F-1", {action = "DISPATCH", at = T0 + 60, target = "crew-east"}, AGENT)
    return x, "done"
  end, 42)
  eq(a, 42, "transaction results")
  eq(b, "done", "transaction results")
  eq(ctx:order_load("F-1"):state(), "DISPATCHED", "committed")
  local ok, err = pcall(ctx.transaction, ctx, function(c)
    c:order_apply("F-1", {action = "RECEIVE", at = T0 + 120}, CREW)
    c:order_apply("F-1", {action = "CLOSE", at = T0 + 180}, AGENT)
  end)
  assert(not ok and psvc.is_error(err, "ESTATE"), tostring(err))
  eq(ctx:order_load("F-1"):state(), "DISPATCHED", "the whole transaction rolled back")
  ctx:begin() -- the helper left no transaction open
  ctx:commit()
end)

test("the journal store: write, close, reopen, data back, compact", function()
  local path = tmp_path("store.journal")
  local ctx = psvc.open_journal(path)
  eq(ctx:journal_report(), "clean", "a new journal")
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0, {summary = "sparks at the meter box"})
  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 60, target = "crew-east"}, AGENT)
  ctx:call_record("CALL-1", T0 - 50, T0 - 45, T0 + 10, "a01", "F-1")
  ctx:notice_publish{id = "N-1", kind = "FAULT", unit = "ops-east", feeder = "F101",
                     start = T0 + 3600, ["end"] = T0 + 7200, published_at = T0}
  ctx:begin()
  ctx:customer_add{id = "0100000009", name = "Zhao", relation = "DIRECT",
                   tariff = "RESIDENTIAL", sources = "LV"}
  ctx:rollback()
  ctx:close()
  ctx:close() -- twice is harmless

  ctx = psvc.open_journal(path)
  eq(ctx:journal_report(), "clean", "reopened")
  same_list(ctx:customer_list(), {"0100000001"}, "customers back")
  eq(ctx:customer_load("0100000001"):name(), "Wang Fang", "name back")
  local o = ctx:order_load("F-1")
  eq(o:state(), "DISPATCHED", "state replayed")
  eq(o:summary(), "sparks at the meter box", "summary back")
  eq(o:event(1).target, "crew-east", "event back")
  eq(ctx:call_sla("CALL-1").elapsed_s, 5, "call back")
  eq(ctx:notice_sla("N-1").status, "MET", "notice back")
  eq(ctx:order_sla("F-1", "DISPATCH", T0 + 100).elapsed_s, 50, "T-2 from the stored call")
  ctx:compact()
  ctx:close()
  ctx = psvc.open_journal(path)
  eq(ctx:order_load("F-1"):event_count(), 1, "after compaction")
  eq(psvc.open():journal_report(), nil, "a memory context has no journal")
  ctx = nil
  collectgarbage()
  collectgarbage() -- the lock went with the collected context
  psvc.open_journal(path):close()
  os.remove(path)
  local mem = psvc.open()
  raises("EINVAL", mem.compact, mem)
end)

test("a store written in Lua: round trip, failures roll back, corrupt data", function()
  local jit_was = jit.status()
  local store = psvc.memory_store()
  local ctx = psvc.open(store)
  eq(psvc.callbacks_active(), 1, "one Lua store")
  eq(jit.status(), false, "the JIT is off while Lua callbacks are installed")
  assert(store.records[psvc.enums.RECORD.META].format, "a META record was written")
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0)
  ctx:order_apply("F-1", {action = "DISPATCH", at = T0 + 60, target = "crew-east"}, AGENT)
  assert(store.records[psvc.enums.RECORD.EVENT]["F-1/0000000000"], "the EVENT record")

  -- a failing put: EIO, the store rolled back, the context unchanged
  local put = store.put
  store.put = function() error("disk full") end
  local e = raises("EIO", ctx.order_apply, ctx, "F-1", {action = "RECEIVE", at = T0 + 120}, CREW)
  assert(e.message ~= "", e.message)
  eq(store.last_error:match("disk full") ~= nil, true, "the Lua error is kept")
  store.put = put
  eq(ctx:order_load("F-1"):state(), "DISPATCHED", "unchanged after EIO")
  eq(store.records[psvc.enums.RECORD.EVENT]["F-1/0000000001"], nil, "nothing stored")
  ctx:order_apply("F-1", {action = "RECEIVE", at = T0 + 120}, CREW)
  ctx:close()
  eq(psvc.callbacks_active(), 0, "callbacks released")
  eq(jit.status(), jit_was, "the JIT is back")

  -- reopen on the same records
  local closed = 0
  store.close = function() closed = closed + 1 end
  ctx = psvc.open(store)
  eq(ctx:order_load("F-1"):state(), "RECEIVED", "replayed from the Lua store")
  eq(ctx:customer_load("0100000001"):voltage(), 220, "customer back")
  ctx = nil
  collectgarbage()
  collectgarbage()
  eq(closed, 1, "a collected context closes its store")
  eq(psvc.callbacks_active(), 0, "callbacks released by the finalizer")

  -- corrupt data: ECORRUPT, and the store is closed
  store.records[psvc.enums.RECORD.CUSTOMER]["0100000001"] = "\1\2\255"
  e = raises("ECORRUPT", psvc.open, store)
  assert(e.message:find("0100000001", 1, true), e.message)
  eq(closed, 2, "closed when the open failed")
  eq(psvc.callbacks_active(), 0, "callbacks released after a failed open")
  raises("EINVAL", psvc.open, {begin = function() end})
end)

-- ---- memory -----------------------------------------------------------------------------------
test("a Lua allocator: counting, ENOMEM, ESTATE while objects live", function()
  collectgarbage()
  collectgarbage()
  local live, calls, fail = 0, 0, false
  local sizes = {}
  ffi.cdef[[
    void *malloc(size_t n);
    void *realloc(void *p, size_t n);
    void free(void *p);
  ]]
  psvc.set_allocator{
    malloc = function(n)
      calls = calls + 1
      if fail then
        return nil
      end
      live = live + 1
      return ffi.C.malloc(n)
    end,
    realloc = function(p, n)
      calls = calls + 1
      if fail then
        return nil
      end
      if p == nil then
        live = live + 1
      end
      return ffi.C.realloc(p, n)
    end,
    free = function(p)
      if p ~= nil then
        live = live - 1
      end
      ffi.C.free(p)
    end,
  }
  eq(psvc.callbacks_active(), 1, "the allocator's callbacks")
  local ctx = psvc.open()
  ctx:customer_add(wang())
  fault(ctx, "F-1", T0)
  local o = ctx:order_load("F-1")
  assert(calls > 0 and live > 0, "allocations went through Lua")
  raises("ESTATE", psvc.set_allocator, nil)
  fail = true
  local e = raises("ENOMEM", psvc.customer, "0100000002")
  assert(e.message ~= "", "ENOMEM message")
  raises("ENOMEM", ctx.customer_add, ctx, {id = "0100000002", name = "Li", relation = "DIRECT",
         tariff = "RESIDENTIAL", sources = "LV"})
  fail = false
  o:free()
  ctx:close()
  collectgarbage()
  collectgarbage()
  eq(live, 0, "every block freed")
  psvc.set_allocator(nil)
  eq(psvc.callbacks_active(), 0, "allocator callbacks released")
  raises("EINVAL", psvc.set_allocator, {malloc = function() end})
  eq(psvc.callbacks_active(), 0, "a refused allocator keeps no callbacks")
end)

test("handles are freed by the garbage collector", function()
  collectgarbage()
  collectgarbage()
  psvc.set_allocator(nil) -- OK: nothing of the library's is alive
  do
    local ctx = psvc.open()
    ctx:customer_add(wang())
    fault(ctx, "F-1", T0)
    local keep = {ctx, ctx:customer_load("0100000001"), ctx:order_load("F-1"),
                  psvc.calendar_parse(read_file(CALENDAR)), psvc.customer("x"):clone()}
    -- while they live, the library refuses to switch allocators
    local e = raises("ESTATE", psvc.set_allocator, nil)
    assert(e.message:find("alive", 1, true), e.message)
    for i = 1, 2000 do -- churn: nothing is freed by hand
      local c = psvc.customer("c" .. i, {name = "n" .. i})
      c:check(T0)
      ctx:order_load("F-1")
      ctx:customer_list()
      ctx:order_find{}
      ctx:report_json(NOV1, DEC1, T0)
      psvc.calendar(480)
      if i % 500 == 0 then
        collectgarbage()
      end
    end
    assert(#keep == 5)
  end
  collectgarbage()
  collectgarbage()
  psvc.set_allocator(nil) -- succeeds only if every block was freed
end)

-- ---- the README --------------------------------------------------------------------------------
test("the README's example runs and prints what the README says", function()
  local readme = read_file(README)
  local example = readme:match("\n## Example\n.-```lua\n(.-)```")
  local expected = readme:match("\n## Example\n.-```lua\n.-```.-```text\n(.-)```")
  assert(example and expected, "no example in " .. README)
  local out = {}
  local env = setmetatable({print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do
      parts[i] = tostring((select(i, ...)))
    end
    out[#out + 1] = table.concat(parts, "\t")
  end}, {__index = _G})
  local chunk = assert(loadstring(example, "=README.md example"))
  setfenv(chunk, env)
  chunk()
  eq(table.concat(out, "\n") .. "\n", expected, "the example's output")
end)

-- ---- run ------------------------------------------------------------------------------------
local failed = 0
local started = os.clock()
for i, t in ipairs(tests) do
  local ok, err = xpcall(t.fn, function(e)
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    print(string.format("ok   %2d  %s", i, t.name))
  else
    failed = failed + 1
    print(string.format("FAIL %2d  %s\n%s", i, t.name, err))
  end
  collectgarbage()
end
print(string.format("%d tests, %d passed, %d failed (%s, %s, %.2f s CPU)", #tests,
                    #tests - failed, failed, jit.version, psvc.library, os.clock() - started))
-- close = true: lua_close runs the finalizers of whatever is left, so that
-- under ASan LeakSanitizer reports only what the binding truly leaked
os.exit(failed == 0 and 0 or 1, true)
