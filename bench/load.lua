-- wrk script shared by every phase of bench/run.sh (so wrk's own per-request cost is the
-- same whether it drives /api/ping or purchases).
--
-- Env (read once per Lua state):
--   BENCH_MODE     ping | purchase
--   BENCH_SALE     sale id (purchase mode)
--   BENCH_TOKENS   file of buyer JWTs, one a line (purchase mode; bench/run.sh signs them with
--                  scripts/token.sh --subjects-from)
--   BENCH_THREADS  wrk's -t (purchase mode): how many slices the tokens are cut into
--   BENCH_ONCE     1: a scenario, not a rate (purchase mode): each thread sends every token of its
--                  slice exactly once and stops when all are answered; done() then also prints
--                  scenario_us (first request to last answer, over all threads) and scenario_rps.
--                  A connection asking for more after its thread's slice is spent gets a
--                  GET /api/ping (200, never a purchase answer), counted as "filler" only.
--
-- The buyer is the token's subject, so every purchase carries a DISTINCT buyer's token:
-- "Authorization: Bearer <token>", body {}. wrk runs one Lua interpreter per thread; thread t
-- (1-based) of T gets only lines t, t+T, t+2T... of the file, so threads never share a buyer.
-- The file is read once, by setup() in wrk's main interpreter before the first thread starts
-- (wrk starts each thread right after its setup() and init(), and times the run only once all
-- have started: slow per-thread work would let the first threads run unmeasured).
-- A thread that has used its whole slice starts it again (those buyers get 409
-- ALREADY_PURCHASED) and counts the requests as "reused". wrk calls request() once more in
-- the first thread to check the script, so that thread never sends its first token (and "sent"
-- counts one request more than were written). The ping stays unauthenticated.
-- Each thread keeps its own counters; done() collects them with thread:get() and prints one
-- machine-readable line:
--   BENCH_RESULT requests=.. sent=.. duration_us=.. rps=.. p50_us=.. p99_us=.. ... reused=.. s201=.. c_SOLD_OUT=..

local mode = os.getenv("BENCH_MODE") or "ping"
local sale = os.getenv("BENCH_SALE") or "0"
local tokens_file = os.getenv("BENCH_TOKENS")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "")

local once = os.getenv("BENCH_ONCE") == "1"
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } fs_timeval;
int gettimeofday(fs_timeval *tv, void *tz);
]]
local function now_us()
   local tv = ffi.new("fs_timeval")
   ffi.C.gettimeofday(tv, nil)
   return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end

local threads = {}
local thread_no = 0
local slices = nil -- main interpreter: slices[t] = { "Bearer <token>", ... } for thread t

local function fail(msg)
   io.stderr:write("load.lua: " .. msg .. "\n")
   os.exit(2)
end

