#!/usr/bin/env bash
# Verified Twitch EventSub notifications per second, end-to-end over HTTP on one server I/O
# thread (server on CPU 0, load on CPU 1), beside nginx answering a static 200 in the same run.
# onair runs the stream service on SQLite in a temp dir; a Twitch channel is linked through the
# local fake (tools/fake-platforms: authorize -> callback) and its platform session started, so
# every notification takes the full path: signature check, timestamp window, dedup on the
# message id, JSON parse and validation, sentiment classification, tracked viewers, buffer.
# webhook_load pre-builds distinct signed channel.chat.message notifications and sends them over
# keep-alive connections; nginx gets the same POSTs from the same generator (and a wrk GET run as
# in bench/http). Afterwards /metrics must count every 2xx of onair as accepted.
# Two load shapes: one request at a time per connection (as Twitch sends), and a pipelining
# window of BENCH_WINDOW requests per connection.
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_WINDOW (default 16),
#   BENCH_NOTIFICATIONS (pre-built per scenario and round, default 300000; a scenario ends early
#   when they are all answered), BENCH_ROUNDS (default 3), ONAIR_BENCH_BUILD (build dir, default
#   build/release), BENCH_JOBS (build jobs, default nproc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
root="$(bench_root)"
"$root/scripts/install-deps.sh" bench
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-32}"
window="${BENCH_WINDOW:-16}"
count="${BENCH_NOTIFICATIONS:-300000}"
rounds="${BENCH_ROUNDS:-3}"
build="${ONAIR_BENCH_BUILD:-$root/build/release}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONAIR_BUILD_TESTS=OFF -DONAIR_BUILD_BENCH=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target onair webhook_load >&2

bench_workdir webhook  # sets $work and $pids; cleaned up on exit

nginx_port="$(free_port)"
pids+=("$(start_nginx_static_200 "$work/nginx" "$nginx_port" 0)")

# The fake Twitch on CPU 1 (idle while measuring): OAuth, Helix users / streams.
taskset -c 1 python3 "$root/tools/fake-platforms/fake_platforms.py" --port 0 >"$work/fake.out" 2>"$work/fake.log" &
pids+=("$!")
for _ in $(seq 1 100); do [[ -s "$work/fake.out" ]] && break; sleep 0.05; done
fake="$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["base_url"])' "$work/fake.out")"

port="$(free_port)"
jwt_secret="bench-secret-bench-secret-bench-secret-0"
webhook_secret="bench-eventsub-secret-$(openssl rand -hex 16)"
ONAIR_JWT_SECRET="$jwt_secret" ONAIR_PORT="$port" ONAIR_IO_THREADS=1 ONAIR_LOG_LEVEL=warn \
  VOICE_SERVICE_ENABLED=false SHOWTIME_SERVICE_ENABLED=false STREAM_SERVICE_ENABLED=true \
  ONAIR_SQLITE_PATH="$work/onair.db" \
  STREAM_TWITCH_AUTH_BASE_URL="$fake" STREAM_TWITCH_API_BASE_URL="$fake" \
  STREAM_TWITCH_CLIENT_ID=fake-twitch-client-id STREAM_TWITCH_CLIENT_SECRET=fake-twitch-client-secret \
  STREAM_TWITCH_WEBHOOK_SECRET="$webhook_secret" STREAM_TOKEN_ENCRYPTION_KEY="$(openssl rand -hex 32)" \
  STREAM_PUBLIC_BASE_URL="http://127.0.0.1:$port" \
  taskset -c 0 "$build/src/onair" serve >"$work/onair.log" 2>&1 &
onair_pid="$!"
pids+=("$onair_pid")
wait_for_port "$nginx_port"
wait_for_port "$port"

# The streamer links Twitch through the fake and goes live (developer: also reads the admin pulse).
export ONAIR_JWT_SECRET="$jwt_secret"
token="$("$build/src/onair" token --account bench-streamer --session "$(cat /proc/sys/kernel/random/uuid)" \
  --role developer)"
read -r session channel < <(python3 "$here/link_session.py" "http://127.0.0.1:$port" "$fake" "$token")
echo "linked Twitch channel $channel through the fake, platform session $session" >&2

