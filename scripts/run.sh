#!/usr/bin/env bash
# Brings up the backing services and runs flashsale on http://127.0.0.1:8080 (Ctrl-C stops it;
# `scripts/services.sh down` stops the services this project started). API calls need a bearer
# token: TOKEN=$(scripts/token.sh alice buyer), see scripts/token.sh.
#   scripts/run.sh --redis-cluster   the same jar on the local Redis Cluster (127.0.0.1:7000-7005),
#                                    switched by configuration alone
set -euo pipefail
cd "$(dirname "$0")/.."
services_args=()
if [[ "${1:-}" == --redis-cluster ]]; then
  services_args=(--redis-cluster)
  export QUARKUS_REDIS_CLIENT_TYPE=cluster QUARKUS_REDIS_HOSTS=redis://127.0.0.1:7000,redis://127.0.0.1:7001,redis://127.0.0.1:7002,redis://127.0.0.1:7003,redis://127.0.0.1:7004,redis://127.0.0.1:7005 \
    FLASHSALE_REDIS_REPLICA_ACKS=1
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--redis-cluster]" >&2; exit 2
fi
# the dev JWT key pair: the service verifies bearer tokens with .run/jwt/public.pem and
# scripts/token.sh signs them with .run/jwt/private.pem
if [[ ! -f .run/jwt/private.pem || ! -f .run/jwt/public.pem ]]; then
  java scripts/jwt/TokenTool.java init .run/jwt
fi
scripts/services.sh up "${services_args[@]}"
./mvnw -B -q package -DskipTests
exec java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar
