#!/usr/bin/env bash
# Builds onair (Release) and runs `onair serve` on its embedded defaults:
# in-memory state, SQLite file, in-process bus; no other server needed.
# Installs missing Debian packages first. Arguments go to `onair serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
build="${ONAIR_BUILD_DIR:-build/release}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONAIR_BUILD_TESTS=OFF \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j "$(nproc)" --target onair
exec "$build/src/onair" serve "$@"