-- slices of the tokens file: line n (blank lines ignored) goes to thread (n - 1) % T + 1
local function load_slices()
   if not tokens_file or tokens_file == "" then fail("BENCH_TOKENS is not set") end
   if not nthreads or nthreads < 1 then fail("BENCH_THREADS is not set") end
   local f, err = io.open(tokens_file, "r")
   if not f then fail("cannot read BENCH_TOKENS: " .. tostring(err)) end
   local s, n = {}, 0
   for t = 1, nthreads do s[t] = {} end
   for line in f:lines() do
      if line:byte(-1) == 13 then line = line:sub(1, -2) end
      if line ~= "" then
         local slice = s[n % nthreads + 1]
         slice[#slice + 1] = "Bearer " .. line
         n = n + 1
      end
   end
   f:close()
   if n < nthreads then fail(tokens_file .. " has " .. n .. " tokens, fewer than the " .. nthreads .. " threads") end
   return s
end

function setup(thread)
   thread_no = thread_no + 1
   thread:set("tid", thread_no)
   if mode == "purchase" then
      slices = slices or load_slices()
      if thread_no > nthreads then
         fail("thread " .. thread_no .. " of BENCH_THREADS=" .. nthreads .. ": wrk -t and BENCH_THREADS differ")
      end
      thread:set("auth", slices[thread_no]) -- copied into the thread's interpreter
   end
   table.insert(threads, thread)
end

function init(args)
   sent = 0      -- requests written (a request may be unanswered when wrk stops)
   answered = 0  -- responses read
   reused = 0    -- purchases whose buyer had already been used by this thread in this phase
   statuses = {} -- "s201" -> count
   codes = {}    -- "c_SOLD_OUT" -> count (error code of non-2xx bodies)
   filler = 0    -- BENCH_ONCE: pings sent after the slice was spent
   first_us = 0  -- BENCH_ONCE: when this thread sent its first request / got its last answer
   last_us = 0
   if mode == "purchase" then
      path = "/api/sales/" .. sale .. "/purchases"
      headers = { ["Content-Type"] = "application/json" }
      nauth = #auth -- set by setup()
   else
      path = "/api/ping"
      headers = {}
   end
end

function request()
   if once and tid == 1 and not checked then
      -- wrk's own check of the script (thread 1, before any connection): nothing is sent, so the
      -- token is not spent
      checked = true
      return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Authorization"] = auth[1] }, "{}")
   end
   if once and sent >= nauth then
      filler = filler + 1
      return wrk.format("GET", "/api/ping", {})
   end
   sent = sent + 1
   if once and first_us == 0 then first_us = now_us() end
   if mode == "purchase" then
      local i = sent
      if i > nauth then
         reused = reused + 1
         i = (i - 1) % nauth + 1
      end
      headers["Authorization"] = auth[i]
      return wrk.format("POST", path, headers, "{}")
   end
   return wrk.format("GET", path, headers)
end

function response(status, hdrs, body)
   if once and status == 200 then
      return -- a filler ping
   end
   answered = answered + 1
   if once and answered >= nauth then
      last_us = now_us()
      wrk.thread:stop()
   end
   local key = "s" .. status
   statuses[key] = (statuses[key] or 0) + 1
   if status >= 300 and body then
      local code = body:match('"code"%s*:%s*"([%w_]+)"') or "none"
      local ckey = "c_" .. code
      codes[ckey] = (codes[ckey] or 0) + 1
   end
end

function done(summary, latency, requests)
   local total = { sent = 0, answered = 0, reused = 0, filler = 0 }
   local first, last = nil, 0
   local st, cd = {}, {}
   for _, t in ipairs(threads) do
      total.sent = total.sent + (t:get("sent") or 0)
      total.answered = total.answered + (t:get("answered") or 0)
      total.reused = total.reused + (t:get("reused") or 0)
      total.filler = total.filler + (t:get("filler") or 0)
      local f, l = t:get("first_us") or 0, t:get("last_us") or 0
      if f > 0 and (first == nil or f < first) then first = f end
      if l > last then last = l end
      for k, v in pairs(t:get("statuses") or {}) do st[k] = (st[k] or 0) + v end
      for k, v in pairs(t:get("codes") or {}) do cd[k] = (cd[k] or 0) + v end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   local out = {
      "BENCH_RESULT",
      "requests=" .. summary.requests,
      "sent=" .. total.sent,
      "answered=" .. total.answered,
      "duration_us=" .. summary.duration,
      string.format("rps=%.1f", summary.requests / secs),
      "p50_us=" .. latency:percentile(50),
      "p99_us=" .. latency:percentile(99),
      "max_us=" .. latency.max,
      "err_connect=" .. e.connect,
      "err_read=" .. e.read,
      "err_write=" .. e.write,
      "err_timeout=" .. e.timeout,
      "reused=" .. total.reused,
   }
   if once then
      local us = (first and last > first) and (last - first) or 0
      table.insert(out, "filler=" .. total.filler)
      table.insert(out, "scenario_us=" .. us)
      table.insert(out, string.format("scenario_rps=%.1f", us > 0 and total.answered / (us / 1e6) or 0))
   end
   local keys = {}
   for k in pairs(st) do table.insert(keys, k) end
   for k in pairs(cd) do table.insert(keys, k) end
   table.sort(keys)
   for _, k in ipairs(keys) do
      table.insert(out, k .. "=" .. (st[k] or cd[k]))
   end
   io.write(table.concat(out, " ") .. "\n")
end
