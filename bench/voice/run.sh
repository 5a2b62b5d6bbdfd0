#!/usr/bin/env bash
# Voice throughput on one server I/O thread (server on CPU 0, load on CPU 1),
# beside nginx answering a static 200 in the same run:
#   - join+leave pairs per second over HTTP keep-alive and over /connect WebSocket
#     (each pair is two API calls; the ratio to nginx is given per call and per pair)
#   - signaling relay: ICE-candidate messages per second from one socket to another
# and the server's own CPU time per call (per request for nginx), read from /proc
# around each scenario: a figure that a noisy neighbour on the load's CPU moves less.
# nginx is driven by the same generator as onair (voice_load get-http: GET / on keep-alive
# connections, busy-polling), and the ratios are to that run; a wrk run is shown beside it,
# as in bench/http.
# BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_WINDOW (default 32), BENCH_ROUNDS (default 3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
root="$(bench_root)"
"$root/scripts/install-deps.sh" bench
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-32}"
window="${BENCH_WINDOW:-32}"
build="${ONAIR_BENCH_BUILD:-$root/build/release}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONAIR_BUILD_TESTS=OFF -DONAIR_BUILD_BENCH=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j "$(nproc)" --target onair voice_load >&2

bench_workdir voice  # sets $work and $pids; cleaned up on exit

secret="bench-secret-bench-secret-bench-secret-0"
nginx_port="$(free_port)"
nginx_pid="$(start_nginx_static_200 "$work/nginx" "$nginx_port" 0)"
pids+=("$nginx_pid")
port="$(free_port)"
ONAIR_JWT_SECRET="$secret" ONAIR_PORT="$port" ONAIR_IO_THREADS=1 ONAIR_LOG_LEVEL=warn \
  VOICE_AD_HOC_ROOMS_ENABLED=true VOICE_EMPTY_ROOM_GRACE_PERIOD_SECONDS=3600 VOICE_STUN_SERVERS= \
  STREAM_SERVICE_ENABLED=false SHOWTIME_SERVICE_ENABLED=false ONAIR_SQLITE_PATH="$work/onair.db" \
  taskset -c 0 "$build/src/onair" serve >"$work/onair.log" 2>&1 &
onair_pid="$!"
pids+=("$onair_pid")
wait_for_port "$nginx_port"
wait_for_port "$port"
nginx_worker="$(nginx_worker_pid "$nginx_pid")"

