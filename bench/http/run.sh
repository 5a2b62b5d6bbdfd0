#!/usr/bin/env bash
# HTTP throughput of onair on one I/O thread, beside nginx answering a static
# 200 with one worker, measured in the same run on the same CPUs (server on
# CPU 0, wrk on CPU 1). Prints requests/s and the ratio to nginx.
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
root="$(bench_root)"
"$root/scripts/install-deps.sh" bench
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-32}"
onair="$(bench_build_onair)"

bench_workdir http  # sets $work and $pids; cleaned up on exit

nginx_port="$(free_port)"
pids+=("$(start_nginx_static_200 "$work/nginx" "$nginx_port" 0)")
onair_port="$(free_port)"
export ONAIR_JWT_SECRET="bench-secret-bench-secret-bench-secret-0"
ONAIR_PORT="$onair_port" ONAIR_IO_THREADS=1 ONAIR_LOG_LEVEL=warn SAMPLE_SERVICE_ENABLED=true \
  VOICE_SERVICE_ENABLED=false STREAM_SERVICE_ENABLED=false SHOWTIME_SERVICE_ENABLED=false \
  ONAIR_SQLITE_PATH="$work/onair.db" ONAIR_WEB_ROOT="$root/web" \
  taskset -c 0 "$onair" serve >"$work/onair.log" 2>&1 &
pids+=("$!")
wait_for_port "$nginx_port"
wait_for_port "$onair_port"
token="$("$onair" token --account bench --session bench-session --role user)"

wrk_args=(-t1 -c"$connections" -d"${seconds}s")
# Warm-up, then the measured runs.
wrk_rps 1 -t1 -c8 -d1s "http://127.0.0.1:$nginx_port/" >/dev/null
wrk_rps 1 -t1 -c8 -d1s "http://127.0.0.1:$onair_port/healthz" >/dev/null
read -r nginx_rps nginx_p50 nginx_p99 <<<"$(wrk_rps_latency 1 "${wrk_args[@]}" "http://127.0.0.1:$nginx_port/")"
read -r health_rps health_p50 health_p99 <<<"$(wrk_rps_latency 1 "${wrk_args[@]}" "http://127.0.0.1:$onair_port/healthz")"
read -r echo_rps echo_p50 echo_p99 <<<"$(WRK_TOKEN="$token" WRK_PATH=/sample/echo \
  WRK_BODY='{"message":"hello from wrk","repeat":2}' \
  wrk_rps_latency 1 "${wrk_args[@]}" -s "$here/post.lua" "http://127.0.0.1:$onair_port")"
read -r counter_rps counter_p50 counter_p99 <<<"$(WRK_TOKEN="$token" WRK_PATH=/sample/counter/increment \
  WRK_BODY='{"name":"bench"}' wrk_rps_latency 1 "${wrk_args[@]}" -s "$here/post.lua" "http://127.0.0.1:$onair_port")"

echo "bench/http: ${seconds}s per run, ${connections} connections, server on CPU 0, wrk on CPU 1 ($(nproc) cores)"
row() { printf '%-48s %12.0f %9s %9s %9s\n' "$1" "$2" "$3" "$4" "$5"; }
printf '%-48s %12s %9s %9s %9s\n' "scenario" "requests/s" "p50" "p99" "vs nginx"
row "nginx static 200 (1 worker)" "$nginx_rps" "$nginx_p50" "$nginx_p99" "1.00"
row "onair GET /healthz" "$health_rps" "$health_p50" "$health_p99" "$(ratio "$health_rps" "$nginx_rps")"
row "onair POST /sample/echo (JWT, validation)" "$echo_rps" "$echo_p50" "$echo_p99" "$(ratio "$echo_rps" "$nginx_rps")"
row "onair POST /sample/counter/increment (state, bus)" "$counter_rps" "$counter_p50" "$counter_p99" \
  "$(ratio "$counter_rps" "$nginx_rps")"
echo "goal (issue 2): representative JSON POST vs nginx >= 0.5"
