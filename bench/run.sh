#!/usr/bin/env bash
# flashsale benchmark (NOT a test): starts the service, drives it with wrk and prints ONE report.
#
#   bench/run.sh                    clone this repo's committed HEAD to $BENCH_CLONE, build, bench
#   bench/run.sh --ref HEAD~1       same, for another commit
#   bench/run.sh --app-dir DIR      bench an already built target/quarkus-app directory
#
# Absolute numbers depend on the (shared, noisy) machine, so nothing fails on them: the report
# compares ratios measured in the same run against informational targets. Exit codes:
#   0  every invariant held      1  an invariant FAILED      2  setup/build/start failure
#
# Env (defaults):
#   BENCH_DURATION=10     seconds of load per measured phase
#   BENCH_WARMUP=20       seconds of each warm-up (ping, purchases, sold out) after every start: the
#                         JIT needs about that long before a purchase costs what it costs in steady state
#   BENCH_THREADS=2       wrk threads          BENCH_CONNECTIONS=64   wrk connections
#   BENCH_STOCK=5000000   stock of the "all succeed" sales
#   BENCH_PORT=8090       HTTP port of the service under test
#   BENCH_MANAGEMENT_PORT=9090  its management port (/q/health, /q/metrics)
#   BENCH_CONTESTED_STOCK=1000  BENCH_CONTESTED_BUYERS=10000   phase (e), the side-by-side scenario:
#                         every buyer asks twice at once (one request per wrk thread), each request once
#   BENCH_CONTESTED_MAX=20   upper bound in seconds for phase (e) (wrk waits that long in any case)
#   BENCH_HISTORY_ROWS=5000000   archived orders loaded into orders_history before phase (h)
#                         (0 skips the phase; needs MariaDB's sequence engine)
#   BENCH_CEILING_ROWS=50000     orders (+ as many outbox rows) of the database ceiling
#   BENCH_JFR=1           record phase (b) with JFR and print its hottest frames (slightly slower)
#   BENCH_BUYERS          buyer tokens signed for the run (default 15000 per second of a phase or
#                         6000 per second of a warm-up, whichever is more, at least 60000): every purchase phase starts again from
#                         the first buyer on its own sale, so this must cover one phase; ~5k req/s
#                         for 10 s needs 50,000. When a phase needs more, its buyers wrap around (a
#                         buyer asking again gets 409 ALREADY_PURCHASED) and the report says so.
#   BENCH_DB=flashsale_bench   database, DROPPED and re-created on every run (never the dev db)
#   BENCH_REDIS_DB=2      Redis logical database, FLUSHED on every run (dev uses 0, tests 1)
#   BENCH_CLONE=/tmp/flashsale-bench   throwaway clone used for the build
#   BENCH_TOPIC=flashsale-bench.order-events   Kafka topic of the outbox relay and stats consumer
#                         (own topic and consumer group: never mixes with dev/test events)
#   MARIADB_ROOT_ARGS="-h127.0.0.1 -uroot"   client args able to create $BENCH_DB
#   JAVA_OPTS             extra JVM options for the service
#   FLASHSALE_JWT_ISSUER=https://flashsale.local   issuer of the bench tokens, also given to the
#                         service as MP_JWT_VERIFY_ISSUER
#   FLASHSALE_JWT_TTL=14400   lifetime of the bench tokens in seconds (signed before the first start)
#   BENCH_CLUSTER=1       also run phase (k) at the end: the all-succeed purchases on the local Redis
#                         Cluster (scripts/services.sh up --redis-cluster, 127.0.0.1:7000-7005, replica
#                         acks 1 as scripts/run.sh --redis-cluster), on a 1-bucket then a 3-bucket sale,
#                         with each master's commands/s and CPU (from /proc); BENCH_CLUSTER=only runs
#                         (k) alone (no single-node phases)
# Every /api call but the ping carries a bearer token signed by scripts/token.sh with the dev key
# pair of this checkout (.run/jwt/, created if missing); the service verifies them with
# MP_JWT_VERIFY_PUBLICKEY_LOCATION=<this checkout>/.run/jwt/public.pem. wrk is thousands of buyers
# behind one address, so the per-address purchase limit is lifted for the run (the per-buyer one
# stays: each bench buyer asks once). Sales are created with an
# operator token, each purchase carries a token of its own buyer (role buyer, body {}).
# FLASHSALE_* variables set by the caller reach the batched instance unchanged; the baseline
# instance always gets FLASHSALE_ORDER_BATCH_MAX_SIZE=1 and FLASHSALE_ORDER_BATCH_WRITERS=24.
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
LUA="$BENCH_DIR/load.lua"

DURATION="${BENCH_DURATION:-10}"; DURATION="${DURATION%s}"
WARMUP="${BENCH_WARMUP:-20}"; WARMUP="${WARMUP%s}"
# Purchases are taken by api instances in production (jobs and consumers run on workers), so the
# service under test runs the api role unless FLASHSALE_ROLE says otherwise.
ROLE="${FLASHSALE_ROLE:-api}"
THREADS="${BENCH_THREADS:-2}"
CONNS="${BENCH_CONNECTIONS:-64}"
STOCK="${BENCH_STOCK:-5000000}"
PORT="${BENCH_PORT:-8090}"
MANAGEMENT_PORT="${BENCH_MANAGEMENT_PORT:-9090}"
DB="${BENCH_DB:-flashsale_bench}"
REDIS_DB="${BENCH_REDIS_DB:-2}"
CLONE="${BENCH_CLONE:-/tmp/flashsale-bench}"
TOPIC="${BENCH_TOPIC:-flashsale-bench.order-events}"
read -r -a DB_ROOT <<<"${MARIADB_ROOT_ARGS:--h127.0.0.1 -uroot}"
BASE_URL="http://127.0.0.1:$PORT"
MANAGEMENT_URL="http://127.0.0.1:$MANAGEMENT_PORT"
CONTESTED_STOCK="${BENCH_CONTESTED_STOCK:-1000}"
CONTESTED_BUYERS="${BENCH_CONTESTED_BUYERS:-10000}"
CONTESTED_MAX="${BENCH_CONTESTED_MAX:-20}"
HISTORY_ROWS="${BENCH_HISTORY_ROWS:-5000000}"
CEILING_ROWS="${BENCH_CEILING_ROWS:-50000}"
WRK_TIMEOUT=30s   # far above any expected latency: a wrk timeout would hide a committed order
LONGEST=$((DURATION > WARMUP ? DURATION : WARMUP))
# the sold-out phase (c) answers up to ~15,000 new buyers a second: its tokens must not run out
NEED=$((15000 * DURATION > 6000 * LONGEST ? 15000 * DURATION : 6000 * LONGEST))
BUYERS="${BENCH_BUYERS:-$((NEED > 60000 ? NEED : 60000))}"
[[ "$BUYERS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_BUYERS must be a positive number" >&2; exit 2; }
ISSUER="${FLASHSALE_JWT_ISSUER:-https://flashsale.local}"
TOKEN_TTL="${FLASHSALE_JWT_TTL:-14400}"   # outlives any run
JWT_PUBLIC_KEY="$REPO_DIR/.run/jwt/public.pem"

APP_DIR=""
REF="HEAD"
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --app-dir) APP_DIR="${2:?--app-dir needs a directory}"; shift 2 ;;
    --ref) REF="${2:?--ref needs a git ref}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

LOG_DIR="$(mktemp -d /tmp/flashsale-bench-logs.XXXXXX)"
say() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 2; }

# ------------------------------------------------------------------ progress

# with_progress LABEL CMD...: run CMD in the foreground while a background ticker says
# "LABEL (N s)" every PROGRESS_EVERY seconds; returns CMD's status. Same scheme as
# scripts/services.sh: the ticker ends by itself if this script dies, and its sleep writes
# nowhere so that it never holds a caller's pipe open.
PROGRESS_EVERY=5
PROGRESS_PID=""
progress_start() {
  local label="$1" t0=$SECONDS
  progress_stop
  (
    exec </dev/null
    next=$PROGRESS_EVERY
    while kill -0 "$$" 2>/dev/null; do
      sleep 1 >/dev/null 2>&1
      if ((SECONDS - t0 >= next)); then say "$label ($((SECONDS - t0)) s)"; next=$((next + PROGRESS_EVERY)); fi
    done
  ) &
  PROGRESS_PID=$!
}
progress_stop() {
  [[ -n "$PROGRESS_PID" ]] || return 0
  kill "$PROGRESS_PID" 2>/dev/null
  wait "$PROGRESS_PID" 2>/dev/null
  PROGRESS_PID=""
}
with_progress() {
  local label="$1" rc=0; shift
  progress_start "$label"
  "$@" || rc=$?
  progress_stop
  return "$rc"
}

# ------------------------------------------------------------------ service lifecycle

SERVICE_PID=""
# shellcheck disable=SC2317  # called through with_progress
wait_gone() { # wait_gone PID SECONDS
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do ((SECONDS < deadline)) || return 1; sleep 0.5; done
}
stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  if kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill "$SERVICE_PID" 2>/dev/null
    if ! with_progress "service pid $SERVICE_PID: waiting for it to exit" wait_gone "$SERVICE_PID" 30; then
      say "service pid $SERVICE_PID ignored SIGTERM for 30s, killing it"
      kill -9 "$SERVICE_PID" 2>/dev/null
    fi
  fi
  wait "$SERVICE_PID" 2>/dev/null
  SERVICE_PID=""
}
# the buyer tokens (tens of MB, valid for hours) are not kept with the logs
trap 'progress_stop; stop_service; rm -f "${TOKENS:-}" "${TOKENS:+$TOKENS.all}" "${SUBJECTS:-}"' EXIT
trap 'exit 130' INT TERM

# start_service NAME [VAR=value ...]: run the app in the background, wait for /q/health/live.
start_service() {
  local name="$1"; shift
  local log="$LOG_DIR/service-$name.log"
  port_busy "$PORT" && die "port $PORT is already in use (set BENCH_PORT)"
  port_busy "$MANAGEMENT_PORT" && die "port $MANAGEMENT_PORT is already in use (set BENCH_MANAGEMENT_PORT)"
  # a simple command (env execs java), so $! is the JVM itself
  env -C "$LOG_DIR" QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_PORT="$MANAGEMENT_PORT" QUARKUS_LOG_CONSOLE_LEVEL=WARN \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:$DB_KIND://127.0.0.1:3306/$DB" \
    QUARKUS_REDIS_HOSTS="redis://127.0.0.1:6379/$REDIS_DB" \
    FLASHSALE_ROLE="$ROLE" \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION="$JWT_PUBLIC_KEY" MP_JWT_VERIFY_ISSUER="$ISSUER" \
    FLASHSALE_API_CLIENT_RATE=1000000 FLASHSALE_API_CLIENT_BURST=1000000 \
    FLASHSALE_OUTBOX_TOPIC="$TOPIC" \
    FLASHSALE_SALE_EVENTS_CHANNEL="flashsale-bench:sale-events" \
    MP_MESSAGING_INCOMING_SALE_STATS_TOPIC="$TOPIC" \
    MP_MESSAGING_INCOMING_SALE_STATS_GROUP_ID="flashsale-bench-sale-stats" \
    MP_MESSAGING_OUTGOING_SALE_STATS_DLQ_TOPIC="$TOPIC.dlq" \
    "$@" java ${JAVA_OPTS:-} -jar "$APP_DIR/quarkus-run.jar" >"$log" 2>&1 &
  SERVICE_PID=$!
  local t0=$SECONDS
  with_progress "service ($name): waiting for /q/health/live" wait_live "$name" "$log"
  say "service ($name) live in $((SECONDS - t0)) s, pid $SERVICE_PID, log $log"
}

# shellcheck disable=SC2317  # called through with_progress
wait_live() { # wait_live NAME LOG
  local deadline=$((SECONDS + 120))
  until curl -sf -o /dev/null "$MANAGEMENT_URL/q/health/live"; do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      tail -n 40 "$2" >&2; die "service ($1) exited during startup; log: $2"
    fi
    ((SECONDS < deadline)) || { tail -n 40 "$2" >&2; die "service ($1) not live after 120s; log: $2"; }
    sleep 0.5
  done
}

port_busy() { timeout 1 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# ------------------------------------------------------------------ data helpers

sql() { MYSQL_PWD=flashsale "$MYSQL" -h127.0.0.1 -uflashsale "$DB" -N -B -e "$1"; }
redis_stock() { redis-cli -n "$REDIS_DB" --raw GET "fs:{sale:$1}:stock"; }

# commands processed by the whole Redis server so far (other clients included)
redis_commands() { redis-cli INFO stats | tr -d '\r' | awk -F: '$1 == "total_commands_processed" { print $2 }'; }

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# create_sale VAR STOCK [BUCKETS]: creates a sale starting now, stores its id in VAR
create_sale() {
  local now body out id
  now=$(date -u +%s)
  # "buckets" only when asked for: an older commit (--ref) refuses the unknown field
  body=$(printf '{"sku":"B1","title":"bench","priceCents":100,"stock":%s%s,"startsAt":"%s","endsAt":"%s"}' \
    "$2" "${3:+,\"buckets\":$3}" "$(iso $((now - 1)))" "$(iso $((now + 3600)))")
  out=$(curl -s -w '\n%{http_code}' -X POST "$BASE_URL/api/sales" -H "Authorization: Bearer $OPERATOR_TOKEN" \
    -H 'Content-Type: application/json' -d "$body")
  [[ "${out##*$'\n'}" == 201 ]] || die "creating a sale failed: $out"
  id=$(grep -o '"id":[0-9]*' <<<"$out" | head -1 | cut -d: -f2)
  [[ -n "$id" ]] || die "no id in the created sale: $out"
  printf -v "$1" '%s' "$id"
}

# buy SALE BUYER -> prints the HTTP status; BUYER is one of SETUP_BUYERS (its token is the buyer)
buy() {
  curl -s -o "$LOG_DIR/last-buy.json" -w '%{http_code}' -X POST "$BASE_URL/api/sales/$1/purchases" \
    -H "Authorization: Bearer ${SETUP_TOKENS[$2]:?no token for buyer $2}" \
    -H 'Content-Type: application/json' -d '{}'
}

# Wait until the sale's order rows and Redis stock stop moving (requests wrk abandoned at the
# end of a phase may still be committing), so the invariants compare a quiescent state.
settle() {
  local prev="" cur deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    cur="$(sql "select count(*) from orders where sale_id=$1")/$(redis_stock "$1")"
    [[ "$cur" == "$prev" ]] && return 0
    prev="$cur"; sleep 1
  done
  say "sale $1 still changing after 30s ($cur)"
}

# ------------------------------------------------------------------ wrk

# run_wrk LABEL MODE SALE SECONDS: results end up in $LOG_DIR/LABEL.result (key=value lines)
run_wrk() {
  local label="$1" mode="$2" sale="$3" secs="$4"
  local out="$LOG_DIR/wrk-$label.txt" cpu0
  cpu0=$(proc_ticks "$SERVICE_PID")
  local TIMEFORMAT='%U %S' rc # bash's time: wrk's own CPU seconds (user, system)
  { time BENCH_MODE="$mode" BENCH_SALE="$sale" BENCH_TOKENS="$TOKENS" BENCH_THREADS="$THREADS" BENCH_ONCE="${ONCE:-0}" \
    wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout "$WRK_TIMEOUT" --latency -s "$LUA" "$BASE_URL" >"$out" 2>&1; } \
    2>"$LOG_DIR/wrk-$label.cpu"
  rc=$?
  grep '^BENCH_RESULT' "$out" | tr ' ' '\n' | grep '=' >"$LOG_DIR/$label.result"
  # the service's CPU time per answer: hardly affected by what else runs on the machine
  awk -v t="$(( $(proc_ticks "$SERVICE_PID") - cpu0 ))" -v hz="$(getconf CLK_TCK)" -F= '$1 == "requests" { n = $2 }
    END { printf "svc_cpu_us=%.0f\n", (n > 0 ? t / hz * 1e6 / n : 0) }' "$LOG_DIR/$label.result" >>"$LOG_DIR/$label.result"
  awk '{ printf "wrk_cpu_s=%.2f\n", $1 + $2 }' "$LOG_DIR/wrk-$label.cpu" >>"$LOG_DIR/$label.result"
  if ((rc != 0)) || [[ ! -s "$LOG_DIR/$label.result" ]]; then
    cat "$out" >&2; die "wrk failed in phase $label"
  fi
  local reused
  reused=$(res "$label" reused)
  if [[ "$mode" == purchase ]] && ((reused > 0)); then
    say "phase $label: the $BUYERS buyer tokens ran out: $reused purchases reused a buyer (409 ALREADY_PURCHASED unless sold out; raise BENCH_BUYERS)"
  fi
}

# res LABEL KEY [DEFAULT]
res() {
  local v
  v=$(grep -m1 "^$2=" "$LOG_DIR/$1.result" 2>/dev/null | cut -d= -f2)
  echo "${v:-${3:-0}}"
}
# sum of the counts of statuses matching a regex, e.g. res_status b '5..'
res_status() { grep -E "^s($2)=" "$LOG_DIR/$1.result" | cut -d= -f2 | awk '{s+=$1} END {print s+0}'; }
res_answers() { grep -E '^(s[0-9]+|c_[A-Za-z_]+)=' "$LOG_DIR/$1.result" | tr '\n' ' ' | sed 's/ $//'; }

warm_up() {
  say "warm-up ${WARMUP}s ping, ${WARMUP}s purchases${1:+, ${WARMUP}s sold out}"
  run_wrk "warm-ping-$SERVICE_NAME" ping 0 "$WARMUP"
  local s
  create_sale s "$STOCK"
  run_wrk "warm-buy-$SERVICE_NAME" purchase "$s" "$WARMUP"
  if [[ -n "${1:-}" ]]; then
    create_sale s 1
    buy "$s" warm-first >/dev/null
    run_wrk "warm-soldout-$SERVICE_NAME" purchase "$s" "$WARMUP"
  fi
}

# ------------------------------------------------------------------ CPU split

# CPU ticks (user + system) a process has used so far; 0 when it is gone or unknown
proc_ticks() { [[ -n "${1:-}" && -r /proc/$1/stat ]] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# busy ticks of the whole machine (every core), and the ticks of this shell's finished children (wrk)
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
CPU_PIDS=()
cpu_snapshot() { # cpu_snapshot VAR: "wall machine service mariadb redis kafka"
  local snap
  snap="$(date +%s%N) $(machine_ticks)"
  for pid in "${CPU_PIDS[@]}"; do snap+=" $(proc_ticks "$pid")"; done
  printf -v "$1" '%s' "$snap"
}
# cpu_split BEFORE AFTER: "service 95% mariadb 30% ..." as shares of ONE core (2 cores = 200 %)
cpu_split() {
  awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v names="machine service MariaDB Redis Kafka" 'BEGIN {
    n = split(a, x, " "); split(b, y, " "); split(names, nm, " ")
    secs = (y[1] - x[1]) / 1e9
    for (i = 2; i <= n; i++) printf "%s %.0f%%  ", nm[i - 1], 100 * (y[i] - x[i]) / hz / secs
  }'
}

# ------------------------------------------------------------------ ceilings (no HTTP)

# The database alone: CEILING_ROWS orders and as many outbox rows, in transactions of 500 + 500
# multi-row inserts (the batched writer's statement shape), from the mariadb client.
db_ceiling() {
  local sqlfile="$LOG_DIR/db-ceiling.sql" t0 t1
  awk -v n="$CEILING_ROWS" -v base="$(( $(date +%s) * 1000000 ))" -v q="'" 'BEGIN {
    now = "UTC_TIMESTAMP(6)"
    for (i = 0; i < n; i += 500) {
      o = "INSERT INTO orders (id, sale_id, user_id, status, amount_cents, created_at, pay_by, updated_at) VALUES "
      e = "INSERT INTO outbox_events (event_id, aggregate_id, event_type, payload, status, next_attempt_at, created_at) VALUES "
      for (j = i; j < i + 500 && j < n; j++) {
        sep = (j == i) ? "" : ","
        id = base + j
        o = o sep "(" id ",1," q "ceiling-" j q "," q "PENDING_PAYMENT" q ",100," now "," now "," now ")"
        e = e sep "(" q sprintf("ce%06d-0000-4000-8000-%012d", j % 1000000, j) q "," id "," q "order.created" q "," \
          q "{\"orderId\":\"" id "\",\"saleId\":1,\"userId\":\"ceiling-" j "\",\"status\":\"PENDING_PAYMENT\",\"amountCents\":100}" q \
          "," q "PUBLISHED" q "," now "," now ")"
      }
      print "START TRANSACTION;"; print o ";"; print e ";"; print "COMMIT;"
    }
  }' >"$sqlfile"
  t0=$(date +%s%N)
  MYSQL_PWD=flashsale "$MYSQL" -h127.0.0.1 -uflashsale "$DB" <"$sqlfile" >"$LOG_DIR/db-ceiling.log" 2>&1 || { echo 0; return; }
  t1=$(date +%s%N)
  awk -v n="$CEILING_ROWS" -v ns="$((t1 - t0))" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'
  sql "delete from outbox_events where event_id like 'ce%-0000-4000-8000-%'; delete from orders where sale_id = 1" >/dev/null
}