calls() { python3 -c "import sys; print(2 * float(sys.argv[1]))" "$1"; }
load() { taskset -c 1 "$build/bench/voice_load" "$@"; }
# One measured scenario; a failed run is reported (with the server's last log lines) and
# counted as failed instead of stopping the whole benchmark.
failures=0
# CPU per call of each scenario, one line per round, in $work/cpu.<scenario> (measure runs in a
# subshell: $(measure ...)).
cpu_of() { cat "$work/cpu.$1" 2>/dev/null | tr '\n' ' '; }
last_cpu() { tail -n 1 "$work/cpu.$1"; }
measure() {
  local out before
  before="$(cpu_ticks "$onair_pid")"
  if out="$(load "$@" 2>"$work/load.err")"; then
    # CPU per call: a pair is two calls, a relayed message one.
    local per_second="$out"
    [[ "$1" == join-leave-* ]] && per_second="$(calls "$out")"
    cpu_us_per_op "$(($(cpu_ticks "$onair_pid") - before))" "$per_second" "$seconds" >>"$work/cpu.$1"
    echo "$out"
  else
    failures=$((failures + 1))
    echo "bench/voice: scenario $1 failed: $(tr '\n' ' ' <"$work/load.err")" >&2
    tail -n 5 "$work/onair.log" >&2 || true
    echo "failed"
  fi
}
load join-leave-http "$port" "$secret" 4 1 >/dev/null  # warm-up
load get-http "$nginx_port" - 8 1 >/dev/null
# Rounds measure nginx and each onair scenario back to back, so a noisy
# neighbour hits both alike; the table shows medians over rounds.
rounds="${BENCH_ROUNDS:-3}"
nginx_all="" wrk_all="" http_all="" ws_all="" relay_all=""
for round in $(seq 1 "$rounds"); do
  wrk_all+="$(wrk_rps 1 -t1 -c"$connections" -d"${seconds}s" "http://127.0.0.1:$nginx_port/") "
  before="$(cpu_ticks "$nginx_worker")"
  nginx_rps="$(load get-http "$nginx_port" - "$connections" "$seconds")"
  nginx_cpu="$(cpu_us_per_op "$(($(cpu_ticks "$nginx_worker") - before))" "$nginx_rps" "$seconds")"
  echo "$nginx_cpu" >>"$work/cpu.nginx"
  http_pairs="$(measure join-leave-http "$port" "$secret" "$connections" "$seconds")"
  ws_pairs="$(measure join-leave-ws "$port" "$secret" "$connections" "$seconds")"
  relay="$(measure relay-ws "$port" "$secret" "$window" "$seconds")"
  nginx_all+="$nginx_rps "
  if [[ "$http_pairs" != failed ]]; then
    record_ratio http_cpu "$(ratio "$nginx_cpu" "$(last_cpu join-leave-http)")"
    http_all+="$http_pairs "
    record_ratio http_calls "$(ratio "$(calls "$http_pairs")" "$nginx_rps")"
    record_ratio http_pairs "$(ratio "$http_pairs" "$nginx_rps")"
  fi
  if [[ "$ws_pairs" != failed ]]; then
    record_ratio ws_cpu "$(ratio "$nginx_cpu" "$(last_cpu join-leave-ws)")"
    ws_all+="$ws_pairs "
    record_ratio ws_calls "$(ratio "$(calls "$ws_pairs")" "$nginx_rps")"
    record_ratio ws_pairs "$(ratio "$ws_pairs" "$nginx_rps")"
  fi
  if [[ "$relay" != failed ]]; then relay_all+="$relay "; fi
  echo "round $round: nginx $nginx_rps requests/s (wrk $(echo "$wrk_all" | awk '{print $NF}')), pairs http $http_pairs ws $ws_pairs, relay $relay" >&2
done

med() { if [[ -n "$*" ]]; then median "$@"; else echo 0; fi; }
# shellcheck disable=SC2086
echo "bench/voice: ${rounds} rounds x ${seconds}s per scenario, ${connections} connections, server on CPU 0, load on CPU 1 ($(nproc) cores); medians over rounds"
printf '%-40s %12s %14s %14s %12s %12s\n' "scenario" "per second" "calls vs nginx" "pairs vs nginx" "CPU us/call" "CPU vs nginx"
printf '%-40s %12.0f %14s %14s %12s %12s\n' "nginx static 200 (1 worker), wrk" "$(median $wrk_all)" "-" "-" "-" "-"
printf '%-40s %12.0f %14s %14s %12.2f %12s\n' "nginx static 200 (1 worker), same load" "$(median $nginx_all)" "1.00" "-" \
  "$(med $(cpu_of nginx))" "1.00"
printf '%-40s %12.0f %14s %14s %12.2f %12s\n' "join+leave pairs, HTTP keep-alive" "$(med $http_all)" \
  "$(median_ratio http_calls)" "$(median_ratio http_pairs)" "$(med $(cpu_of join-leave-http))" "$(median_ratio http_cpu)"
printf '%-40s %12.0f %14s %14s %12.2f %12s\n' "join+leave pairs, WebSocket /connect" "$(med $ws_all)" \
  "$(median_ratio ws_calls)" "$(median_ratio ws_pairs)" "$(med $(cpu_of join-leave-ws))" "$(median_ratio ws_cpu)"
printf '%-40s %12.0f %14s %14s %12.2f %12s\n' "signaling relay (ICE), messages" "$(med $relay_all)" "-" "-" \
  "$(med $(cpu_of relay-ws))" "-"
echo "CPU us/call: the server's user+system time per API call (per request for nginx, per relayed message for the relay)"
echo "goal (issue 3): join+leave vs nginx >= 0.5 (calls vs nginx: a join or a leave against a static 200; see docs/voice.md)"
if ((failures > 0)); then echo "bench/voice: $failures scenario run(s) failed and are left out of the medians (see above)"; fi
