#!/usr/bin/env bash
# Local infrastructure for flashsale, without Docker: Redis, MariaDB and a
# single-node KRaft Kafka, all on loopback.
#
#   scripts/services.sh up       start whatever is missing (idempotent)
#   scripts/services.sh up --redis-cluster
#                                the same, plus a local Redis Cluster: 3 masters and
#                                3 replicas on 127.0.0.1:7000-7005 (state in .run/redis-cluster/)
#   scripts/services.sh status   does each service answer, and who owns it
#                                (exit 1 if any is down; the cluster only if it runs)
#   scripts/services.sh down     stop only what this script itself started (cluster included)
#   scripts/services.sh down --redis-cluster
#                                stop only the cluster (scripts/test.sh after its cluster run)
#   scripts/services.sh browser  install headless Chromium and its WebDriver for the
#                                console's browser test (Debian packages, if absent)
#
# A service that already answers is reused and never stopped by `down`: on CI
# and on dev machines Redis/MariaDB are often system services we must not touch,
# and a Kafka broker on :9092 may belong to another checkout of this project
# (it is recognised by the Kafka protocol itself, no local jars needed).
# Ownership is recorded with pid files under .run/ (git-ignored), which also
# holds Kafka's jars, data and logs, so `rm -rf .run` is a full reset.
#
# Long steps (apt, jar download, waiting for a service) print a line every
# PROGRESS_EVERY seconds: "[services] kafka: waiting for broker readiness (10 s)".
#
# Env: MARIADB_ROOT_ARGS  client args for root access (default "-h127.0.0.1 -uroot")
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT_DIR/.run"
KAFKA_CONF_DIR="$ROOT_DIR/scripts/kafka"

REDIS_PORT=6379
REDIS_PID="$RUN_DIR/redis.pid"
REDIS_LOG="$RUN_DIR/redis.log"

MARIADB_PORT=3306
MARIADB_PID="$RUN_DIR/mariadb.pid"
MARIADB_LOG="$RUN_DIR/mariadb.log"
read -r -a MARIADB_ROOT_ARGV <<<"${MARIADB_ROOT_ARGS:--h127.0.0.1 -uroot}"
MARIADB_ROOT=()   # working root client command, filled in by mariadb_find_root

# Redis Cluster (opt-in, `up --redis-cluster`): ports 7000-7005, the first three become
# masters, the last three their replicas (redis-cli --cluster create --cluster-replicas 1).
REDIS_CLUSTER_PORTS=(7000 7001 7002 7003 7004 7005)
REDIS_CLUSTER_DIR="$RUN_DIR/redis-cluster"
# A master that does not answer for this long is failed over to its replica. Short, because
# the failover test waits for it; a real deployment uses the default 15 s.
REDIS_CLUSTER_NODE_TIMEOUT=${REDIS_CLUSTER_NODE_TIMEOUT:-2000}

KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_DIR="$RUN_DIR/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_CLUSTER_ID_FILE="$KAFKA_DIR/cluster.id"
KAFKA_ADMIN_PROPS="$KAFKA_DIR/admin.properties"
KAFKA_PID="$RUN_DIR/kafka.pid"
KAFKA_LOG="$RUN_DIR/kafka.log"
KAFKA_START_TIMEOUT=60
KAFKA_ADMIN_LOG="$KAFKA_DIR/admin.log"
KAFKA_TOPICS=("flashsale.order-events:3" "flashsale.order-events.dlq:1")

PROGRESS_EVERY=5

# ---------------------------------------------------------------- helpers

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# Show the end of a log on failure: the cause is almost always in the last lines.
tail_log() {
  [[ -r "$1" ]] || return 0
  printf '[services] --- last lines of %s ---\n' "$1" >&2
  tail -n "${2:-40}" "$1" >&2
  printf '[services] ---\n' >&2
}

# ---------------------------------------------------------------- progress

