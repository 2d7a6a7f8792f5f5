#!/usr/bin/env bash
# Runs the whole test suite against real local services: brings up (or reuses) Redis,
# MariaDB and a single-node Kafka first, then runs every test with the Maven wrapper.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh up
exec ./mvnw -B verify "$@"
