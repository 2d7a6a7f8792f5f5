-- wrk script shared by every phase of bench/run.sh (so wrk's own per-request cost is the
-- same whether it drives /api/ping or purchases).
--
-- Env (read once per Lua state):
--   BENCH_MODE   ping | purchase
--   BENCH_SALE   sale id (purchase mode)
--   BENCH_NONCE  run-unique prefix of buyer ids (purchase mode)
--
-- Every purchase uses a DISTINCT buyer: "<nonce>-<thread>-<counter>". wrk runs one Lua
-- interpreter per thread, so each thread keeps its own counters; done() collects them
-- with thread:get() and prints one machine-readable line:
--   BENCH_RESULT requests=.. sent=.. duration_us=.. rps=.. p50_us=.. p99_us=.. ... s201=.. c_SOLD_OUT=..

local mode = os.getenv("BENCH_MODE") or "ping"
local sale = os.getenv("BENCH_SALE") or "0"
local nonce = os.getenv("BENCH_NONCE") or "x"

local threads = {}
local thread_no = 0

function setup(thread)
   thread_no = thread_no + 1
   thread:set("tid", thread_no)
   table.insert(threads, thread)
end

function init(args)
   sent = 0      -- requests written (a request may be unanswered when wrk stops)
   answered = 0  -- responses read
   statuses = {} -- "s201" -> count
   codes = {}    -- "c_SOLD_OUT" -> count (error code of non-2xx bodies)
   if mode == "purchase" then
      path = "/api/sales/" .. sale .. "/purchases"
      headers = { ["Content-Type"] = "application/json" }
      prefix = '{"userId":"' .. nonce .. "-" .. tostring(tid) .. "-"
   else
      path = "/api/ping"
      headers = {}
   end
end

function request()
   sent = sent + 1
   if mode == "purchase" then
      return wrk.format("POST", path, headers, prefix .. sent .. '"}')
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
   local total = { sent = 0, answered = 0 }
   local st, cd = {}, {}
   for _, t in ipairs(threads) do
      total.sent = total.sent + (t:get("sent") or 0)
      total.answered = total.answered + (t:get("answered") or 0)
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
