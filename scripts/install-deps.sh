#!/usr/bin/env bash
# Installs the Debian 12 packages onair needs to build, run and test, but only
# those that are missing (so a prepared machine pays nothing).
#   install-deps.sh build   what `onair` needs to build and run
#   install-deps.sh test    plus the servers and tools the test suite starts
#   install-deps.sh bench   plus nginx and wrk (the benchmarks' peer and load generator)
#   install-deps.sh packages P...   exactly these packages (used by tests/e2e/setup.sh)
set -euo pipefail

BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config python3 python3-yaml
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libcurl4-openssl-dev libspdlog-dev libcli11-dev
  libhiredis-dev librabbitmq-dev libmariadb-dev libsqlite3-dev libjemalloc-dev
)
TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server rabbitmq-server mariadb-server
  chromium nodejs
)

BENCH_PACKAGES=(nginx wrk)

# Installs the given packages with apt without starting system-wide services
# (the tests start private servers).
apt_install() {
  echo "install-deps: installing $*" >&2
  local sudo_cmd=() policy=/usr/sbin/policy-rc.d created_policy=0 status=0
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod +x "$policy"
    created_policy=1
  fi
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
  [[ $created_policy -eq 1 ]] && "${sudo_cmd[@]}" rm -f "$policy"
  [[ $status -eq 0 ]] || echo "install-deps: apt-get install $* failed" >&2
  return "$status"
}

mode="${1:-build}"
if [[ "$mode" == packages ]]; then
  shift
  apt_install "$@"
  exit
fi
packages=("${BUILD_PACKAGES[@]}")
[[ "$mode" == test ]] && packages+=("${TEST_PACKAGES[@]}")
[[ "$mode" == bench ]] && packages+=("${BENCH_PACKAGES[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
apt_install "${missing[@]}"

