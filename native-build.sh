#!/usr/bin/env bash
# Builds the GraalVM native executable of flashsale, then its container image.
#
#   ./native-build.sh [-Pmysql] [image]      image defaults to ghcr.io/flashsale/flashsale:0.1.0
#
# Production talks to MySQL 8: build with -Pmysql (the default build carries the MariaDB driver).
# The executable is built with a local GraalVM/Mandrel (native-image on PATH or GRAALVM_HOME)
# when present, otherwise inside a builder container when docker or podman runs here; otherwise
# the script says what to install and stops. Lua scripts and Flyway migrations are registered as
# native resources in application.properties (quarkus.native.resources.includes).
set -euo pipefail
cd "$(dirname "$0")"

maven_args=()
image="ghcr.io/flashsale/flashsale:0.1.0"
for arg in "$@"; do
  case "$arg" in
    -*) maven_args+=("$arg") ;;
    *) image="$arg" ;;
  esac
done

engine=""
for candidate in docker podman; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" info >/dev/null 2>&1; then
    engine="$candidate"
    break
  fi
done

if command -v native-image >/dev/null 2>&1 || [ -x "${GRAALVM_HOME:-/nonexistent}/bin/native-image" ]; then
  ./mvnw -B package -Dnative -DskipTests "${maven_args[@]}"
elif [ -n "$engine" ]; then
  ./mvnw -B package -Dnative -DskipTests -Dquarkus.native.container-build=true \
    -Dquarkus.native.container-runtime="$engine" "${maven_args[@]}"
else
  cat >&2 <<'MSG'
native-build.sh: no way to build a native executable here.
Install one of:
  - GraalVM for JDK 17+ or Mandrel (set GRAALVM_HOME, or put native-image on PATH), or
  - a running Docker or Podman engine (the build then runs in a Mandrel builder image).
The JVM build (./mvnw package) and its integration tests (./mvnw verify) need neither.
MSG
  exit 1
fi

if [ -z "$engine" ]; then
  echo "native executable built: $(ls target/*-runner); no docker/podman here, so no image was built" >&2
  exit 0
fi
"$engine" build -f src/main/docker/Dockerfile.native-micro -t "$image" .
echo "built image $image; push it and deploy with: kubectl apply -k k8s/overlays/production"
