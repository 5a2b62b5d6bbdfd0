# Shared by the benchmark scripts: release build, free ports, nginx as the
# same-run peer, wrk runs. Source it; it defines functions only.

bench_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# Builds the Release `onair` (no tests) into build/release; prints the binary path.
bench_build_onair() {
  local root build
  root="$(bench_root)"
  build="$root/build/release"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONAIR_BUILD_TESTS=OFF \
    -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
  cmake --build "$build" -j "$(nproc)" --target onair >&2
  echo "$build/src/onair"
}

# Creates $work (a temp dir) and $pids (processes to kill); both go away on exit.
bench_workdir() {
  work="$(mktemp -d "/tmp/onair-bench-$1.XXXXXX")"
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts TCP on 127.0.0.1:$1.
wait_for_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# Starts nginx (1 worker, pinned to CPU $3) answering 200 with a small JSON body
# on port $2; workdir $1. Prints its pid.
start_nginx_static_200() {
  local dir="$1" port="$2" cpu="$3"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
  access_log off;
  # As onair: a keep-alive connection is never closed for its number of requests (nginx's
  # default closes one after 1000, and a reconnect every 1000 requests is not the peer's best).
  keepalive_requests 100000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
  taskset -c "$cpu" nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/nginx.log" 2>&1 &
  echo $!
}

# Runs wrk pinned to CPU $1 with the remaining arguments; prints requests/s.
wrk_rps() {
  local cpu="$1"
  shift
  taskset -c "$cpu" wrk "$@" | awk '/^Requests\/sec:/ {print $2}'
}

# Runs wrk --latency pinned to CPU $1; prints "requests/s p50 p99" (latencies as wrk prints them).
wrk_rps_latency() {
  local cpu="$1"
  shift
  taskset -c "$cpu" wrk --latency "$@" | awk '
    /^Requests\/sec:/ {rps = $2}
    /^ +50%/ {p50 = $2}
    /^ +99%/ {p99 = $2}
    END {print rps, p50, p99}'
}

# CPU time (user + system, all threads) a process has used so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clock_ticks_per_second() { getconf CLK_TCK; }
# The pid of the worker process of the nginx started by start_nginx_static_200 (master pid $1).
nginx_worker_pid() {
  local worker=""
  for _ in $(seq 1 100); do
    worker="$(pgrep -P "$1" | head -n 1 || true)"
    [[ -n "$worker" ]] && break
    sleep 0.05
  done
  echo "$worker"
}
# Microseconds of CPU per operation: ticks $1 over $2 operations per second for $3 seconds.
cpu_us_per_op() {
  python3 -c "import sys; t, r, s, hz = map(float, sys.argv[1:]); print(f'{t / hz * 1e6 / (r * s):.2f}' if r > 0 else '0')" \
    "$1" "$2" "$3" "$(clock_ticks_per_second)"
}

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

# Median of the numbers given as arguments.
median() { python3 -c "import statistics, sys; print(statistics.median(float(a) for a in sys.argv[1:]))" "$@"; }

# Round $2 of ratio $1 (name) → stored for median_ratio; rounds alternate the
# peer and onair so that a noisy neighbour hits both alike.
declare -A bench_ratios=()
record_ratio() { bench_ratios[$1]+="$2 "; }
median_ratio() {
  if [[ -z "${bench_ratios[$1]:-}" ]]; then echo "-"; return; fi  # every round of it failed
  # shellcheck disable=SC2086
  python3 -c "import statistics, sys; print(f'{statistics.median(float(a) for a in sys.argv[1:]):.2f}')" ${bench_ratios[$1]}
}
