#!/usr/bin/env bash
# flashsale start-up benchmark (NOT a test): how soon a new instance can sell, per JVM variant.
#
#   bench/startup.sh                 clone HEAD to $STARTUP_CLONE, build the variants, measure, one report
#   bench/startup.sh --skip-build    measure the variants the last run built (under $STARTUP_WORK)
#   bench/startup.sh --variants "jdk17-fast-jar jdk25-aot"   only these (built ones are reused with --skip-build)
#
# Variants (one app directory each under $STARTUP_WORK):
#   jdk17-fast-jar  ./mvnw package (the default build), run on JDK 17
#   jdk17-appcds    ./mvnw package -Daot on JDK 17: Quarkus writes an AppCDS archive at build time
#                   (app-cds.jsa), run with -XX:SharedArchiveFile
#   jdk25-aot       ./mvnw verify -Daot on JDK 25: aot-jar packaging, the AOT cache (app.aot, JEP 483/514/515)
#                   recorded while ApiContractIT drives the packaged app, run with -XX:AOTCache
# Per variant and role (api, worker), STARTUP_RUNS starts, each from launching java to:
#   ready   /q/health/ready answers 200 (polled every STARTUP_POLL_MS) -- every start-up step done
#   first   (api) the first purchase answered 201 right after readiness: its latency, and start -> 201
#   rss     resident set size when ready
# Then per variant one more api start under load: purchases by distinct buyers with wrk for
# STARTUP_LOAD seconds, twice in a row: req/s of the first window (a cold JIT) and of the second
# ("after 10 s of load"), RSS after each. Ratios are against jdk17-fast-jar of the same run.
# Nothing fails on absolute times (the machine is shared and noisy): exit 0 when every start
# became ready and sold, 1 when one did not, 2 on setup/build failure.
#
# Env (defaults):
#   STARTUP_RUNS=10        starts per variant and role
#   STARTUP_LOAD=10        seconds of each load window (api)
#   STARTUP_POLL_MS=20     readiness poll interval
#   STARTUP_PORT=8085      HTTP port; STARTUP_MANAGEMENT_PORT=9005 (health there when the management
#                          interface is enabled; the script finds out which answers)
#   STARTUP_DB=flashsale_startup_bench   database, DROPPED and re-created (migrated once by a worker)
#   STARTUP_REDIS_DB=5     Redis logical database, FLUSHED
#   STARTUP_TOPIC=flashsale-startup.order-events   Kafka topic (own consumer group too)
#   STARTUP_JAVA_OPTS="-XX:MaxRAM=512m -XX:MaxRAMPercentage=75 -Xms64m -XX:+UseSerialGC"  JVM options of
#                          every measured start, the same for all variants: the JVM sizes itself as in a
#                          container with a 512 MiB memory limit (MaxRAM), with the heap settings and GC of
#                          Dockerfile.jvm-aot (SerialGC is what the JVM picks there anyway, below ~2 GB; -Xms64m
#                          because JDK 25 refuses to start when the AOT cache's heap objects do not fit the
#                          initial heap, 8 MB by default at 512 MiB)
#   JDK17_HOME=/usr/lib/jvm/java-17-openjdk-amd64   JDK25_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
#   STARTUP_CLONE=/tmp/flashsale-startup   STARTUP_WORK=/tmp/flashsale-startup-apps
#   MARIADB_ROOT_ARGS="-h127.0.0.1 -uroot"
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
LUA="$BENCH_DIR/load.lua"