accepted() {  # notifications the service counted as accepted so far
  curl -fsS "http://127.0.0.1:$port/metrics" |
    awk '/^onair_stream_webhook_deliveries_total\{/ && /platform="twitch"/ && /outcome="accepted"/ {n += $NF} END {print n + 0}'
}
load() {  # target port, window, seconds, count -> "rate ok non2xx p50 p99 bytes"
  taskset -c 1 "$build/bench/webhook_load" "$1" "$webhook_secret" "$channel" "$root/data/sentiment" \
    "$connections" "$2" "$3" "$4"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$onair_pid/stat"; }  # user + system time of onair
# Nanoseconds onair's threads ran and waited runnable for a CPU (schedstat): the wait is time a
# neighbour on CPU 0 took, which caps the rate whatever onair's own cost.
sched_ns() { cat /proc/"$onair_pid"/task/*/schedstat | awk '{run += $1; wait += $2} END {print run, wait}'; }
steal_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print $9, t}' /proc/stat; }
percent() { python3 -c 'import sys; a, b = map(float, sys.argv[1:]); print(round(100 * a / max(1.0, b), 1))' "$1" "$2"; }

load "$port" 1 2 20000 >/dev/null  # warm-up (also checks the path: exit 1 on any non-2xx)
load "$nginx_port" 1 1 20000 >/dev/null
accepted_before="$(accepted)"
# Each round measures, per load shape, nginx and then onair with the same generator and the same
# signed POSTs (nginx answers 200 without looking), so a noisy neighbour hits both alike; and nginx
# with wrk GET as in bench/http. Shapes: one request at a time per connection (as Twitch sends),
# then a pipelining window. Also printed: onair's CPU time per notification (/proc, user +
# system), how long it waited runnable for CPU 0 (schedstat: a neighbour's share), and the
# hypervisor's steal time of the round.
declare -A rate=() p50=() p99=() cpu=() waited=()
wrk_all="" steal_all="" ok_total=0 non2xx_total=0
measure() {  # name, target port, window
  local t0 r o n l50 l99 run0 wait0 run1 wait1
  t0="$(cpu_ticks)"
  read -r run0 wait0 <<<"$(sched_ns)"
  read -r r o n l50 l99 bytes <<<"$(load "$2" "$3" "$seconds" "$count" || true)"
  [[ -n "${r:-}" ]] || { echo "webhook_load failed" >&2; exit 1; }
  read -r run1 wait1 <<<"$(sched_ns)"
  rate[$1]+="$r " p50[$1]+="$l50 " p99[$1]+="$l99 "
  last="$r"
  if [[ "$2" == "$port" ]]; then
    waited[$1]+="$(percent "$((wait1 - wait0))" "$((run1 - run0 + wait1 - wait0))") "
    cpu[$1]+="$(python3 -c 'import os, sys; t0, t1, n = map(int, sys.argv[1:]); print(round((t1 - t0) * 1e6 / os.sysconf("SC_CLK_TCK") / max(1, n), 1))' \
      "$t0" "$(cpu_ticks)" "$((o + n))") "
    ok_total=$((ok_total + o)) non2xx_total=$((non2xx_total + n))
  fi
  echo "  $1: $r per second ($o 2xx, $n non-2xx, p50 $l50 ms, p99 $l99 ms)" >&2
}
for round in $(seq 1 "$rounds"); do
  read -r steal0 total0 <<<"$(steal_ticks)"
  wrk_all+="$(wrk_rps 1 -t1 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$nginx_port/") "
  measure nginx_one "$nginx_port" 1 && n1="$last"
  measure one "$port" 1 && record_ratio one "$(ratio "$last" "$n1")"
  measure nginx_window "$nginx_port" "$window" && nw="$last"
  measure window "$port" "$window" && record_ratio window "$(ratio "$last" "$nw")"
  read -r steal1 total1 <<<"$(steal_ticks)"
  steal="$(percent "$((steal1 - steal0))" "$((total1 - total0))")"
  steal_all+="$steal "
  echo "round $round done; hypervisor steal ${steal}%" >&2
done
accepted_delta=$(($(accepted) - accepted_before))
pulse_entries="$(curl -fsS 2>/dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"platformSessionId\":\"$session\"}" "http://127.0.0.1:$port/stream/admin/pulse/latest" |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)["sentiments"]))' 2>/dev/null || echo "none yet")"

capacity() { python3 -c "import sys; print(round(1e6 / float(sys.argv[1])))" "$1"; }
# shellcheck disable=SC2086
{
  echo "bench/webhook: ${rounds} rounds x up to ${seconds}s (or ${count} requests) per scenario, ${connections}" \
    "connections, server on CPU 0 (ONAIR_IO_THREADS=1), load on CPU 1 ($(nproc) cores); medians over rounds"
  echo "requests: signed Twitch EventSub channel.chat.message notifications, all distinct, ${bytes} bytes on average;" \
    "webhook_load busy-polls; hypervisor steal per round: ${steal_all}%"
  printf '%-52s %11s %8s %8s %8s %7s\n' "scenario" "per second" "p50 ms" "p99 ms" "vs nginx" "CPU us"
  row() {  # label, name, ratio, cpu
    printf '%-52s %11.0f %8.2f %8.2f %8s %7s\n' "$1" "$(median ${rate[$2]})" "$(median ${p50[$2]})" \
      "$(median ${p99[$2]})" "$3" "$4"
  }
  printf '%-52s %11.0f %8s %8s %8s %7s\n' "nginx static 200, wrk GET (as bench/http)" "$(median $wrk_all)" "-" "-" "-" "-"
  row "nginx static 200, same POSTs, one at a time" nginx_one "1.00" "-"
  row "onair verified notifications, one at a time" one "$(median_ratio one)" "$(median ${cpu[one]})"
  row "nginx static 200, same POSTs, window $window" nginx_window "1.00" "-"
  row "onair verified notifications, window $window" window "$(median_ratio window)" "$(median ${cpu[window]})"
  echo "CPU us: onair's CPU time (user + system) per notification; a dedicated core at that cost would serve" \
    "$(capacity "$(median ${cpu[one]})") / $(capacity "$(median ${cpu[window]})") notifications/s"
  echo "onair runnable but waiting for CPU 0, per round: ${waited[one]}% one at a time, ${waited[window]}% window" \
    "$window (a neighbour's share of the CPU: high values mean the rate is the neighbour's doing)"
  echo "answers: ${ok_total} 2xx, ${non2xx_total} non-2xx (must be 0); accepted by the service (/metrics):" \
    "${accepted_delta} (must equal the 2xx); sentiments in the latest pulse: ${pulse_entries}"
  echo "goal (issue 5): >= 50000 notifications/s on one server thread; median / goal:" \
    "$(ratio "$(median ${rate[one]})" 50000) one at a time, $(ratio "$(median ${rate[window]})" 50000) window $window"
}
if [[ "$non2xx_total" -ne 0 || "$accepted_delta" -ne "$ok_total" ]]; then
  echo "bench/webhook: INVALID RUN; the service counted:" >&2
  curl -fsS "http://127.0.0.1:$port/metrics" | grep '^onair_stream_webhook_deliveries_total' >&2 || true
  tail -20 "$work/onair.log" >&2
  exit 1
fi