# Redis alone: redis-benchmark calling purchase.lua (EVALSHA) with random buyers on a primed sale.
redis_ceiling() {
  local sale="$1" sha k="fs:{sale:$1}"
  sha=$(redis-cli -n "$REDIS_DB" SCRIPT LOAD "$(unzip -p "$APP_DIR"/app/*.jar lua/purchase.lua)")
  redis-benchmark -h 127.0.0.1 -p 6379 --dbnum "$REDIS_DB" -n 200000 -c 50 -r 100000000 -q \
    EVALSHA "$sha" 7 "$k:meta" "$k:stock" "$k:buyers" "$k:reservations" "$k:waitlist" "$k:promoted" "$k:voided" \
    "ceiling-__rand_int__" "__rand_int__" "$sale" "flashsale-bench:ceiling" 0 100 2>/dev/null |
    tr '\r' '\n' | awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) v = $i } END { printf "%.0f", v }'
}

# ------------------------------------------------------------------ invariants

INVARIANTS=()
FAILED=0
ORPHANS_TOTAL=0
check() { # check PHASE NAME CONDITION(0/1) DETAIL
  local verdict=PASS
  if [[ "$3" != 1 ]]; then verdict=FAIL; FAILED=1; fi
  INVARIANTS+=("$(printf '  %-4s %-38s %-4s  %s' "$1" "$2" "$verdict" "$4")")
}

# check_sale PHASE LABEL SALE STOCK EXTRA_201: EXTRA_201 = orders created outside wrk (setup buys)
check_sale() {
  local phase="$1" label="$2" sale="$3" stock="$4" extra="$5"
  settle "$sale"
  local rows distinct active avail s201 s5xx unanswered
  read -r rows distinct active < <(sql "select count(*), count(distinct user_id),
      coalesce(sum(status in ('PENDING_PAYMENT','PAID')),0) from orders where sale_id=$sale")
  avail=$(redis_stock "$sale")
  s201=$(( $(res "$label" s201) + extra ))
  s5xx=$(res_status "$label" '5[0-9][0-9]')
  unanswered=$(( $(res "$label" sent) - $(res "$label" answered) ))
  [[ "$avail" =~ ^-?[0-9]+$ ]] || avail="missing"
  local ok
  ok=0; [[ "$avail" != missing ]] && ((active <= stock && avail >= 0)) && ok=1
  check "$phase" "1 no oversell" $ok "active orders $active <= stock $stock, redis available $avail >= 0"
  ok=0; ((rows == distinct)) && ok=1
  check "$phase" "2 one active order per buyer" $ok "orders $rows, distinct buyers $distinct"
  # A Redis reservation without an order row is a unit taken from stock that no order accounts
  # for (e.g. a purchase abandoned between the Redis reservation and the order write).
  local orphans
  orphans=$(comm -23 <(redis-cli -n "$REDIS_DB" --raw HKEYS "fs:{sale:$sale}:reservations" | sort) \
    <(sql "select id from orders where sale_id=$sale" | sort) | grep -c .)
  ok=0; [[ "$avail" != missing ]] && ((avail + active == stock)) && ok=1
  check "$phase" "3 conservation" $ok "redis available $avail + active $active = $((${avail/missing/0} + active)) vs stock $stock; $orphans Redis reservations without an order row"
  ORPHANS_TOTAL=$((ORPHANS_TOTAL + orphans))
  ok=0; ((s5xx == 0)) && ok=1
  check "$phase" "4a no 5xx answers" $ok "5xx answers: $s5xx"
  # wrk stops with up to one request per connection unanswered; the service may still have
  # committed those, so rows may exceed the 201s by at most the unanswered count.
  ok=0; ((rows >= s201 && rows <= s201 + unanswered)) && ok=1
  check "$phase" "4b every 201 has an order row" $ok \
    "201s $s201, order rows $rows (+$((rows - s201)) from $unanswered requests unanswered at wrk stop)"
  SALE_ROWS="$rows"
}

# ------------------------------------------------------------------ preflight

for tool in java git curl redis-cli awk; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
MYSQL=$(command -v mariadb || command -v mysql) || die "the mariadb (or mysql) client is required"
if ! command -v wrk >/dev/null; then
  say "installing wrk"
  SUDO=(); ((EUID == 0)) || SUDO=(sudo)
  # shellcheck disable=SC2317  # called through with_progress
  install_wrk() {
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
      { "${SUDO[@]}" apt-get update -qq >/dev/null && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  }
  with_progress "installing wrk with apt-get" install_wrk || die "could not install wrk"
fi
if ! redis-cli ping >/dev/null 2>&1 || ! "$MYSQL" "${DB_ROOT[@]}" -e 'select 1' >/dev/null 2>&1 ||
   ! port_busy 9092; then
  say "Redis/MariaDB/Kafka not all answering: running scripts/services.sh up"
  "$REPO_DIR/scripts/services.sh" up >&2 || say "scripts/services.sh up failed"
  redis-cli ping >/dev/null 2>&1 && "$MYSQL" "${DB_ROOT[@]}" -e 'select 1' >/dev/null 2>&1 ||
    die "Redis and MariaDB are required"
fi
KAFKA_STATE=up; port_busy 9092 || KAFKA_STATE="DOWN (the outbox relay cannot publish; expect Kafka WARN lines)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# Cost of one synchronous 4 KiB write: what a commit's fsync costs on this disk (it decides how
# much batching commits can win over one transaction per order).
FSYNC_MS=$(dd if=/dev/zero of="$LOG_DIR/fsync-probe" bs=4k count=200 oflag=dsync 2>&1 |
  awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") printf "%.2f", $(i - 1) * 1000 / 200 }')
rm -f "$LOG_DIR/fsync-probe"

# ------------------------------------------------------------------ build

COMMIT="(prebuilt)"
if [[ -z "$APP_DIR" ]]; then
  say "cloning $REPO_DIR ($REF) into $CLONE and building (log $LOG_DIR/build.log)"
  rm -rf "$CLONE" && git clone -q "$REPO_DIR" "$CLONE" && git -C "$CLONE" checkout -q "$REF" ||
    die "could not clone $REPO_DIR at $REF"
  COMMIT=$(git -C "$CLONE" log -1 --format='%h %s' | cut -c1-70)
  # shellcheck disable=SC2317  # called through with_progress
  build() { (cd "$CLONE" && exec ./mvnw -B -q package -DskipTests) >"$LOG_DIR/build.log" 2>&1; }
  BUILD_T0=$SECONDS
  PROGRESS_EVERY=15 with_progress "building with ./mvnw package -DskipTests" build ||
    { tail -n 40 "$LOG_DIR/build.log" >&2; die "build failed (try --ref HEAD~1); log: $LOG_DIR/build.log"; }
  say "built in $((SECONDS - BUILD_T0)) s"
  APP_DIR="$CLONE/target/quarkus-app"
fi
APP_DIR="$(cd "$APP_DIR" 2>/dev/null && pwd)" || die "no such app dir"
[[ -f "$APP_DIR/quarkus-run.jar" ]] || die "$APP_DIR/quarkus-run.jar not found"
if ls "$APP_DIR"/lib/main 2>/dev/null | grep -q mysql-connector; then DB_KIND=mysql; else DB_KIND=mariadb; fi

# ------------------------------------------------------------------ fresh bench database + Redis db

say "re-creating database $DB and flushing Redis db $REDIS_DB"
"$MYSQL" "${DB_ROOT[@]}" -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\`;
  GRANT ALL PRIVILEGES ON \`$DB\`.* TO 'flashsale'@'%';
  GRANT ALL PRIVILEGES ON \`$DB\`.* TO 'flashsale'@'localhost';
  GRANT ALL PRIVILEGES ON \`$DB\`.* TO 'flashsale'@'127.0.0.1';" ||
  die "cannot create database $DB as root (set MARIADB_ROOT_ARGS)"
redis-cli -n "$REDIS_DB" FLUSHDB >/dev/null || die "cannot flush Redis db $REDIS_DB"
DB_FSYNC=$("$MYSQL" "${DB_ROOT[@]}" -N -B -e 'select @@innodb_flush_log_at_trx_commit' 2>/dev/null)
NONCE="r$(date +%s)"

# ------------------------------------------------------------------ bearer tokens

# One file of buyer tokens for every purchase phase: each phase has its own sale, so a buyer may
# buy once in each. load.lua gives wrk thread t lines t, t+T, t+2T... (T threads): no two
# requests of a phase share a buyer until a thread has used up its slice.
SUBJECTS="$LOG_DIR/buyers.txt"
TOKENS="$LOG_DIR/buyer-tokens.txt"
SETUP_BUYERS=(warm-first "${NONCE}first" "${NONCE}second")   # the purchases made with curl
declare -A SETUP_TOKENS=()
# shellcheck disable=SC2317  # called through with_progress
token_sh() { FLASHSALE_JWT_ISSUER="$ISSUER" FLASHSALE_JWT_TTL="$TOKEN_TTL" "$REPO_DIR/scripts/token.sh" "$@"; }
# shellcheck disable=SC2317  # called through with_progress
sign_tokens() {
  OPERATOR_TOKEN=$(token_sh bench-operator operator) || return 1
  { seq -f "${NONCE}-%.0f" 1 "$BUYERS"; printf '%s\n' "${SETUP_BUYERS[@]}"; } >"$SUBJECTS"
  token_sh --subjects-from "$SUBJECTS" buyer >"$TOKENS.all" || return 1
}
TOKENS_T0=$SECONDS
with_progress "signing $BUYERS buyer tokens (scripts/token.sh --subjects-from)" sign_tokens ||
  die "could not sign the bench tokens with scripts/token.sh"
(( $(wc -l <"$TOKENS.all") == BUYERS + ${#SETUP_BUYERS[@]} )) || die "scripts/token.sh printed $(wc -l <"$TOKENS.all") tokens, expected $((BUYERS + ${#SETUP_BUYERS[@]}))"
head -n "$BUYERS" "$TOKENS.all" >"$TOKENS"
mapfile -t SETUP_TOKEN_LINES < <(tail -n "${#SETUP_BUYERS[@]}" "$TOKENS.all")
for i in "${!SETUP_BUYERS[@]}"; do SETUP_TOKENS[${SETUP_BUYERS[$i]}]="${SETUP_TOKEN_LINES[$i]}"; done
rm -f "$TOKENS.all"
say "signed $BUYERS buyer tokens ($TOKENS) and an operator token in $((SECONDS - TOKENS_T0)) s"

# ------------------------------------------------------------------ phase k: Redis Cluster, stock buckets

CLUSTER_PORTS=(7000 7001 7002 7003 7004 7005)
CLUSTER_REPORT=""
cluster_hosts() { local h="" p; for p in "${CLUSTER_PORTS[@]}"; do h+="${h:+,}redis://127.0.0.1:$p"; done; echo "$h"; }
# the masters now, as "port pid" lines (a failover may have moved them since the cluster was made)
cluster_masters() {
  redis-cli -p "${CLUSTER_PORTS[0]}" CLUSTER NODES | awk '$3 ~ /master/ && $3 !~ /fail/ { split($2, a, "[:@]"); print a[2] }' |
    sort -n | while read -r port; do
      echo "$port $(redis-cli -p "$port" INFO server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')"
    done
}
master_cmds() { redis-cli -p "$1" INFO stats | tr -d '\r' | awk -F: '$1 == "total_commands_processed" { print $2 }'; }
# the sale page's figures (it sums the buckets): "available reserved"
page_figures() {
  sleep 1.2 # the page is cached for 1 s
  curl -s "$BASE_URL/api/sales/$1" | tr ',' '\n' | awk -F: '/"available"/ { a = $2 } /"reserved"/ { r = $2 } END { print a + 0, r + 0 }'
}
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
secs() { awk -v us="$(res "$1" duration_us 1)" 'BEGIN { printf "%.3f", us / 1e6 }'; }
per_sec() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

# cluster_sub LABEL BUCKETS: the all-succeed load on a fresh sale of BUCKETS buckets; appends its
# report lines (req/s, then per master: commands/s, CPU % of one core, share of the masters' CPU)
cluster_sub() {
  local label="$1" buckets="$2" sale masters=() t0 t1 c0=() c1=() m0=() m1=() i port pid
  create_sale sale "$STOCK" "$buckets"
  mapfile -t masters < <(cluster_masters)
  for i in "${!masters[@]}"; do
    read -r port pid <<<"${masters[$i]}"
    c0[i]=$(proc_ticks "$pid"); m0[i]=$(master_cmds "$port")
  done
  t0=$(date +%s%N)
  run_wrk "$label" purchase "$sale" "$DURATION"
  t1=$(date +%s%N)
  for i in "${!masters[@]}"; do
    read -r port pid <<<"${masters[$i]}"
    c1[i]=$(proc_ticks "$pid"); m1[i]=$(master_cmds "$port")
  done
  # invariants: one order per buyer, no 5xx, and (once settled) page available + active = stock
  local rows distinct active avail reserved s5xx ok prev="" cur deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    cur=$(sql "select count(*) from orders where sale_id=$sale")
    [[ "$cur" == "$prev" ]] && break
    prev="$cur"; sleep 1
  done
  read -r rows distinct active < <(sql "select count(*), count(distinct user_id),
      coalesce(sum(status in ('PENDING_PAYMENT','PAID')),0) from orders where sale_id=$sale")
  read -r avail reserved < <(page_figures "$sale")
  s5xx=$(res_status "$label" '5[0-9][0-9]')
  ok=0; ((rows == distinct)) && ok=1
  check "(k)" "2 one order per buyer, $buckets bucket(s)" $ok "orders $rows, distinct buyers $distinct"
  ok=0; ((avail + active == STOCK && reserved == active)) && ok=1
  check "(k)" "3 conservation, $buckets bucket(s)" $ok "page available $avail + active $active vs stock $STOCK; reserved $reserved"
  ok=0; ((s5xx == 0)) && ok=1
  check "(k)" "4a no 5xx answers, $buckets bucket(s)" $ok "5xx answers: $s5xx"
  CLUSTER_REPORT+="$(printf '  %-26s %7.0f req/s  p50 %s ms  p99 %s ms  %s orders/s  service %s us CPU/req' \
    "$buckets bucket(s), sale $sale" "$(res "$label" rps)" "$(ms "$(res "$label" p50_us)")" "$(ms "$(res "$label" p99_us)")" \
    "$(per_sec "$rows" "$(secs "$label")")" "$(res "$label" svc_cpu_us)")"$'\n'
  CLUSTER_REPORT+="$(awk -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" -v ports="$(printf '%s ' "${masters[@]%% *}")" \
    -v c0="${c0[*]}" -v c1="${c1[*]}" -v m0="${m0[*]}" -v m1="${m1[*]}" 'BEGIN {
      n = split(ports, p, " "); split(c0, a, " "); split(c1, b, " "); split(m0, x, " "); split(m1, y, " ")
      secs = (t1 - t0) / 1e9; total = 0
      for (i = 1; i <= n; i++) { cpu[i] = (b[i] - a[i]) / hz; total += cpu[i] }
      for (i = 1; i <= n; i++)
        printf "      master :%s %8.0f commands/s   CPU %5.1f%% of one core   %5.1f%% of the masters CPU\n",
          p[i], (y[i] - x[i]) / secs, 100 * cpu[i] / secs, (total > 0 ? 100 * cpu[i] / total : 0)
    }')"$'\n'
}

cluster_phase() {
  redis-cli -p "${CLUSTER_PORTS[0]}" CLUSTER INFO 2>/dev/null | grep -q 'cluster_state:ok' || {
    say "Redis Cluster not answering on :${CLUSTER_PORTS[0]}: running scripts/services.sh up --redis-cluster"
    "$REPO_DIR/scripts/services.sh" up --redis-cluster >&2 || die "could not start the local Redis Cluster"
  }
  SERVICE_NAME=cluster
  start_service cluster QUARKUS_REDIS_CLIENT_TYPE=cluster QUARKUS_REDIS_HOSTS="$(cluster_hosts)" FLASHSALE_REDIS_REPLICA_ACKS=1
  sql "alter table sales auto_increment=$(( $(date +%s) * 1000 ))" >/dev/null 2>&1
  warm_up
  local load0
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  say "phase k: purchases, all succeed, on the Redis Cluster: 1 bucket then 3 buckets, ${DURATION}s each"
  cluster_sub k1 1
  cluster_sub k3 3
  stop_service
  CLUSTER_REPORT="Redis Cluster (k)   all-succeed purchases, stock $STOCK, wrk -t$THREADS -c$CONNS -d${DURATION}s, replica acks 1
  load avg $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after
$CLUSTER_REPORT  The masters' CPU shares show the spread. On this $(nproc)-core machine the six nodes, the service and
  wrk share the same cores, so the total may not rise: with a host per master, each bucket's master
  has cores of its own and the sale's Redis ceiling grows with the buckets (README \"Stock buckets\")."
}

if [[ "${BENCH_CLUSTER:-}" == only ]]; then
  SERVICE_NAME=migrate
  start_service migrate FLASHSALE_ROLE=worker
  stop_service
  cluster_phase
  cat <<EOF

======================== flashsale benchmark (phase k only: BENCH_CLUSTER=only) ========================
commit      $COMMIT
machine     $(nproc) cores; load avg $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end
$CLUSTER_REPORT

invariants
$(printf '%s\n' "${INVARIANTS[@]}")
overall: $([[ $FAILED == 0 ]] && echo "all invariants PASS" || echo "an invariant FAILED (exit 1)")
service log: $LOG_DIR/service-cluster.log
EOF
  exit "$FAILED"
fi

# ------------------------------------------------------------------ batched instance: phases a, b, c

# api instances never migrate (the worker role does, see docs/DEPLOYMENT.md "Start-up and readiness"): a worker migrates
# the fresh database first, then stops
SERVICE_NAME=migrate
start_service migrate FLASHSALE_ROLE=worker
stop_service

SERVICE_NAME=batched
start_service batched
# Sold-out notices travel on a Redis pub/sub channel shared by every Redis db (dev, tests): start
# the bench's sale ids far above anything a dev or test database holds.
sql "alter table sales auto_increment=$(( $(date +%s) * 1000 ))" ||
  say "could not raise sales auto_increment (sale ids may collide with dev/test ids on pub/sub)"
warm_up soldout

say "phase a: GET /api/ping for ${DURATION}s"
run_wrk a ping 0 "$DURATION"

say "phase b: contested purchases, stock $STOCK, distinct buyers, ${DURATION}s"
create_sale SALE_B "$STOCK"
CPU_PIDS=("$SERVICE_PID" "$(pgrep -xo mariadbd || pgrep -xo mysqld)" "$(pgrep -o -f 'redis-server .*:6379')" \
  "$(pgrep -o -f 'kafka\.Kafka')")
if [[ "${BENCH_JFR:-0}" == 1 ]]; then
  jcmd "$SERVICE_PID" JFR.start name=b settings=profile duration="${DURATION}s" filename="$LOG_DIR/b.jfr" >/dev/null 2>&1
fi
cpu_snapshot CPU_B0
run_wrk b purchase "$SALE_B" "$DURATION"
cpu_snapshot CPU_B1
CPU_B="$(cpu_split "$CPU_B0" "$CPU_B1")wrk $(awk -v c="$(res b wrk_cpu_s)" -v a="$CPU_B0" -v b="$CPU_B1" 'BEGIN {
  split(a, x, " "); split(b, y, " "); printf "%.0f%%", 100 * c / ((y[1] - x[1]) / 1e9) }')  "
check_sale "(b)" b "$SALE_B" "$STOCK" 0
ROWS_B=$SALE_ROWS

say "phase c: sold-out purchases for ${DURATION}s"
create_sale SALE_C 1
FIRST=$(buy "$SALE_C" "${NONCE}first")
[[ "$FIRST" == 201 ]] || say "the one purchase of the sold-out sale answered $FIRST: $(cat "$LOG_DIR/last-buy.json")"
buy "$SALE_C" "${NONCE}second" >/dev/null   # learns SOLD_OUT from Redis: sets the local flag
REDIS_CMDS_0=$(redis_commands)
run_wrk c purchase "$SALE_C" "$DURATION"
REDIS_CMDS_C=$(( $(redis_commands) - REDIS_CMDS_0 ))
# (c2) the same sold-out sale, asked by 1,000 buyers again and again (a sold-out crowd retries):
# their tokens were verified before, so what (c) spends on signature checks is gone here
say "phase c2: sold-out purchases by 1,000 retrying buyers for ${DURATION}s"
ALL_TOKENS="$TOKENS"; TOKENS="$LOG_DIR/retrying-tokens"
head -n 1000 "$ALL_TOKENS" >"$TOKENS"
run_wrk c2 purchase "$SALE_C" "$DURATION"
rm -f "$TOKENS"; TOKENS="$ALL_TOKENS"
check_sale "(c)" c "$SALE_C" 1 $([[ "$FIRST" == 201 ]] && echo 1 || echo 0)
# what one signature check costs on one core of this machine right now (the JDK alone, no service):
# the floor under every answer to a token never seen before, (c)'s included
VERIFY_US=$(java "$REPO_DIR/scripts/jwt/TokenTool.java" verify-cost --pub "$JWT_PUBLIC_KEY" --tokens "$TOKENS" \
  --seconds 3 2>/dev/null | sed -n 's/^verify_us=\([0-9.]*\).*/\1/p')

# (e) the side-by-side scenario: stock CONTESTED_STOCK, CONTESTED_BUYERS buyers each asking twice at the
# same moment (the two wrk threads walk the same buyers), every request sent once
say "phase e: contested sale, stock $CONTESTED_STOCK, $((2 * CONTESTED_BUYERS)) purchases by $CONTESTED_BUYERS buyers asking twice"
create_sale SALE_E "$CONTESTED_STOCK"
ALL_TOKENS="$TOKENS"; TOKENS="$LOG_DIR/contested-tokens"
tail -n "$CONTESTED_BUYERS" "$ALL_TOKENS" | awk '{ print; print }' >"$TOKENS"
ONCE=1 run_wrk e purchase "$SALE_E" "$CONTESTED_MAX"
rm -f "$TOKENS"; TOKENS="$ALL_TOKENS"
check_sale "(e)" e "$SALE_E" "$CONTESTED_STOCK" 0
ROWS_E=$SALE_ROWS
ok=0; ((ROWS_E == CONTESTED_STOCK)) && ok=1
check "(e)" "5 sold exactly the stock" $ok "$ROWS_E orders for stock $CONTESTED_STOCK"

# (h) the same all-succeed load with millions of archived orders in orders_history
if ((HISTORY_ROWS > 0)) && sql "select 1 from seq_1_to_1" >/dev/null 2>&1; then
  say "phase h: loading $HISTORY_ROWS archived orders into orders_history (12 months)"
  load_history() {
    local done_rows=0 chunk=500000 n
    while ((done_rows < HISTORY_ROWS)); do
      n=$((HISTORY_ROWS - done_rows < chunk ? HISTORY_ROWS - done_rows : chunk))
      sql "insert into orders_history (id, sale_id, user_id, status, amount_cents, created_at, pay_by, updated_at, archived_at)
           select $((done_rows)) + seq, 1 + (seq mod 500), concat('hist-', $done_rows + seq), 'PAID', 100,
                  utc_timestamp(6) - interval (($done_rows + seq) mod 360) day, utc_timestamp(6), utc_timestamp(6), utc_timestamp(6)
           from seq_1_to_$n" || return 1
      done_rows=$((done_rows + n))
    done
  }
  # the month partitions the archiver would have made
  HIST_T0=$SECONDS
  for m in $(seq 13 -1 0); do
    sql "alter table orders_history reorganize partition p_future into (partition p$(date -u -d "$(date -u +%Y-%m-01) -$m month" +%Y%m)
         values less than ('$(date -u -d "$(date -u +%Y-%m-01) -$((m - 1)) month" +%Y-%m-01)'), partition p_future values less than (maxvalue))" \
      >/dev/null 2>&1
  done
  if with_progress "loading orders_history" load_history; then
    say "loaded $(sql "select count(*) from orders_history") archived orders in $((SECONDS - HIST_T0)) s"
    create_sale SALE_H "$STOCK"
    say "phase h: purchases, all succeed, with the history loaded, ${DURATION}s"
    run_wrk h purchase "$SALE_H" "$DURATION"
    check_sale "(h)" h "$SALE_H" "$STOCK" 0
    ROWS_H=$SALE_ROWS
  else
    say "loading orders_history failed: phase h skipped"
  fi
else
  say "phase h skipped (BENCH_HISTORY_ROWS=0 or no sequence engine)"
fi

# the two ceilings, measured now that the service is idle
say "ceilings: the database alone ($CEILING_ROWS orders + outbox rows), Redis alone (purchase.lua)"
create_sale SALE_R "$STOCK"
DB_CEILING=$(with_progress "database ceiling" db_ceiling)
REDIS_CEILING=$(with_progress "Redis ceiling" redis_ceiling "$SALE_R")

BATCH_METRICS=$(curl -s "$MANAGEMENT_URL/q/metrics" | awk '
  /^flashsale_order_batch_size_count/ {c=$2} /^flashsale_order_batch_size_sum/ {s=$2}
  /^flashsale_order_batch_size_max/ {m=$2}
  END { if (c > 0) printf "%d transactions, mean %.1f orders each, max (recent) %d", c, s/c, m }')
stop_service

# ------------------------------------------------------------------ baseline instance: phase d

SERVICE_NAME=baseline
start_service baseline FLASHSALE_ORDER_BATCH_MAX_SIZE=1 FLASHSALE_ORDER_BATCH_WRITERS=24
warm_up
say "phase d: baseline (one insert transaction per purchase), ${DURATION}s"
create_sale SALE_D "$STOCK"
run_wrk d purchase "$SALE_D" "$DURATION"
check_sale "(d)" d "$SALE_D" "$STOCK" 0
ROWS_D=$SALE_ROWS
stop_service

[[ "${BENCH_CLUSTER:-}" == 1 ]] && cluster_phase

# ------------------------------------------------------------------ report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { print ((v == "inf" || v + 0 >= t) ? "met" : "NOT MET") }'; }

DUR_B=$(secs b); DUR_D=$(secs d)
ORDERS_B=$(per_sec "$ROWS_B" "$DUR_B"); ORDERS_D=$(per_sec "$ROWS_D" "$DUR_D")
RATIO_ORDERS=$(ratio "$ORDERS_B" "$ORDERS_D")
PCT_SOLDOUT=$(awk -v a="$(res c rps)" -v b="$(res a rps)" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
ms_of() { awk -v us="$(res "$1" "$2")" 'BEGIN { printf "%.1f", us / 1000 }'; }
E_RPS=$(res e scenario_rps); E_SECS=$(awk -v us="$(res e scenario_us)" 'BEGIN { printf "%.2f", us / 1e6 }')
E_P99_OK=$(awk -v us="$(res e p99_us)" 'BEGIN { print (us > 0 && us < 30000 ? "met" : "NOT MET") }')
LOWER_CEILING=$(awk -v a="${DB_CEILING:-0}" -v b="${REDIS_CEILING:-0}" 'BEGIN { m = (a < b ? a : b); printf "%.0f", m }')
PCT_CEILING=$(awk -v o="$ORDERS_B" -v c="$LOWER_CEILING" 'BEGIN { printf "%.0f", (c > 0 ? 100 * o / c : 0) }')
if [[ -n "${ROWS_H:-}" ]]; then
  ORDERS_H=$(per_sec "$ROWS_H" "$(secs h)")
  PCT_HISTORY=$(awk -v h="$ORDERS_H" -v b="$ORDERS_B" 'BEGIN { printf "%.0f", (b > 0 ? 100 * h / b : 0) }')
fi
JFR_TOP=""
if [[ -s "$LOG_DIR/b.jfr" ]]; then
  JFR_TOP=$(jfr print --events jdk.ExecutionSample "$LOG_DIR/b.jfr" 2>/dev/null | awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/\(.*/, ""); n[$0]++; t++ }
    END { for (f in n) printf "%6.1f%%  %s\n", 100 * n[f] / t, f }' | sort -rn | head -n 12 | sed 's/^/    /')
fi
PCT_RETRY=$(awk -v a="$(res c2 rps)" -v b="$(res a rps)" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
# CPU time per answer, from req/s and the machine's cores (wrk shares them), and the signature check's share
VERIFY_CEILING=$(awk -v us="${VERIFY_US:-0}" -v n="$(nproc)" 'BEGIN { if (us > 0) printf "%.0f", n * 1e6 / us; else print "?" }')

row() { # row LABEL TITLE EXPECTED_STATUS
  local sockets=$(( $(res "$1" err_connect) + $(res "$1" err_read) + $(res "$1" err_write) + $(res "$1" err_timeout) ))
  local unexpected=$(( $(res "$1" requests) - $(res "$1" "s$3") ))
  printf '%-38s %9.0f %9s %9s %10s %8s %9s\n' "$2" "$(res "$1" rps)" "$(ms "$(res "$1" p50_us)")" \
    "$(ms "$(res "$1" p99_us)")" "$unexpected" "$sockets" "$(res "$1" svc_cpu_us)"
}

service_log_summary() {
  local name
  for name in batched baseline; do
    local log="$LOG_DIR/service-$name.log"
    local n; n=$(grep -cE ' (WARN|ERROR) ' "$log" 2>/dev/null)
    echo "  $name: $n WARN/ERROR lines (log $log)"
    grep -E ' (WARN|ERROR) ' "$log" 2>/dev/null | cut -c14- | sort | uniq -c | sort -rn | head -n 8 |
      cut -c1-220 | sed 's/^/    /'
  done
}

ORPHAN_NOTE=""
if ((ORPHANS_TOTAL > 0)); then
  ORPHAN_NOTE="  note: $ORPHANS_TOTAL Redis reservation(s) have no order row and were never released. wrk closes
        its connections with requests in flight when a phase ends: a purchase abandoned by its client
        between the Redis reservation and the order write most likely leaked the unit (and its buyer
        now gets ALREADY_PURCHASED for an order that does not exist).
"
fi

cat <<EOF

================================ flashsale benchmark ================================
commit      $COMMIT
app         $APP_DIR
machine     $(nproc) cores; load avg $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end; Kafka $KAFKA_STATE
disk        MariaDB innodb_flush_log_at_trx_commit=${DB_FSYNC:-?}; one synchronous 4 KiB write ${FSYNC_MS:-?} ms (dd oflag=dsync in /tmp)
role        flashsale.role=$ROLE (purchases are served by api instances; consumers and jobs run on workers)
load        wrk -t$THREADS -c$CONNS -d${DURATION}s (warm-up ${WARMUP}s per kind after each start), one shared Lua script
batched     FLASHSALE_ORDER_BATCH_MAX_SIZE=${FLASHSALE_ORDER_BATCH_MAX_SIZE:-default(500)} WRITERS=${FLASHSALE_ORDER_BATCH_WRITERS:-default(2)} MAX_WAIT=${FLASHSALE_ORDER_BATCH_MAX_WAIT:-default(2MS)}
baseline    FLASHSALE_ORDER_BATCH_MAX_SIZE=1 WRITERS=24 (one insert transaction per purchase)
sales       (b) $SALE_B  (c) $SALE_C  (d) $SALE_D  (e) $SALE_E  (h) ${SALE_H:-}  in database $DB, Redis db $REDIS_DB

$(printf '%-38s %9s %9s %9s %10s %8s %9s' phase 'req/s' 'p50 ms' 'p99 ms' unexpected 'sock err' 'cpu us')
$(row a "(a) GET /api/ping" 200)
$(row b "(b) purchases, all succeed (batched)" 201)
$(row c "(c) purchases, sold out" 409)
$(row c2 "(c2) sold out, retrying buyers" 409)
$([[ -n "${ROWS_H:-}" ]] && row h "(h) all succeed, history loaded" 201)
$(row d "(d) purchases, all succeed (baseline)" 201)
  "unexpected" = answers other than 200 (a) / 201 (b, d) / 409 (c), plus requests without one.
  "cpu us" = the service's CPU time per request (user + system, from /proc), steadier than req/s on a busy machine.
  answers  (a) $(res_answers a)
           (b) $(res_answers b)
           (c) $(res_answers c)
           (c2) $(res_answers c2)
           (h) $([[ -n "${ROWS_H:-}" ]] && res_answers h)
           (d) $(res_answers d)
  buyers   $BUYERS tokens (BENCH_BUYERS), a disjoint slice per wrk thread; purchases that reused a buyer
           because a slice ran out: (b) $(res b reused)  (c) $(res c reused)  (d) $(res d reused)

durable orders/s   batched $ORDERS_B ($ROWS_B rows / ${DUR_B}s)   baseline $ORDERS_D ($ROWS_D rows / ${DUR_D}s)
  ratio batched/baseline   ${RATIO_ORDERS}x   target >= 20x: $(met "$RATIO_ORDERS" 20)
  batched writer           ${BATCH_METRICS:-no flashsale_order_batch_size metric}
sold-out req/s as % of trivial   ${PCT_SOLDOUT}% (every answer a new buyer)   target >= 70%: $(met "$PCT_SOLDOUT" 70)
  retrying buyers (c2)           ${PCT_RETRY}% (1,000 buyers asking again: tokens verified before)
  one RSA-2048 signature check   ${VERIFY_US:-?} us on one core => at most ~${VERIFY_CEILING} new buyers' tokens/s on $(nproc) cores
                                 even if nothing else ran (wrk, Redis and the HTTP stack share those cores)
  Redis commands during (c)      $REDIS_CMDS_C server-wide (other clients included) for $(res c requests) sold-out answers

contested sale (e)  stock $CONTESTED_STOCK, $((2 * CONTESTED_BUYERS)) purchases by $CONTESTED_BUYERS buyers asking twice at once, wrk -t$THREADS -c$CONNS
  scenario          $(res e answered) answers in ${E_SECS}s = ${E_RPS} req/s   target >= 10,000: $(met "$E_RPS" 10000)
  latency           p50 $(ms_of e p50_us) ms, p99 $(ms_of e p99_us) ms   target p99 < 30 ms: $E_P99_OK
  service CPU       $(res e svc_cpu_us) us per request
  answers           $(res_answers e)   (+$(res e filler) filler pings once a thread's buyers were spent)
  sold              ${ROWS_E:-?} of $CONTESTED_STOCK

write path (b)
  CPU during (b)    $CPU_B(% of one core; $(nproc) cores = $(( $(nproc) * 100 ))%)
  ceilings          database alone $DB_CEILING orders+outbox rows/s (500 + 500 per transaction, no HTTP);
                    Redis alone $REDIS_CEILING purchase.lua calls/s (redis-benchmark EVALSHA, 50 clients)
  durable orders/s  $ORDERS_B = ${PCT_CEILING}% of the lower ceiling ($LOWER_CEILING)   target >= 30%: $(met "$PCT_CEILING" 30)
$(if [[ -n "$JFR_TOP" ]]; then echo "  JFR (b), hottest frames:"; echo "$JFR_TOP"; else echo "  (BENCH_JFR=1 records (b) with JFR and lists its hottest frames here)"; fi)

$([[ -n "$CLUSTER_REPORT" ]] && printf '%s\n\n' "$CLUSTER_REPORT")history (h)         $(if [[ -n "${ORDERS_H:-}" ]]; then echo "all succeed with $HISTORY_ROWS archived orders loaded: $ORDERS_H orders/s = ${PCT_HISTORY}% of (b)   target >= 90%: $(met "$PCT_HISTORY" 90)"; else echo "skipped"; fi)
  (targets are informational: they never change the exit code)

invariants (checked after each purchase phase, once order rows and Redis stock stopped moving)
$(printf '%s\n' "${INVARIANTS[@]}")
${ORPHAN_NOTE}overall: $([[ $FAILED == 0 ]] && echo "all invariants PASS" || echo "an invariant FAILED (exit 1)")

service logs
$(service_log_summary)
wrk outputs and results: $LOG_DIR
EOF

exit "$FAILED"
