#!/usr/bin/env bash
# Showtime audience engine on one core beside the upstream plan's way in the same run (issue 4):
# bench_audience (member-updates/s of full ticks for pools of 10 k .. 10 M per kernel, bytes per member,
# CPU share of a 10 M pool at 1 Hz) and bench_audience_redis (one Redis entry per member, GET + SET per
# member per tick) against a private redis-server this script starts on loopback; then the ratio engine/Redis
# at the Redis run's pool size.
# BENCH_JOBS (build jobs, default nproc), BENCH_FILTER (bench_audience --benchmark_filter, default
# BM_Tick_(Scalar|Avx2|Avx512)/ : the cost curve), BENCH_MIN_TIME (seconds per benchmark, default 0.5),
# BENCH_REDIS_MEMBERS (default 100000), BENCH_REDIS_TICKS (default 3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
root="$(bench_root)"
filter="${BENCH_FILTER:-BM_Tick_(Scalar|Avx2|Avx512)/}"
min_time="${BENCH_MIN_TIME:-0.5}"
redis_members="${BENCH_REDIS_MEMBERS:-100000}"
redis_ticks="${BENCH_REDIS_TICKS:-3}"
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONAIR_BUILD_TESTS=OFF -DONAIR_BUILD_BENCH=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target bench_audience bench_audience_redis >&2

command -v redis-server >/dev/null || {
  echo "bench/audience: redis-server is missing (scripts/install-deps.sh test)" >&2
  exit 1
}
bench_workdir audience # sets $work and $pids; cleaned up on exit
trap '"$root/scripts/servers/redis.sh" stop "$work/redis" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$root/scripts/servers/redis.sh" start "$work/redis"
# shellcheck source=/dev/null
source "$work/redis/redis.env"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

echo "bench/audience: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores;" \
  "pinned to one core; redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') (private, loopback)"
echo
echo "== engine (bench_audience, filter '$filter') =="
"${pin[@]}" "$build/bench/bench_audience" --benchmark_filter="$filter" --benchmark_min_time="$min_time" \
  --benchmark_out="$work/engine.json" --benchmark_out_format=json >&2

echo "== Redis, one entry per member (bench_audience_redis $redis_members members x $redis_ticks ticks) =="
ONAIR_BENCH_REDIS_URL="$ONAIR_TEST_REDIS_URL" "${pin[@]}" "$build/bench/bench_audience_redis" "$redis_members" \
  "$redis_ticks" | tee "$work/redis.txt"
echo

python3 - "$work/engine.json" "$work/redis.txt" "$redis_members" <<'PY'
import json, re, sys

engine = json.load(open(sys.argv[1]))
redis_text = open(sys.argv[2]).read()
redis_members = int(sys.argv[3])
rows = {}
for b in engine["benchmarks"]:
    if b.get("error_occurred") or "items_per_second" not in b:
        continue
    m = re.match(r"BM_Tick_(Scalar|Avx2|Avx512)/(\d+)", b["name"])
    if not m:
        continue
    rows.setdefault(int(m.group(2)), {})[m.group(1)] = b

def fmt_rate(r):
    return f"{r / 1e6:8.1f} M/s"

kernels = [k for k in ("Avx512", "Avx2", "Scalar") if any(k in r for r in rows.values())]
print("member-updates/s on one core (full ticks: matching, decay, candidacy, churn with reservoir draws, refill)")
print(f"{'pool':>12}  " + "  ".join(f"{k:>12}" for k in kernels) + f"  {'tick (best)':>12}  {'cpu at 1 Hz':>11}  {'B/member':>8}")
for size in sorted(rows):
    r = rows[size]
    best = max(r.values(), key=lambda b: b["items_per_second"])
    cells = "  ".join(f"{fmt_rate(r[k]['items_per_second']) if k in r else '-':>12}" for k in kernels)
    print(f"{size:>12,}  {cells}  {best['tick_ms']:>9.3f} ms  {best['cpu%_at_1Hz']:>10.3f}%  "
          f"{best['B/member']:>8.1f}")
hot = next((b["hot_B/member"] for r in rows.values() for b in r.values()), None)
if hot is not None:
    print(f"hot state: {hot:.0f} bytes/member")

seq = re.search(r"one request at a time\s*:\s*([\d.]+)", redis_text)
pipe = re.search(r"pipelined.*:\s*([\d.]+)", redis_text)
print()
if not (seq and pipe):
    print("Redis baseline: no figures (see its output above)")
    sys.exit(0)
seq, pipe = float(seq.group(1)), float(pipe.group(1))
print(f"Redis GET+SET per member ({redis_members:,} members): {seq:,.0f}/s one request at a time, "
      f"{pipe:,.0f}/s pipelined (1000/batch)")
size = redis_members if redis_members in rows else min(rows, key=lambda s: abs(s - redis_members)) if rows else None
if size is not None:
    best_kernel, best = max(rows[size].items(), key=lambda kv: kv[1]["items_per_second"])
    rate = best["items_per_second"]
    print(f"engine at {size:,} members ({best_kernel}): {rate / 1e6:,.1f} M member-updates/s")
    print(f"ratio engine/Redis: {rate / pipe:,.0f}x pipelined, {rate / seq:,.0f}x one request at a time")
    for name, b in rows[size].items():
        if name != best_kernel:
            print(f"  ({name}: {b['items_per_second'] / pipe:,.0f}x pipelined)")
ten_m = rows.get(10_000_000)
best10 = max(ten_m.values(), key=lambda b: b["items_per_second"]) if ten_m else None
print()
print("goal (issue 4): >= 250 M member-updates/s/core, <= 32 bytes of hot state per member, "
      "10 M members ticking at 1 Hz under 5% of one core")
if rows:
    top = max(b["items_per_second"] for r in rows.values() for b in r.values())
    print(f"  reached: {top / 1e6:,.0f} M/s at best, {hot:.0f} hot bytes/member"
          + (f", 10 M at 1 Hz: {best10['cpu%_at_1Hz']:.1f}% of a core" if best10 else ", 10 M not measured"))
PY