# A background ticker prints "LABEL (N s)" every PROGRESS_EVERY seconds while a
# step runs in the foreground (so the step keeps Ctrl-C, set -e and globals).
# The ticker drops the lock fd, sends sleep's output nowhere (an orphaned sleep
# must not hold a caller's pipe open) and ends by itself if this script dies.
PROGRESS_PID=""
progress_start() {
  local label=$1 t0=$SECONDS
  progress_stop
  (
    exec 9>&- </dev/null
    next=$PROGRESS_EVERY
    while kill -0 "$$" 2>/dev/null; do
      sleep 1 >/dev/null 2>&1 || true
      if ((SECONDS - t0 >= next)); then
        log "$label ($((SECONDS - t0)) s)"
        next=$((next + PROGRESS_EVERY))
      fi
    done
  ) &
  PROGRESS_PID=$!
}

progress_stop() {
  [[ -n "$PROGRESS_PID" ]] || return 0
  kill "$PROGRESS_PID" 2>/dev/null || true
  wait "$PROGRESS_PID" 2>/dev/null || true
  PROGRESS_PID=""
}
trap progress_stop EXIT

# with_progress LABEL CMD...: run CMD with the ticker, return CMD's status.
# Do not redirect the stdout of with_progress itself (the ticker writes there):
# put redirections inside CMD (see `quietly`, `to_log`). CMD runs with set -e
# suspended (it is on the left of ||), so it must check its own errors.
with_progress() {
  local label=$1 rc=0; shift
  progress_start "$label"
  "$@" || rc=$?
  progress_stop
  return "$rc"
}

quietly() { "$@" >/dev/null; }

# to_log FILE CMD...: CMD's stdout and stderr into FILE.
to_log() { local f=$1; shift; "$@" >"$f" 2>&1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "installing $* via apt-get ..."
  # Fresh machines/containers often have no package lists yet.
  with_progress "apt-get update" \
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || die "apt-get update failed"
  with_progress "apt-get install $*" \
    quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" \
    || die "apt-get install $* failed"
}

