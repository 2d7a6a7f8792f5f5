-- wrk script shared by every phase of bench/run.sh (so wrk's own per-request cost is the
-- same whether it drives /api/ping or purchases).
--
-- Env (read once per Lua state):
--   BENCH_MODE     ping | purchase
--   BENCH_SALE     sale id (purchase mode)
--   BENCH_TOKENS   file of buyer JWTs, one a line (purchase mode; bench/run.sh signs them with
--                  scripts/token.sh --subjects-from)
--   BENCH_THREADS  wrk's -t (purchase mode): how many slices the tokens are cut into
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
   sent = sent + 1
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
   answered = answered + 1
   local key = "s" .. status
   statuses[key] = (statuses[key] or 0) + 1
   if status >= 300 and body then
      local code = body:match('"code"%s*:%s*"([%w_]+)"') or "none"
      local ckey = "c_" .. code
      codes[ckey] = (codes[ckey] or 0) + 1
   end
end

function done(summary, latency, requests)
   local total = { sent = 0, answered = 0, reused = 0 }
   local st, cd = {}, {}
   for _, t in ipairs(threads) do
      total.sent = total.sent + (t:get("sent") or 0)
      total.answered = total.answered + (t:get("answered") or 0)
      total.reused = total.reused + (t:get("reused") or 0)
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
   local keys = {}
   for k in pairs(st) do table.insert(keys, k) end
   for k in pairs(cd) do table.insert(keys, k) end
   table.sort(keys)
   for _, k in ipairs(keys) do
      table.insert(out, k .. "=" .. (st[k] or cd[k]))
   end
   io.write(table.concat(out, " ") .. "\n")
end
