#!/usr/bin/env bash
# Brings up the backing services and runs flashsale on http://127.0.0.1:8080 (Ctrl-C stops it;
# `scripts/services.sh down` stops the services this project started).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh up
./mvnw -B -q package -DskipTests
exec java ${JAVA_OPTS:-} -jar target/quarkus-app/quarkus-run.jar