RUNS="${STARTUP_RUNS:-10}"
LOAD="${STARTUP_LOAD:-10}"; LOAD="${LOAD%s}"
POLL_MS="${STARTUP_POLL_MS:-20}"
PORT="${STARTUP_PORT:-8085}"
MGMT_PORT="${STARTUP_MANAGEMENT_PORT:-9005}"
DB="${STARTUP_DB:-flashsale_startup_bench}"
REDIS_DB="${STARTUP_REDIS_DB:-5}"
TOPIC="${STARTUP_TOPIC:-flashsale-startup.order-events}"
JAVA_OPTS_ALL="${STARTUP_JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75 -Xms64m -XX:+UseSerialGC}"
JDK17="${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
CLONE="${STARTUP_CLONE:-/tmp/flashsale-startup}"
WORK="${STARTUP_WORK:-/tmp/flashsale-startup-apps}"
read -r -a DB_ROOT <<<"${MARIADB_ROOT_ARGS:--h127.0.0.1 -uroot}"
VARIANTS="jdk17-fast-jar jdk17-appcds jdk25-aot"
BUILD=1
THREADS=2
CONNS=64
ISSUER="https://flashsale.local"
JWT_PUBLIC_KEY="$REPO_DIR/.run/jwt/public.pem"

while (($#)); do
  case "$1" in
    --skip-build) BUILD=0; shift ;;
    --variants) VARIANTS="${2:?--variants needs a list}"; shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

LOG_DIR="$(mktemp -d /tmp/flashsale-startup-logs.XXXXXX)"
say() { printf '[startup] %s\n' "$*" >&2; }
die() { printf '[startup] ERROR: %s\n' "$*" >&2; exit 2; }
MYSQL=$(command -v mariadb || command -v mysql) || die "no mariadb/mysql client"
for tool in curl wrk redis-cli git; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[[ -x "$JDK17/bin/java" ]] || die "no JDK 17 at $JDK17 (set JDK17_HOME)"
HAVE_JDK25=1; [[ -x "$JDK25/bin/java" ]] || HAVE_JDK25=0

SERVICE_PID=""
stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  kill "$SERVICE_PID" 2>/dev/null
  local i
  for i in $(seq 1 300); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SERVICE_PID" 2>/dev/null
  wait "$SERVICE_PID" 2>/dev/null
  SERVICE_PID=""
}
trap 'stop_service; rm -f "${TOKENS:-}"' EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
port_busy() { timeout 1 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# ------------------------------------------------------------------ build

java_of() { case "$1" in jdk25-*) echo "$JDK25/bin/java" ;; *) echo "$JDK17/bin/java" ;; esac; }

# JVM options that make a variant use its archive (relative paths: every start runs in the app dir)
variant_opts() {
  case "$1" in
    jdk17-appcds) echo "-XX:SharedArchiveFile=app-cds.jsa -Xshare:auto" ;;
    jdk25-aot) echo "-XX:AOTCache=app.aot" ;;
    *) echo "" ;;
  esac
}

build_variant() { # build_variant NAME
  local name="$1" log="$LOG_DIR/build-$1.log" home=$JDK17 goals=(package -DskipTests)
  case "$name" in
    jdk17-fast-jar) ;;
    jdk17-appcds) goals+=(-Daot) ;;
    jdk25-aot)
      ((HAVE_JDK25)) || { say "no JDK 25 at $JDK25: skipping $name"; return 1; }
      home=$JDK25
      # the AOT cache is recorded while the integration test drives the packaged app; the test
      # profile's database, Redis db and topic are pointed at the bench's own (env vars with the
      # _TEST_ prefix are %test properties, and the launched app inherits the environment)
      goals=(verify -Daot -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ApiContractIT) ;;
  esac
  say "building $name (JAVA_HOME=$home ./mvnw ${goals[*]}), log $log"
  local t0=$SECONDS
  (cd "$CLONE" && rm -rf target/quarkus-app &&
    env JAVA_HOME="$home" \
      _TEST_QUARKUS_DATASOURCE_JDBC_URL="jdbc:mariadb://127.0.0.1:3306/$DB" \
      _TEST_QUARKUS_REDIS_HOSTS="redis://127.0.0.1:6379/$REDIS_DB" \
      _TEST_QUARKUS_HTTP_TEST_PORT="$PORT" _TEST_QUARKUS_MANAGEMENT_TEST_PORT="$MGMT_PORT" _TEST_QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
      _TEST_FLASHSALE_SALE_EVENTS_CHANNEL="fs-startup:sale-events" \
      _TEST_FLASHSALE_OUTBOX_TOPIC="$TOPIC" \
      ./mvnw -B "${goals[@]}" >"$log" 2>&1) || { tail -n 40 "$log" >&2; die "build of $name failed (log $log)"; }
  rm -rf "${WORK:?}/$name" && cp -a "$CLONE/target/quarkus-app" "$WORK/$name" || die "copying $name failed"
  "$(java_of "$name")" -version >"$WORK/$name/jdk.txt" 2>&1
  case "$name" in
    jdk17-appcds) [[ -f "$WORK/$name/app-cds.jsa" ]] || die "$name: the build wrote no app-cds.jsa (log $log)" ;;
    jdk25-aot) [[ -f "$WORK/$name/app.aot" ]] || die "$name: the build wrote no app.aot (log $log)" ;;
  esac
  say "built $name in $((SECONDS - t0)) s"
}

