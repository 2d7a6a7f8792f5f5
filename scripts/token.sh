#!/usr/bin/env bash
# Signs dev JWTs for the local service: RS256 with the key pair under .run/jwt/ (created on first
# use; the service started from the project root verifies with .run/jwt/public.pem).
#
#   scripts/token.sh <subject> <role>...               one token on stdout (nothing else)
#   scripts/token.sh --subjects-from FILE <role>...    one token per line, for the subjects of FILE
#                                                      (one a line, blank lines skipped, FILE's order)
#   TOKEN=$(scripts/token.sh alice buyer)
#   curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{}' \
#     localhost:8080/api/sales/1/purchases
#
# The buyer is the token's subject; roles: buyer, operator, payments.
# Env: FLASHSALE_JWT_ISSUER  issuer (default https://flashsale.local; the service checks
#                            mp.jwt.verify.issuer)
#      FLASHSALE_JWT_TTL     lifetime in seconds (default 3600; the service allows no grace)
# Messages (key creation, timing) go to stderr. The tool is scripts/jwt/TokenTool.java, compiled
# once per version of its source into .run/jwt/tool-<hash>/, so that a call takes well under a
# second instead of compiling the source every time.
set -euo pipefail

usage() { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
bad_usage() { printf 'token.sh: %s\n' "$1" >&2; usage >&2; exit 2; }

SUBJECTS_FROM=""
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --subjects-from)
    if (($# < 2)) || [[ -z "$2" ]]; then bad_usage "--subjects-from needs a file"; fi
    SUBJECTS_FROM="$2"; shift 2
    [[ "$SUBJECTS_FROM" == - || -r "$SUBJECTS_FROM" ]] || bad_usage "cannot read $SUBJECTS_FROM"
    # relative to the caller's directory, not to the project root this script moves to
    if [[ "$SUBJECTS_FROM" != - && "$SUBJECTS_FROM" != /* ]]; then SUBJECTS_FROM="$PWD/$SUBJECTS_FROM"; fi
    (($# >= 1)) || bad_usage "--subjects-from FILE needs at least one role"
    ;;
  --) shift; (($# >= 2)) || bad_usage "a subject and at least one role are needed" ;;
  -*) bad_usage "unknown option: $1" ;;
  *) (($# >= 2)) || bad_usage "a subject and at least one role are needed" ;;
esac
if [[ -z "$SUBJECTS_FROM" && -z "$1" ]]; then bad_usage "the subject must not be empty"; fi
for arg in "$@"; do [[ -n "$arg" ]] || bad_usage "a role must not be empty"; done
ISSUER="${FLASHSALE_JWT_ISSUER:-https://flashsale.local}"
TTL="${FLASHSALE_JWT_TTL:-3600}"
[[ "$TTL" =~ ^[1-9][0-9]{0,9}$ ]] || bad_usage "FLASHSALE_JWT_TTL must be a positive number of seconds, not '$TTL'"

cd "$(dirname "$0")/.."
JWT_DIR=.run/jwt
SRC=scripts/jwt/TokenTool.java

# tool ARGS...: runs TokenTool from classes compiled for this exact source (javac into a temp
# dir, then an atomic rename: concurrent callers never see a half-written dir), or straight from
# the source file when javac is missing. JVM options: the JVM_OPTS array.
JVM_OPTS=()
tool() {
  local hash dir tmp
  if command -v javac >/dev/null 2>&1 && command -v sha256sum >/dev/null 2>&1; then
    hash=$(sha256sum "$SRC" | cut -c1-16)
    dir="$JWT_DIR/tool-$hash"
    if [[ ! -f "$dir/TokenTool.class" ]]; then
      mkdir -p "$JWT_DIR"
      tmp=$(mktemp -d "$JWT_DIR/.tool-tmp.XXXXXX")
      if javac --release 17 -nowarn -d "$tmp" "$SRC" >&2 && mv -T "$tmp" "$dir" 2>/dev/null; then
        # classes of older versions of the source (left alone for a while: one may be running)
        find "$JWT_DIR" -maxdepth 1 -name 'tool-*' ! -name "tool-$hash" -mmin +10 -exec rm -rf {} + 2>/dev/null || true
      fi
      rm -rf "$tmp"
    fi
    if [[ -f "$dir/TokenTool.class" ]]; then
      java "${JVM_OPTS[@]}" -cp "$dir" TokenTool "$@"
      return
    fi
  fi
  java "${JVM_OPTS[@]}" "$SRC" "$@"
}

if [[ ! -f "$JWT_DIR/private.pem" || ! -f "$JWT_DIR/public.pem" ]]; then
  tool init "$JWT_DIR" >&2
fi

SIGN=(sign --key "$JWT_DIR/private.pem" --issuer "$ISSUER" --ttl-seconds "$TTL")
if [[ -n "$SUBJECTS_FROM" ]]; then
  tool "${SIGN[@]}" --subjects-from "$SUBJECTS_FROM" -- "$@"
else
  JVM_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC) # one signature: C1 alone starts faster
  tool "${SIGN[@]}" -- "$@"
fi
