#!/usr/bin/env bash
# Sentiment classifier throughput on one core, beside the npm packages
# vader-sentiment and sentiment on the same messages in the same run:
# messages/s, the ratio onair/each, and polarity agreement with onair
# (Excited/Supportive/Amused positive, Critical/Bored/Hostile negative,
# Curious/Surprised neutral: docs/sentiment.md).
# BENCH_MESSAGES (default 100000), BENCH_SECONDS (default 3), BENCH_JOBS (build jobs, default nproc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib/common.sh
source "$here/../lib/common.sh"
root="$(bench_root)"
messages="${BENCH_MESSAGES:-100000}"
seconds="${BENCH_SECONDS:-3}"
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONAIR_BUILD_TESTS=OFF -DONAIR_BUILD_BENCH=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j "${BENCH_JOBS:-$(nproc)}" --target bench_sentiment >&2

bench_workdir sentiment  # sets $work and $pids; cleaned up on exit
data="$root/data/sentiment"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

"$build/bench/bench_sentiment" corpus "$data" "$work/corpus.txt" "$messages"
read -r onair_rate bytes _ < <("${pin[@]}" "$build/bench/bench_sentiment" run "$data" "$work/corpus.txt" \
  "$work/onair.polarity" "$seconds")

(cd "$work" && npm install --silent --no-audit --no-fund --no-save vader-sentiment sentiment >/dev/null 2>&1)
npm_lines="$(cd "$work" && "${pin[@]}" node "$here/npm_bench.mjs" "$work/corpus.txt" "$work/onair.polarity" "$seconds")"

echo "bench/sentiment: ${messages} messages from data/sentiment/dev_set.tsv with variations (${bytes} bytes each" \
  "on average), ${seconds}s per analyser, one core"
printf '%-18s %14s %14s %22s\n' "analyser" "messages/s" "onair / this" "polarity agreement"
printf '%-18s %14.0f %14s %22s\n' "onair" "$onair_rate" "1.00" "100.0%"
while read -r name rate agree _; do
  printf '%-18s %14.0f %14s %22s\n' "$name" "$rate" "$(ratio "$onair_rate" "$rate")" "${agree}%"
done <<<"$npm_lines"
echo "goal (issue 5): >= 5 M msg/s/core"
