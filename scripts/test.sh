#!/usr/bin/env bash
# Builds onair in Debug with ASan/UBSan and runs the whole test suite against
# real Redis, RabbitMQ and MariaDB servers started privately on loopback.
# Installs missing Debian packages first. Extra arguments go to ctest
# (e.g. `scripts/test.sh -R voice`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

scripts/install-deps.sh test

build="${ONAIR_TEST_BUILD_DIR:-build/debug}"
jobs="$(nproc)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DONAIR_SANITIZE=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" -j "$jobs"

servers="$(mktemp -d /tmp/onair-test-servers.XXXXXX)"
stop_servers() {
  for s in redis rabbitmq mariadb; do "$root/scripts/servers/$s.sh" stop "$servers/$s" >/dev/null 2>&1 || true; done
  rm -rf "$servers"
}
trap stop_servers EXIT
for s in redis rabbitmq mariadb; do
  mkdir -p "$servers/$s"
  "$root/scripts/servers/$s.sh" start "$servers/$s"
  # shellcheck disable=SC1090
  source "$servers/$s/$s.env"
done
export ONAIR_TEST_REDIS_URL ONAIR_TEST_RABBITMQ_URL ONAIR_TEST_RABBITMQ_CTL ONAIR_TEST_MARIADB_URL
export ONAIR_TEST_ARTIFACTS="${ONAIR_TEST_ARTIFACTS:-$root/test-artifacts}"
mkdir -p "$ONAIR_TEST_ARTIFACTS"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# The summary line of ctest is the last thing printed.
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