port_open() {
  timeout 2 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# wait_for SECONDS CMD...: poll CMD until it succeeds or time runs out.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# Prints the pid recorded in pid file $1 if that process is alive AND its
# command line contains $2. Guards against pid reuse after a reboot or a crash,
# where a stale pid file would otherwise make us kill or trust a stranger.
owned_pid() {
  local file=$1 pattern=$2 pid
  [[ -s "$file" ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$pattern" || return 1
  echo "$pid"
}

# A zombie counts as gone: in containers whose init never reaps, /proc/PID stays.
pid_gone() {
  [[ ! -r /proc/$1/stat ]] || [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]]
}

# stop_owned NAME PORT PIDFILE PATTERN: TERM (clean shutdown for all three
# services), escalate to KILL if it hangs. Never touches an unowned process.
stop_owned() {
  local name=$1 port=$2 file=$3 pattern=$4 pid
  if ! pid=$(owned_pid "$file" "$pattern"); then
    rm -f "$file"
    if port_open "$port"; then log "$name: not started by this script, leaving it running"
    else log "$name: not running"; fi
    return 0
  fi
  log "$name: stopping pid $pid ..."
  as_root kill -TERM "$pid" 2>/dev/null || true
  if ! with_progress "$name: waiting for pid $pid to exit" wait_for 30 pid_gone "$pid"; then
    log "$name: still alive after 30s, sending KILL"
    as_root kill -KILL "$pid" 2>/dev/null || true
    wait_for 10 pid_gone "$pid" || die "$name: could not stop pid $pid"
  fi
  rm -f "$file"
  log "$name: stopped"
}

owner_of() {
  local pid
  if pid=$(owned_pid "$1" "$2"); then echo "started by services.sh (pid $pid)"
  else echo "external (not managed by services.sh)"; fi
}

# status_line NAME PORT UP? PIDFILE PATTERN
status_line() {
  local owner="-"
  if [[ $3 == up ]] || owned_pid "$4" "$5" >/dev/null; then owner=$(owner_of "$4" "$5"); fi
  printf '%-8s 127.0.0.1:%-5s %-5s %s\n' "$1" "$2" "$3" "$owner"
}

# ---------------------------------------------------------------- redis

redis_ping() {
  [[ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

redis_up() {
  if redis_ping; then
    log "redis: already up on 127.0.0.1:$REDIS_PORT, $(owner_of "$REDIS_PID" redis-server)"
    return
  fi
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    apt_install redis-server
    # The package's postinst may have started a system instance already.
    if redis_ping; then log "redis: up on 127.0.0.1:$REDIS_PORT (started by the package)"; return; fi
  fi
  port_open "$REDIS_PORT" && die "redis: something listens on $REDIS_PORT but does not answer PING"
  log "redis: starting on 127.0.0.1:$REDIS_PORT ..."
  rm -f "$REDIS_PID"
  # No persistence: it is a cache/lock store for dev and tests. "-::1" = bind
  # IPv6 loopback only if the machine has it.
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$RUN_DIR" \
    --logfile "$REDIS_LOG" --pidfile "$REDIS_PID" 9>&- \
    || { tail_log "$REDIS_LOG"; die "redis: redis-server failed to start"; }
  with_progress "redis: waiting for PONG" wait_for 20 redis_ping \
    || { tail_log "$REDIS_LOG"; die "redis: no PONG after 20s"; }
  log "redis: up (pid $(cat "$REDIS_PID" 2>/dev/null || echo '?'))"
}

# ---------------------------------------------------------------- redis cluster

cluster_node_dir() { echo "$REDIS_CLUSTER_DIR/$1"; }
cluster_node_pid() { echo "$REDIS_CLUSTER_DIR/$1/redis.pid"; }

cluster_cli() { local port=$1; shift; timeout 5 redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null; }

cluster_node_ping() { [[ "$(cluster_cli "$1" ping)" == PONG ]]; }

cluster_all_ping() {
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do cluster_node_ping "$port" || return 1; done
}

# cluster_state_ok: every node sees a healthy cluster of all six nodes, all slots served, and
# three replicas (right after create the roles still travel by gossip for a moment).
cluster_state_ok() {
  local port info replicas
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    info=$(cluster_cli "$port" cluster info) || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q "^cluster_known_nodes:${#REDIS_CLUSTER_PORTS[@]}" <<<"$info" || return 1
    grep -q '^cluster_slots_ok:16384' <<<"$info" || return 1
    replicas=$(cluster_cli "$port" cluster nodes | awk '$3 ~ /slave/ && $3 !~ /fail/' | wc -l)
    ((replicas == ${#REDIS_CLUSTER_PORTS[@]} / 2)) || return 1
  done
}

# A node that was never part of a cluster knows only itself and serves no slot.
cluster_node_fresh() {
  local info
  info=$(cluster_cli "$1" cluster info) || return 1
  grep -q '^cluster_known_nodes:1' <<<"$info" && grep -q '^cluster_slots_assigned:0' <<<"$info"
}

cluster_node_start() {
  local port=$1 dir pid
  dir=$(cluster_node_dir "$port")
  pid=$(cluster_node_pid "$port")
  mkdir -p "$dir"
  if cluster_node_ping "$port"; then
    owned_pid "$pid" "redis-server.*:$port" >/dev/null \
      || die "redis-cluster: 127.0.0.1:$port answers but was not started by this script; ports" \
             "${REDIS_CLUSTER_PORTS[0]}-${REDIS_CLUSTER_PORTS[-1]} must be free for the local cluster"
    return 0
  fi
  port_open "$port" && die "redis-cluster: something listens on $port but does not answer PING"
  rm -f "$pid"
  if [[ -s "$dir/nodes.conf" ]]; then log "redis-cluster: starting node :$port (it rejoins its cluster)"
  else log "redis-cluster: starting node :$port"; fi
  # Written on every start so edits here take effect; nodes.conf (the cluster's own view of
  # itself) is kept, so a restarted node rejoins its cluster. No RDB/AOF: like the single
  # Redis this is for dev and tests; replicas hold copies in memory (diskless sync).
  cat >"$dir/redis.conf" <<EOC
# Generated by scripts/services.sh - edit the script, not this file.
port $port
bind 127.0.0.1
daemonize yes
pidfile $pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout $REDIS_CLUSTER_NODE_TIMEOUT
repl-diskless-sync yes
repl-diskless-sync-delay 0
EOC
  redis-server "$dir/redis.conf" 9>&- \
    || { tail_log "$dir/redis.log"; die "redis-cluster: redis-server on $port failed to start"; }
}

cluster_create() {
  local hosts=() port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do hosts+=("127.0.0.1:$port"); done
  log "redis-cluster: creating the cluster (3 masters, 3 replicas) ..."
  with_progress "redis-cluster: redis-cli --cluster create" \
    to_log "$REDIS_CLUSTER_DIR/create.log" \
    timeout 60 redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes \
    || { tail_log "$REDIS_CLUSTER_DIR/create.log"; die "redis-cluster: redis-cli --cluster create failed"; }
}

# Forget a half-made or broken cluster: every node back to a fresh, empty one.
cluster_reset() {
  local port
  log "redis-cluster: the cluster is not healthy; resetting all six nodes and creating it again"
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    cluster_cli "$port" flushall >/dev/null || true
    cluster_cli "$port" cluster reset hard >/dev/null \
      || die "redis-cluster: CLUSTER RESET on $port failed"
  done
}

redis_cluster_up() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || apt_install redis-server
  local port fresh=0
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do cluster_node_start "$port"; done
  with_progress "redis-cluster: waiting for PONG from 6 nodes" wait_for 20 cluster_all_ping \
    || die "redis-cluster: not every node answers after 20s (logs under ${REDIS_CLUSTER_DIR#"$ROOT_DIR"/}/)"
  if cluster_state_ok; then
    log "redis-cluster: already up on 127.0.0.1:${REDIS_CLUSTER_PORTS[0]}-${REDIS_CLUSTER_PORTS[-1]}"
    return
  fi
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do cluster_node_fresh "$port" && fresh=$((fresh + 1)); done
  if ((fresh != ${#REDIS_CLUSTER_PORTS[@]})); then
    # Restarted nodes rejoin by themselves (nodes.conf) and a failover settles within a few
    # node timeouts: give it that time before calling the cluster broken.
    if with_progress "redis-cluster: waiting for cluster_state:ok" wait_for 20 cluster_state_ok; then
      log "redis-cluster: up (rejoined) on 127.0.0.1:${REDIS_CLUSTER_PORTS[0]}-${REDIS_CLUSTER_PORTS[-1]}"
      return
    fi
    cluster_reset
  fi
  cluster_create
  with_progress "redis-cluster: waiting for cluster_state:ok on every node" wait_for 30 cluster_state_ok \
    || { tail_log "$REDIS_CLUSTER_DIR/create.log"; die "redis-cluster: cluster not healthy 30s after create"; }
  log "redis-cluster: up on 127.0.0.1:${REDIS_CLUSTER_PORTS[0]}-${REDIS_CLUSTER_PORTS[-1]}" \
      "(masters $(cluster_masters | tr '\n' ' ')) state in ${REDIS_CLUSTER_DIR#"$ROOT_DIR"/}/"
}

# Ports of the current masters (they change after a failover).
cluster_masters() {
  cluster_cli "${REDIS_CLUSTER_PORTS[0]}" cluster nodes \
    | awk '$3 ~ /master/ && $3 !~ /fail/ && NF >= 9 {split($2, a, "[:@]"); print a[2]}' | sort -n
}

redis_cluster_down() {
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    stop_owned "redis-cluster:$port" "$port" "$(cluster_node_pid "$port")" "redis-server.*:$port"
  done
}

redis_cluster_status() {
  local port rc=0 state
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    if cluster_node_ping "$port"; then state=up; else state=down; rc=1; fi
    status_line "rc:$port" "$port" "$state" "$(cluster_node_pid "$port")" "redis-server.*:$port"
  done
  if cluster_state_ok; then log "redis-cluster: cluster_state ok, masters $(cluster_masters | tr '\n' ' ')"
  else log "redis-cluster: cluster not healthy"; rc=1; fi
  return $rc
}

# ---------------------------------------------------------------- mariadb

# Find a way in as root: configured TCP args first (CI: root without password),
# then the unix socket, which is how Debian's default root@localhost
# (unix_socket auth) accepts the OS root user.
mariadb_find_root() {
  command -v mariadb >/dev/null || return 1
  local -a candidates=("mariadb ${MARIADB_ROOT_ARGV[*]}" "mariadb -uroot")
  [[ $EUID -ne 0 ]] && candidates+=("sudo -n mariadb -uroot")
  local c
  for c in "${candidates[@]}"; do
    read -r -a MARIADB_ROOT <<<"$c"
    if "${MARIADB_ROOT[@]}" --connect-timeout=3 -e 'select 1' >/dev/null 2>&1; then
      return 0
    fi
  done
  MARIADB_ROOT=()
  return 1
}

mariadb_start() {
  if ! command -v mariadbd >/dev/null && ! [[ -x /usr/sbin/mariadbd ]]; then
    apt_install mariadb-server
    # The package's postinst may have started a system instance already.
    if mariadb_find_root; then log "mariadb: up (started by the package)"; return; fi
  fi
  if port_open "$MARIADB_PORT"; then
    die "mariadb: something listens on 127.0.0.1:$MARIADB_PORT but root login failed;" \
        "set MARIADB_ROOT_ARGS (e.g. '-h127.0.0.1 -uroot -pSECRET')"
  fi
  log "mariadb: starting on 127.0.0.1:$MARIADB_PORT ..."
  # mariadbd needs its socket dir; without systemd/tmpfiles nobody creates it.
  as_root install -d -o mysql -g mysql /run/mysqld
  # Plain start-stop-daemon instead of `service`/systemd: works in containers
  # without an init system and gives us our own pid file for `down`. Address
  # and port are forced so a distro config cannot expose it beyond loopback.
  as_root start-stop-daemon --start --oknodo --background \
    --make-pidfile --pidfile "$MARIADB_PID" --output "$MARIADB_LOG" \
    --exec /usr/sbin/mariadbd -- \
    --user=mysql --bind-address=127.0.0.1 --port="$MARIADB_PORT" 9>&- \
    || { tail_log "$MARIADB_LOG"; die "mariadb: start-stop-daemon failed"; }
  if ! with_progress "mariadb: waiting for root login" wait_for 60 mariadb_find_root; then
    tail_log "$MARIADB_LOG"
    tail_log /var/log/mysql/error.log 20
    die "mariadb: not answering after 60s"
  fi
  log "mariadb: up (pid $(cat "$MARIADB_PID" 2>/dev/null || echo '?'))"
}

mariadb_up() {
  if mariadb_find_root; then
    log "mariadb: already up on 127.0.0.1:$MARIADB_PORT, $(owner_of "$MARIADB_PID" mariadbd)"
  else
    mariadb_start
  fi
  # Root may have come in over the socket; the app needs TCP.
  port_open "$MARIADB_PORT" || die "mariadb: answers on the socket but not on 127.0.0.1:$MARIADB_PORT"

  # Idempotent schema/user setup. ALTER USER re-asserts the password in case
  # the user already existed with another one. Three hosts because with
  # skip-name-resolve a TCP login from 127.0.0.1 does not match 'localhost'.
  local sql="
    CREATE DATABASE IF NOT EXISTS flashsale      CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE DATABASE IF NOT EXISTS flashsale_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE DATABASE IF NOT EXISTS flashsale_chaos CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE DATABASE IF NOT EXISTS flashsale_startup CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  local host
  for host in '%' 'localhost' '127.0.0.1'; do
    sql+="
    CREATE USER IF NOT EXISTS 'flashsale'@'$host' IDENTIFIED BY 'flashsale';
    ALTER USER 'flashsale'@'$host' IDENTIFIED BY 'flashsale';
    GRANT ALL PRIVILEGES ON flashsale.*      TO 'flashsale'@'$host';
    GRANT ALL PRIVILEGES ON flashsale_test.* TO 'flashsale'@'$host';
    GRANT ALL PRIVILEGES ON flashsale_chaos.* TO 'flashsale'@'$host';
    GRANT ALL PRIVILEGES ON flashsale_startup.* TO 'flashsale'@'$host';"
  done
  "${MARIADB_ROOT[@]}" -e "$sql" || die "mariadb: creating databases/user failed (as: ${MARIADB_ROOT[*]})"
  mariadb -h127.0.0.1 -P"$MARIADB_PORT" -uflashsale -pflashsale --connect-timeout=3 \
    -e 'select 1' flashsale_test >/dev/null 2>&1 \
    || die "mariadb: login as flashsale@127.0.0.1 failed after setup"
  log "mariadb: databases flashsale, flashsale_test, flashsale_chaos, flashsale_startup and user flashsale/flashsale ready"
}

# ---------------------------------------------------------------- kafka

# Short-lived CLI JVMs: C1 only + serial GC start noticeably faster on 2 cores.
# The timeout is a last resort; admin calls carry their own shorter timeouts.
kafka_tool() {
  timeout 60 java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_fetch_libs() {
  # Re-fetch when the pom changes, not only when the dir is missing; a
  # half-finished download never becomes the libs dir thanks to the temp dir.
  local stamp want t0=$SECONDS
  want=$(sha256sum "$KAFKA_CONF_DIR/pom.xml" | cut -d' ' -f1)
  stamp=$(cat "$KAFKA_LIBS/.pom.sha256" 2>/dev/null || true)
  if [[ "$stamp" == "$want" ]] && compgen -G "$KAFKA_LIBS/*.jar" >/dev/null; then
    return
  fi
  log "kafka: fetching Kafka jars with ./mvnw (scripts/kafka/pom.xml; Maven Central unless cached) ..."
  rm -rf "$KAFKA_LIBS.tmp"
  with_progress "kafka: fetching jars" env -C "$ROOT_DIR" ./mvnw -q -f scripts/kafka/pom.xml \
      dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS.tmp" \
    || die "kafka: fetching jars with ./mvnw failed"
  echo "$want" >"$KAFKA_LIBS.tmp/.pom.sha256"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  local jars=("$KAFKA_LIBS"/*.jar)
  log "kafka: ${#jars[@]} jars in ${KAFKA_LIBS#"$ROOT_DIR"/} ($((SECONDS - t0)) s)"
}

kafka_write_admin_config() {
  # Bounded timeouts for our own admin calls, so a sick broker fails fast.
  cat >"$KAFKA_ADMIN_PROPS" <<EOP
request.timeout.ms=5000
default.api.timeout.ms=10000
EOP
}

kafka_write_config() {
  # Regenerated on every `up` so edits here take effect; data is kept.
  cat >"$KAFKA_PROPS" <<EOP
# Generated by scripts/services.sh - edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA
num.partitions=3
# Single node: every internal topic must live with one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
EOP
  kafka_write_admin_config
}

kafka_format() {
  # meta.properties is what StorageTool writes; its presence = formatted.
  [[ -f "$KAFKA_DATA/meta.properties" ]] && return
  if [[ ! -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
    kafka_tool kafka.tools.StorageTool random-uuid >"$KAFKA_CLUSTER_ID_FILE" \
      || die "kafka: could not generate a cluster id"
  fi
  log "kafka: formatting storage in ${KAFKA_DATA#"$ROOT_DIR"/} (cluster id $(cat "$KAFKA_CLUSTER_ID_FILE"))"
  with_progress "kafka: formatting storage" to_log "$KAFKA_DIR/format.log" \
    kafka_tool kafka.tools.StorageTool format --ignore-formatted \
    -t "$(cat "$KAFKA_CLUSTER_ID_FILE")" -c "$KAFKA_PROPS" \
    || { tail_log "$KAFKA_DIR/format.log"; die "kafka: storage format failed"; }
}

# Does whatever listens on the Kafka port speak the Kafka protocol? One
# ApiVersions request (api key 18, version 0, request header v1) over bash's
# /dev/tcp: a broker answers with the same correlation id and error code 0 (or
# 35 UNSUPPORTED_VERSION, still a broker). No JVM and no local Kafka jars, so
# it works in a fresh clone and costs milliseconds.
#   request:  int32 size=21 | int16 api_key=18 | int16 version=0
#             | int32 correlation_id=0x7a5e7a5e | int16 len=11 "services.sh"
#   response: int32 size | int32 correlation_id | int16 error_code | ...
# shellcheck disable=SC2016  # $1 expands in the inner bash, on purpose
kafka_speaks() {
  local reply
  reply=$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "\x00\x00\x00\x15\x00\x12\x00\x00\x7a\x5e\x7a\x5e\x00\x0bservices.sh" >&3
      head -c 10 <&3 | od -An -tx1' _ "$KAFKA_PORT" 2>/dev/null | tr -d ' \n') || return 1
  [[ "$reply" =~ ^([0-9a-f]{8})7a5e7a5e(0000|0023)$ ]] || return 1
  local size=$((16#${BASH_REMATCH[1]}))
  ((size >= 6 && size < 1048576))
}

kafka_list_topics() {
  kafka_tool org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --command-config "$KAFKA_ADMIN_PROPS" --list \
    2>"$KAFKA_ADMIN_LOG"
}

# Ready = the broker speaks Kafka AND the admin API answers: ApiVersions is
# answered before the broker has finished loading its metadata log.
# The listing is kept for kafka_ensure_topics: each tool JVM costs ~1.5s.
KAFKA_TOPIC_LIST=""
kafka_ready() {
  kafka_speaks && KAFKA_TOPIC_LIST=$(kafka_list_topics)
}

# kafka_wait_ready [PID]: with PID (our broker), also fail as soon as it dies.
kafka_wait_ready() {
  local pid=${1:-} deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  until kafka_ready; do
    if [[ -n "$pid" ]] && pid_gone "$pid"; then
      rm -f "$KAFKA_PID"
      tail_log "$KAFKA_LOG"
      die "kafka: broker process $pid exited during startup (log: $KAFKA_LOG)"
    fi
    if ((SECONDS >= deadline)); then
      if [[ -n "$pid" ]]; then
        tail_log "$KAFKA_LOG"
        die "kafka: broker not ready after ${KAFKA_START_TIMEOUT}s (pid $pid still running; log: $KAFKA_LOG)"
      fi
      tail_log "$KAFKA_ADMIN_LOG" 20
      die "kafka: the broker on 127.0.0.1:$KAFKA_PORT speaks Kafka but its admin API did not answer" \
          "within ${KAFKA_START_TIMEOUT}s (log: $KAFKA_ADMIN_LOG)"
    fi
    sleep 1
  done
}

kafka_ensure_topics() {
  local spec name parts
  for spec in "${KAFKA_TOPICS[@]}"; do
    name=${spec%%:*} parts=${spec##*:}
    if grep -qxF "$name" <<<"$KAFKA_TOPIC_LIST"; then
      log "kafka: topic $name exists"
      continue
    fi
    with_progress "kafka: creating topic $name" to_log "$KAFKA_DIR/topic.log" \
      kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --command-config "$KAFKA_ADMIN_PROPS" --create --if-not-exists \
      --topic "$name" --partitions "$parts" --replication-factor 1 \
      || { tail_log "$KAFKA_DIR/topic.log"; die "kafka: creating topic $name failed"; }
    log "kafka: topic $name created (partitions: $parts)"
  done
}

kafka_up() {
  command -v java >/dev/null || die "kafka: java not found (Kafka 4.1 needs Java 17+)"
  local pid
  mkdir -p "$KAFKA_DIR"
  if port_open "$KAFKA_PORT"; then
    if pid=$(owned_pid "$KAFKA_PID" kafka.Kafka); then
      # may still be starting from a previous run
      with_progress "kafka: waiting for broker readiness" kafka_wait_ready "$pid"
      log "kafka: already up on 127.0.0.1:$KAFKA_PORT, started by services.sh (pid $pid)"
    else
      # Typically a broker started by another checkout of this project. Checked
      # by protocol first: this checkout may have no Kafka jars yet.
      rm -f "$KAFKA_PID"
      kafka_speaks || die "kafka: something listens on 127.0.0.1:$KAFKA_PORT but does not answer" \
                          "a Kafka ApiVersions request: not a Kafka broker"
      log "kafka: already up on 127.0.0.1:$KAFKA_PORT, external (not managed by services.sh)"
      # The admin tools (topic check/creation) need the jars; the broker is not started.
      kafka_fetch_libs
      kafka_write_admin_config
      with_progress "kafka: waiting for the broker's admin API" kafka_wait_ready
    fi
  else
    kafka_fetch_libs
    kafka_write_config
    kafka_format
    if pid=$(owned_pid "$KAFKA_PID" kafka.Kafka); then
      log "kafka: our broker (pid $pid) is still starting, waiting ..."
    else
      rm -f "$KAFKA_PID"   # stale: process gone or pid reused by something else
      port_open "$KAFKA_CONTROLLER_PORT" \
        && die "kafka: controller port $KAFKA_CONTROLLER_PORT is taken by another process"
      log "kafka: starting broker on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT) ..."
      [[ -f "$KAFKA_LOG" ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"   # keep one previous run
      # setsid: own session, so the broker survives the caller's terminal or
      # CI step ending and is not hit by a Ctrl-C/kill aimed at that group.
      # In a non-interactive script setsid execs in place, so $! is java's pid.
      nohup setsid java -Xmx512m -Xms256m \
        -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/log4j2.properties" \
        -Dkafka.logs.dir="$RUN_DIR" \
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" \
        </dev/null >"$KAFKA_LOG" 2>&1 9>&- &
      pid=$!
      echo "$pid" >"$KAFKA_PID"
    fi
    local t0=$SECONDS
    with_progress "kafka: waiting for broker readiness" kafka_wait_ready "$pid"
    log "kafka: up on 127.0.0.1:$KAFKA_PORT (pid $pid, ready in $((SECONDS - t0))s)"
  fi
  kafka_ensure_topics
}

# ---------------------------------------------------------------- browser

# The console's browser test (ConsoleBrowserTests) drives Debian's Chromium through its
# chromedriver with Selenium. Both come from the same source package, so their versions always
# match; Selenium's own driver download is never needed (and could not work offline).
CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

browser_up() {
  if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
    log "browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) and $CHROMEDRIVER present"
    return
  fi
  apt_install chromium chromium-driver
  [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]] \
    || die "browser: $CHROMIUM or $CHROMEDRIVER still missing after apt-get install"
  log "browser: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local t0=$SECONDS
  redis_up
  ((WITH_CLUSTER)) && redis_cluster_up
  mariadb_up
  kafka_up
  log "all services up ($((SECONDS - t0))s). State in ${RUN_DIR#"$ROOT_DIR"/}/"
}

cmd_down() {
  if ((WITH_CLUSTER)); then redis_cluster_down; return; fi
  # Reverse order of `up`; each only if we started it.
  stop_owned kafka "$KAFKA_PORT" "$KAFKA_PID" kafka.Kafka
  stop_owned mariadb "$MARIADB_PORT" "$MARIADB_PID" mariadbd
  redis_cluster_down
  stop_owned redis "$REDIS_PORT" "$REDIS_PID" redis-server
}

cmd_browser() {
  browser_up
}

cmd_status() {
  local rc=0 state
  if redis_ping; then state=up; else state=down; rc=1; fi
  status_line redis "$REDIS_PORT" "$state" "$REDIS_PID" redis-server
  if mariadb -h127.0.0.1 -P"$MARIADB_PORT" -uflashsale -pflashsale --connect-timeout=3 \
       -e 'select 1' >/dev/null 2>&1 || mariadb_find_root; then state=up; else state=down; rc=1; fi
  status_line mariadb "$MARIADB_PORT" "$state" "$MARIADB_PID" mariadbd
  # Protocol probe only: a full admin round-trip would cost a JVM start (~1.5s).
  if kafka_speaks; then state=up; else state=down; rc=1; fi
  status_line kafka "$KAFKA_PORT" "$state" "$KAFKA_PID" kafka.Kafka
  # The cluster is opt-in: reported only when one of its nodes runs.
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    if cluster_node_ping "$port"; then redis_cluster_status || rc=1; break; fi
  done
  return $rc
}

main() {
  local cmd=${1:-}
  WITH_CLUSTER=0
  case "$cmd ${2:-}" in
    "up --redis-cluster"|"down --redis-cluster") WITH_CLUSTER=1 ;;
    "up "|"down "|"status "|"browser ") ;;
    *) echo "usage: $0 up [--redis-cluster] | down [--redis-cluster] | status | browser" >&2; exit 2 ;;
  esac
  mkdir -p "$RUN_DIR"
  # One invocation at a time (e.g. a dev shell and a test run both calling up).
  # Every daemon we start gets `9>&-`: an inherited fd would keep the lock
  # held for the daemon's whole life and block the next invocation.
  exec 9>"$RUN_DIR/.lock"
  if ! flock -n 9; then
    log "another services.sh is running in this checkout, waiting for it (lock ${RUN_DIR#"$ROOT_DIR"/}/.lock)"
    with_progress "waiting for the other services.sh" flock -w 180 9 \
      || die "another services.sh is still running after 180s (lock $RUN_DIR/.lock)"
  fi
  "cmd_$cmd"
}

main "$@"
