#!/usr/bin/env bash
# Runs the whole test suite against real local services: brings up (or reuses) Redis,
# MariaDB and a single-node Kafka first, then runs every test with the Maven wrapper.
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
exec ./mvnw -B verify "$@"
