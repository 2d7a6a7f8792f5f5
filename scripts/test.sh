#!/usr/bin/env bash
# Runs the whole test suite against real local services: brings up (or reuses) Redis,
# MariaDB and a single-node Kafka first, then runs every test with the Maven wrapper.
# Then the surefire suite runs once more against a local Redis Cluster (3 masters, 3
# replicas on 127.0.0.1:7000-7005, `-Predis-cluster`, see pom.xml for what it leaves out
# and why); the cluster is started for it and stopped afterwards if this script started it.
#   SKIP_CLUSTER_RUN=1 scripts/test.sh    the single-node run only
# Extra arguments go to both Maven runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh up
# ConsoleBrowserTests drives headless Chromium (Debian's chromium + chromium-driver)
scripts/services.sh browser
# K8sManifestsTests renders k8s/ with kubectl kustomize (client only, no cluster needed)
if ! command -v kubectl >/dev/null 2>&1; then
  echo "installing kubectl (Debian package kubernetes-client)"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q kubernetes-client; else sudo apt-get install -y -q kubernetes-client; fi
fi
./mvnw -B verify "$@"
[[ "${SKIP_CLUSTER_RUN:-0}" == 1 ]] && exit 0

cluster_was_up=0
[[ "$(redis-cli -p 7000 ping 2>/dev/null || true)" == PONG ]] && cluster_was_up=1
if ((!cluster_was_up)); then
  trap 'scripts/services.sh down --redis-cluster' EXIT
fi
scripts/services.sh up --redis-cluster
echo "[test] the surefire suite again, on the Redis Cluster (-Predis-cluster)"
./mvnw -B test -Predis-cluster "$@"
