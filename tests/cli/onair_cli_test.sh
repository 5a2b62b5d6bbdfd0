#!/usr/bin/env bash
# The `onair` command as users run it: a bad configuration value stops `serve`
# with exit code 2 and a message naming the variable and the rule (and never a
# secret's value); `config` masks secrets; `token` refuses unknown roles;
# `version` and `openapi` work; `simulate` replays exactly (same seed, same
# state_hash; another seed, another) and refuses bad arguments with exit 2 (CLI11: 105)
# and a message naming the option. Usage: onair_cli_test.sh <onair binary>
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

# simulate: deterministic replay, different seeds differ, bad arguments refused.
sim_hash() { "$onair" simulate --ticks 200 --phase rising --tags combat,exploration --hype excited:20@5 \
  --event boss_defeat@50 --every 0 "$@" 2>&1 | awk '/^state_hash / {print $2}'; }
h1="$(sim_hash --seed 7)"
h2="$(sim_hash --seed 7)"
h3="$(sim_hash --seed 8)"
[[ "$h1" =~ ^[0-9a-f]{16}$ ]] || fail "simulate printed no state_hash: '$h1'"
[[ "$h1" == "$h2" ]] || fail "simulate: the same seed gave $h1 and $h2"
[[ "$h1" != "$h3" ]] || fail "simulate: seeds 7 and 8 gave the same state_hash $h1"
h4="$("$onair" simulate --seed 3 --sessions 3 --members 500 --ticks 50 --every 0 | awk '/^state_hash / {print $2}')"
h5="$("$onair" simulate --seed 3 --sessions 3 --members 500 --ticks 50 --every 0 | awk '/^state_hash / {print $2}')"
[[ -n "$h4" && "$h4" == "$h5" ]] || fail "simulate: 3 sessions did not replay ($h4, $h5)"
out="$("$onair" simulate --seed 1 --ticks 30 --every 10 --hype excited:30@2 2>&1)"
[[ $? -eq 0 ]] || fail "simulate failed: $out"
[[ "$out" == *"audience"*"engagement"*"hype"* ]] || fail "simulate printed no per-tick header: $out"
[[ "$(grep -cE '^ +(10|20|30) +[0-9]+ ' <<<"$out")" -eq 3 ]] || fail "simulate printed no line every 10 ticks: $out"
expect_sim_refused() {  # arguments..., then the text the message must contain (last argument)
  local want="${*: -1}" out status
  out="$("$onair" simulate "${@:1:$#-1}" 2>&1)"
  status=$?
  [[ $status -ne 0 ]] || fail "simulate ${*:1:$#-1}: accepted"
  [[ "$out" == *"$want"* ]] || fail "simulate ${*:1:$#-1}: message lacks '$want': $out"
}
expect_sim_refused --phase superstar "--phase 'superstar': expected unknown, rising"
expect_sim_refused --hype excited@5 "--hype 'excited@5': expected CATEGORY:COUNT@TICK"
expect_sim_refused --hype joy:5@5 "the category is one of excited"
expect_sim_refused --ticks 10 --event boss_defeat@11 "the tick must be 1..10"
expect_sim_refused --tags 'Bad Tag' "--tags 'Bad Tag'"
expect_sim_refused --ticks 0 "--ticks"
expect_sim_refused --seed minus-one "--seed"
expect_sim_refused --members 50000000 --sessions 2 "at most 50,000,000"

if [[ $failures -eq 0 ]]; then echo "onair CLI: all checks passed"; fi
exit $((failures > 0))
