#!/usr/bin/env bash
# Builds the GraalVM native executable of flashsale.
# Uses a local GraalVM/Mandrel (native-image on PATH or GRAALVM_HOME) when present, otherwise a
# container build when docker or podman exists; otherwise says what to install and stops.
# (The container image and the Kubernetes rollout come with the cloud-delivery issue.)
set -euo pipefail
cd "$(dirname "$0")"

if command -v native-image >/dev/null 2>&1 || [ -x "${GRAALVM_HOME:-/nonexistent}/bin/native-image" ]; then
  exec ./mvnw -B package -Dnative -DskipTests "$@"
fi
for engine in docker podman; do
  if command -v "$engine" >/dev/null 2>&1 && "$engine" info >/dev/null 2>&1; then
    exec ./mvnw -B package -Dnative -DskipTests -Dquarkus.native.container-build=true \
      -Dquarkus.native.container-runtime="$engine" "$@"
  fi
done
cat >&2 <<'MSG'
native-build.sh: no way to build a native executable here.
Install one of:
  - GraalVM for JDK 17+ or Mandrel (set GRAALVM_HOME, or put native-image on PATH), or
  - a running Docker or Podman engine (the build then runs in a Mandrel builder image).
MSG
exit 1
