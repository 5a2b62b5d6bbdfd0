#!/usr/bin/env bash
# HTTP throughput of onair on one I/O thread, beside nginx answering a static
# 200 with one worker, measured in the same run on the same CPUs (server on
# CPU 0, wrk on CPU 1). Prints requests/s and the ratio to nginx.
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_ROUNDS (default 3)
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
rounds="${BENCH_ROUNDS:-3}"
# Warm-up, then rounds that each measure nginx and every onair scenario back to back;
# the table shows medians over rounds (ratios: the median of each round's own ratio).
wrk_rps 1 -t1 -c8 -d1s "http://127.0.0.1:$nginx_port/" >/dev/null
wrk_rps 1 -t1 -c8 -d1s "http://127.0.0.1:$onair_port/healthz" >/dev/null
declare -A rps=() p50=() p99=()
measure() {  # name, wrk arguments...
  local name="$1" r l50 l99
  shift
  read -r r l50 l99 <<<"$(wrk_rps_latency 1 "${wrk_args[@]}" "$@")"
  rps[$name]+="$r "
  p50[$name]="$l50"
  p99[$name]="$l99"
  last="$r"
}
for round in $(seq 1 "$rounds"); do
  measure nginx "http://127.0.0.1:$nginx_port/" && n="$last"
  measure health "http://127.0.0.1:$onair_port/healthz" && h="$last"
  WRK_TOKEN="$token" WRK_PATH=/sample/echo WRK_BODY='{"message":"hello from wrk","repeat":2}' \
    measure echo -s "$here/post.lua" "http://127.0.0.1:$onair_port" && e="$last"
  WRK_TOKEN="$token" WRK_PATH=/sample/counter/increment WRK_BODY='{"name":"bench"}' \
    measure counter -s "$here/post.lua" "http://127.0.0.1:$onair_port" && c="$last"
  record_ratio health "$(ratio "$h" "$n")"
  record_ratio echo "$(ratio "$e" "$n")"
  record_ratio counter "$(ratio "$c" "$n")"
  echo "round $round: nginx $n, healthz $h, echo $e, counter $c requests/s" >&2
done

echo "bench/http: ${rounds} rounds x ${seconds}s per scenario, ${connections} connections, server on CPU 0, wrk on CPU 1 ($(nproc) cores)"
echo "medians over rounds; p50/p99 from the last round"
row() { printf '%-48s %12.0f %9s %9s %9s\n' "$1" "$(median ${rps[$2]})" "${p50[$2]}" "${p99[$2]}" "$3"; }
printf '%-48s %12s %9s %9s %9s\n' "scenario" "requests/s" "p50" "p99" "vs nginx"
row "nginx static 200 (1 worker)" nginx "1.00"
row "onair GET /healthz" health "$(median_ratio health)"
row "onair POST /sample/echo (JWT, validation)" echo "$(median_ratio echo)"
row "onair POST /sample/counter/increment (state, bus)" counter "$(median_ratio counter)"
echo "goal (issue 2): representative JSON POST vs nginx >= 0.5"