COMMIT="(not built by this run)"
if ((BUILD)); then
  mkdir -p "$WORK"
  [[ -d "$CLONE/.git" ]] || git clone -q "$REPO_DIR" "$CLONE" || die "cannot clone into $CLONE"
  git -C "$CLONE" fetch -q "$REPO_DIR" HEAD && git -C "$CLONE" checkout -q --force FETCH_HEAD ||
    die "cannot check out HEAD in $CLONE"
  COMMIT="$(git -C "$CLONE" log -1 --format='%h %s' | cut -c1-100)"
  echo "$COMMIT" >"$WORK/commit.txt"
fi

# the api role must not migrate, so a worker migrates the bench database first (and the IT of the
# jdk25-aot build needs it to exist)
say "re-creating database $DB and flushing Redis db $REDIS_DB"
"$MYSQL" "${DB_ROOT[@]}" -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\`;
  GRANT ALL PRIVILEGES ON \`$DB\`.* TO 'flashsale'@'%';
  GRANT ALL PRIVILEGES ON \`$DB\`.* TO 'flashsale'@'localhost';
  GRANT ALL PRIVILEGES ON \`$DB\`.* TO 'flashsale'@'127.0.0.1';" || die "cannot create database $DB as root"
redis-cli -n "$REDIS_DB" FLUSHDB >/dev/null || die "cannot flush Redis db $REDIS_DB"

if ((BUILD)); then
  for v in $VARIANTS; do build_variant "$v" || VARIANTS="${VARIANTS/$v/}"; done
else
  COMMIT="$(cat "$WORK/commit.txt" 2>/dev/null || echo unknown)"
fi
read -r -a VARIANT_LIST <<<"$VARIANTS"
for v in "${VARIANT_LIST[@]}"; do [[ -f "$WORK/$v/quarkus-run.jar" ]] || die "$WORK/$v is not built (run without --skip-build)"; done

# ------------------------------------------------------------------ service start

# launch VARIANT ROLE LOG: starts the app in its directory; sets SERVICE_PID and T0 (ms)
launch() {
  local variant="$1" role="$2" log="$3"
  port_busy "$PORT" && die "port $PORT is already in use (set STARTUP_PORT)"
  # shellcheck disable=SC2046,SC2086  # word splitting of the option lists is intended
  T0=$(now_ms)
  env -C "$WORK/$variant" QUARKUS_HTTP_PORT="$PORT" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
    QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:mariadb://127.0.0.1:3306/$DB" \
    QUARKUS_REDIS_HOSTS="redis://127.0.0.1:6379/$REDIS_DB" \
    FLASHSALE_ROLE="$role" \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION="$JWT_PUBLIC_KEY" MP_JWT_VERIFY_ISSUER="$ISSUER" \
    FLASHSALE_API_CLIENT_RATE=1000000 FLASHSALE_API_CLIENT_BURST=1000000 \
    FLASHSALE_OUTBOX_TOPIC="$TOPIC" FLASHSALE_SALE_EVENTS_CHANNEL="fs-startup:sale-events" \
    MP_MESSAGING_INCOMING_SALE_STATS_TOPIC="$TOPIC" \
    MP_MESSAGING_INCOMING_SALE_STATS_GROUP_ID="flashsale-startup-sale-stats" \
    "$(java_of "$variant")" $JAVA_OPTS_ALL $(variant_opts "$variant") -jar quarkus-run.jar >"$log" 2>&1 &
  SERVICE_PID=$!
}

READY_URL=""
# await_ready LOG: polls readiness; sets READY_MS (from T0); fails after 120 s
await_ready() {
  local log="$1" deadline=$(( $(now_ms) + 120000 )) sleep_s
  sleep_s=$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
  while :; do
    if [[ -n "$READY_URL" ]]; then
      curl -sf -o /dev/null --max-time 2 "$READY_URL" && break
    else # first start: find where health is served (the management port when it is enabled)
      local url
      for url in "http://127.0.0.1:$MGMT_PORT/q/health/ready" "http://127.0.0.1:$PORT/q/health/ready"; do
        if curl -sf -o /dev/null --max-time 2 "$url"; then READY_URL="$url"; break; fi
      done
      [[ -n "$READY_URL" ]] && break
    fi
    kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 30 "$log" >&2; die "service exited during start-up (log $log)"; }
    (( $(now_ms) < deadline )) || { tail -n 30 "$log" >&2; die "not ready after 120 s (log $log)"; }
    sleep "$sleep_s"
  done
  READY_MS=$(( $(now_ms) - T0 ))
}

rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVICE_PID/status" 2>/dev/null; }

# ------------------------------------------------------------------ tokens and sales

mkdir -p "$(dirname "$JWT_PUBLIC_KEY")"
token_sh() { FLASHSALE_JWT_ISSUER="$ISSUER" FLASHSALE_JWT_TTL=14400 "$REPO_DIR/scripts/token.sh" "$@"; }
OPERATOR_TOKEN=$(token_sh startup-operator operator) || die "scripts/token.sh failed"
NONCE="s$(date +%s)"
BUYERS=$(( LOAD * 2 * 4000 > 40000 ? LOAD * 2 * 4000 : 40000 ))
TOKENS="$LOG_DIR/buyer-tokens.txt"
say "signing $BUYERS buyer tokens"
seq -f "${NONCE}-%.0f" 1 "$BUYERS" >"$LOG_DIR/buyers.txt"
token_sh --subjects-from "$LOG_DIR/buyers.txt" buyer >"$TOKENS" || die "signing buyer tokens failed"
FIRST_BUYERS="$LOG_DIR/first-buyers.txt"
seq -f "${NONCE}-first-%.0f" 1 $(( RUNS * ${#VARIANT_LIST[@]} + 10 )) >"$FIRST_BUYERS.subjects"
token_sh --subjects-from "$FIRST_BUYERS.subjects" buyer >"$FIRST_BUYERS" || die "signing first buyers failed"
mapfile -t FIRST_TOKENS <"$FIRST_BUYERS"
NEXT_FIRST=0

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
create_sale() { # create_sale STOCK -> prints the id (the service must be running)
  local now out
  now=$(date -u +%s)
  out=$(curl -s -w '\n%{http_code}' -X POST "http://127.0.0.1:$PORT/api/sales" \
    -H "Authorization: Bearer $OPERATOR_TOKEN" -H 'Content-Type: application/json' \
    -d "$(printf '{"sku":"S1","title":"startup","priceCents":100,"stock":%s,"startsAt":"%s","endsAt":"%s"}' \
      "$1" "$(iso $((now - 1)))" "$(iso $((now + 14400)))")")
  [[ "${out##*$'\n'}" == 201 ]] || die "creating a sale failed: $out"
  grep -o '"id":[0-9]*' <<<"$out" | head -1 | cut -d: -f2
}

# first_purchase SALE: one purchase by a fresh buyer; sets FIRST_STATUS, FIRST_MS (its latency)
first_purchase() {
  local token="${FIRST_TOKENS[$NEXT_FIRST]}" out
  NEXT_FIRST=$((NEXT_FIRST + 1))
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 30 -X POST \
    "http://127.0.0.1:$PORT/api/sales/$1/purchases" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{}')
  FIRST_STATUS=${out%% *}
  FIRST_MS=$(awk -v s="${out##* }" 'BEGIN { printf "%.0f", s * 1000 }')
}

# ------------------------------------------------------------------ migrate once, one sale for every first purchase

say "migrating $DB with role all of ${VARIANT_LIST[0]} (the api role does not migrate), creating the sale of the first purchases"
launch "${VARIANT_LIST[0]}" all "$LOG_DIR/migrate.log"
await_ready "$LOG_DIR/migrate.log"
say "health is served at $READY_URL"
SALE_FIRST=$(create_sale 1000000)
stop_service

# ------------------------------------------------------------------ measured starts

LOAD_AVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
FAILED=0
declare -A READY FIRST TO_FIRST RSS
# Interleaved (run 1 of every variant and role, then run 2, ...): the machine's load drifts, and
# each variant should see the same drift.
for run in $(seq 1 "$RUNS"); do
  for role in api worker; do
    for variant in "${VARIANT_LIST[@]}"; do
      key="$variant/$role"
      log="$LOG_DIR/$variant-$role-$run.log"
      launch "$variant" "$role" "$log"
      await_ready "$log"
      rss=$(rss_mb)
      extra=""
      if [[ "$role" == api ]]; then
        first_purchase "$SALE_FIRST"
        if [[ "$FIRST_STATUS" != 201 ]]; then
          FAILED=1; say "$key run $run: the first purchase after readiness answered $FIRST_STATUS (log $log)"
        fi
        FIRST[$key]+="$FIRST_MS "; TO_FIRST[$key]+="$(( $(now_ms) - T0 )) "
        extra=", first purchase $FIRST_STATUS in $FIRST_MS ms"
      fi
      READY[$key]+="$READY_MS "; RSS[$key]+="$rss "
      say "$key run $run/$RUNS: ready in $READY_MS ms, RSS $rss MB$extra"
      stop_service
    done
  done
done

# ------------------------------------------------------------------ load after a start (api)

declare -A RPS1 RPS2 RSS1 RSS2 CODES
for variant in "${VARIANT_LIST[@]}"; do
  log="$LOG_DIR/$variant-api-load.log"
  launch "$variant" api "$log"
  await_ready "$log"
  for window in 1 2; do
    sale=$(create_sale 10000000)
    out="$LOG_DIR/wrk-$variant-$window.txt"
    BENCH_MODE=purchase BENCH_SALE="$sale" BENCH_TOKENS="$TOKENS" BENCH_THREADS="$THREADS" \
      wrk -t"$THREADS" -c"$CONNS" -d"${LOAD}s" --timeout 30s -s "$LUA" "http://127.0.0.1:$PORT" >"$out" 2>&1 ||
      die "wrk failed ($out)"
    result=$(grep '^BENCH_RESULT' "$out")
    rps=$(tr ' ' '\n' <<<"$result" | awk -F= '$1 == "rps" { printf "%.0f", $2 }')
    codes=$(tr ' ' '\n' <<<"$result" | grep -E '^(s[0-9]+|c_[A-Za-z_]+)=' | tr '\n' ' ')
    if [[ "$window" == 1 ]]; then RPS1[$variant]=$rps; RSS1[$variant]=$(rss_mb); else RPS2[$variant]=$rps; RSS2[$variant]=$(rss_mb); fi
    CODES[$variant]+="w$window: $codes "
    say "$variant load window $window: $rps purchases/s, RSS $(rss_mb) MB ($codes)"
  done
  stop_service
done

# ------------------------------------------------------------------ report

stats() { # stats "v1 v2 ..." -> "median max"
  tr ' ' '\n' <<<"$1" | grep -E '^[0-9]+$' | sort -n | awk '{ a[NR] = $1 } END {
    if (NR == 0) { print "- -"; exit }
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f %d\n", m, a[NR] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'; }
BASE="${VARIANT_LIST[0]}"

{
echo
echo "================================ flashsale start-up benchmark ================================"
echo "commit      $COMMIT"
echo "machine     $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load avg $LOAD_AVG_START at the first measured start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "jvm opts    $JAVA_OPTS_ALL (all variants) + the variant's archive option"
for v in "${VARIANT_LIST[@]}"; do
  printf '  %-15s %s  %s\n' "$v" "$(variant_opts "$v")" "$(head -1 "$WORK/$v/jdk.txt" 2>/dev/null)"
done
echo "starts      $RUNS per variant and role; ready = process launch -> /q/health/ready 200 (polled every ${POLL_MS} ms)"
echo "            against MariaDB/Redis/Kafka on this machine (db $DB, already migrated; Redis db $REDIS_DB)"
echo
printf '%-15s %-6s %11s %9s %8s %14s %15s %9s\n' variant role 'ready p50' 'ready max' 'x base' '1st buy p50/max' 'start->201 p50' 'RSS p50'
for v in "${VARIANT_LIST[@]}"; do
  for role in api worker; do
    read -r rmed rmax <<<"$(stats "${READY[$v/$role]}")"
    read -r bmed_base _ <<<"$(stats "${READY[$BASE/$role]}")"
    read -r fmed fmax <<<"$(stats "${FIRST[$v/$role]:-}")"
    read -r tmed _ <<<"$(stats "${TO_FIRST[$v/$role]:-}")"
    read -r smed _ <<<"$(stats "${RSS[$v/$role]}")"
    first="-"; [[ "$role" == api ]] && first="$fmed/$fmax ms"
    to="-"; [[ "$role" == api ]] && to="$tmed ms"
    printf '%-15s %-6s %8s ms %6s ms %8s %14s %15s %6s MB\n' "$v" "$role" "$rmed" "$rmax" "$(ratio "$rmed" "$bmed_base")" \
      "$first" "$to" "$smed"
  done
done
echo
echo "load after a start (api, wrk -t$THREADS -c$CONNS, purchases by distinct buyers, ${LOAD}s per window)"
printf '%-15s %12s %8s %12s %8s %10s %10s\n' variant 'window 1/s' 'x base' 'window 2/s' 'x base' 'RSS 1' 'RSS 2'
for v in "${VARIANT_LIST[@]}"; do
  printf '%-15s %12s %8s %12s %8s %7s MB %7s MB\n' "$v" "${RPS1[$v]:--}" "$(ratio "${RPS1[$v]:-}" "${RPS1[$BASE]:-0}")" \
    "${RPS2[$v]:--}" "$(ratio "${RPS2[$v]:-}" "${RPS2[$BASE]:-0}")" "${RSS1[$v]:--}" "${RSS2[$v]:--}"
done
for v in "${VARIANT_LIST[@]}"; do echo "  answers $v: ${CODES[$v]:-}"; done
echo
echo "raw (ms / MB, in run order)"
for v in "${VARIANT_LIST[@]}"; do
  for role in api worker; do
    echo "  $v/$role ready: ${READY[$v/$role]}"
    [[ "$role" == api ]] && echo "  $v/$role first purchase: ${FIRST[$v/$role]}"
    echo "  $v/$role rss: ${RSS[$v/$role]}"
  done
done
echo "logs: $LOG_DIR"
echo "overall: $([[ $FAILED == 0 ]] && echo "every start became ready and sold" || echo "a start did not sell right after readiness (exit 1)")"
} | tee "$LOG_DIR/report.txt"
exit "$FAILED"
