#!/usr/bin/env bash
# The `onair` command as users run it: a bad configuration value stops `serve`
# with exit code 2 and a message naming the variable and the rule (and never a
# secret's value); `config` masks secrets; `token` refuses unknown roles;
# `version` and `openapi` work. Usage: onair_cli_test.sh <onair binary>
set -uo pipefail
onair="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect_refused() {  # env assignment, text the message must contain
  local out status
  out="$(cd "$work" && env ONAIR_PORT=8080 "$1" timeout 10 "$onair" serve 2>&1)"
  status=$?
  [[ $status -eq 2 ]] || fail "$1: exit $status, want 2 ($out)"
  [[ "$out" == *"$2"* ]] || fail "$1: message lacks '$2': $out"
}

expect_refused "ONAIR_PORT=http" 'ONAIR_PORT: must be an integer'
expect_refused "ONAIR_PORT=70000" 'ONAIR_PORT'
expect_refused "ONAIR_STATE_BACKEND=mongo" 'ONAIR_STATE_BACKEND: must be one of memory, redis'
expect_refused "VOICE_SERVICE_ENABLED=perhaps" 'VOICE_SERVICE_ENABLED'
expect_refused "VOICE_P2P_MAX_PARTICIPANTS=1" 'VOICE_P2P_MAX_PARTICIPANTS'
out="$(cd "$work" && ONAIR_JWT_SECRET=short-secret-value ONAIR_PORT=8080 timeout 10 "$onair" serve 2>&1)"
[[ $? -eq 2 ]] || fail "short JWT secret accepted"
[[ "$out" != *short-secret-value* ]] || fail "the secret's value appeared in the error: $out"

out="$(ONAIR_JWT_SECRET=abcdefghijklmnopqrstuvwxyz0123456789 ONAIR_RABBITMQ_URL=amqp://u:hunter2@h/x "$onair" config 2>&1)"
[[ $? -eq 0 ]] || fail "config failed: $out"
[[ "$out" != *abcdefghijklmnopqrstuvwxyz* && "$out" != *hunter2* ]] || fail "config shows a secret: $out"
[[ "$out" == *ONAIR_JWT_SECRET=****"(36 chars)"* ]] || fail "config does not mask the JWT secret: $out"

"$onair" token --account a --role superuser >/dev/null 2>&1 && fail "token accepted an unknown role"
token="$("$onair" token --account a --session s --role user 2>/dev/null)"
[[ "$token" =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || fail "token is not a JWT: $token"
[[ "$("$onair" version)" == "onair "* ]] || fail "version"
"$onair" openapi | python3 -c 'import json,sys; d=json.load(sys.stdin); assert "/voice/room/join" in d["paths"]' ||
  fail "openapi is not the merged document"

if [[ $failures -eq 0 ]]; then echo "onair CLI: all checks passed"; fi
exit $((failures > 0))
