#!/usr/bin/env bash
# Brings up the backing services and runs flashsale on http://127.0.0.1:8080 (Ctrl-C stops it;
# `scripts/services.sh down` stops the services this project started). API calls need a bearer
# token: TOKEN=$(scripts/token.sh alice buyer), see scripts/token.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# the dev JWT key pair: the service verifies bearer tokens with .run/jwt/public.pem and
# scripts/token.sh signs them with .run/jwt/private.pem
if [[ ! -f .run/jwt/private.pem || ! -f .run/jwt/public.pem ]]; then
  java scripts/jwt/TokenTool.java init .run/jwt
fi
scripts/services.sh up
./mvnw -B -q package -DskipTests
exec java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar
