#!/usr/bin/env bash
# Starts a private Redis server on loopback for the tests: its own free port,
# data dir inside WORKDIR, no persistence (several runs can coexist).
#
#   redis.sh start WORKDIR   start it, write WORKDIR/redis.env (exports ONAIR_TEST_REDIS_URL)
#   redis.sh stop WORKDIR    stop it (SHUTDOWN NOSAVE, then by pid if needed)
#
# Quiet on success; on failure the server's output is in WORKDIR/redis.log.
set -euo pipefail

STARTUP_TIMEOUT=10  # seconds
STOP_TIMEOUT=5      # seconds before the server is killed

die() {
  echo "redis.sh: $*" >&2
  exit 1
}

usage() {
  die "usage: redis.sh start|stop WORKDIR"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True when $1 is the pid of a running redis-server (not a recycled pid).
is_redis_pid() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null && grep -q 'redis-server' "/proc/$1/comm" 2>/dev/null
}

now_ms() {
  date +%s%3N
}

start_once() {
  local port pid deadline
  port="$(free_port)"
  rm -f "$WORKDIR/redis.pid"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORKDIR/data" --daemonize no --pidfile "$WORKDIR/redis.pid" \
    --logfile '' --loglevel warning --databases 16 \
    </dev/null >"$WORKDIR/redis.log" 2>&1 &
  pid=$!
  echo "$pid" >"$WORKDIR/redis.pid"
  echo "$port" >"$WORKDIR/redis.port"
  deadline=$(($(now_ms) + STARTUP_TIMEOUT * 1000))
  until [[ "$(redis-cli -p "$port" ping 2>/dev/null || true)" == PONG ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      return 1  # exited: most likely the port was taken meanwhile
    fi
    if (($(now_ms) > deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      die "redis-server did not answer within ${STARTUP_TIMEOUT}s; see $WORKDIR/redis.log"
    fi
    sleep 0.02
  done
  printf 'export ONAIR_TEST_REDIS_URL=redis://127.0.0.1:%s/0\n' "$port" >"$WORKDIR/redis.env"
}

start() {
  mkdir -p "$WORKDIR/data"
  if [[ -f "$WORKDIR/redis.pid" ]] && is_redis_pid "$(cat "$WORKDIR/redis.pid")"; then
    die "a server of $WORKDIR is already running (pid $(cat "$WORKDIR/redis.pid"))"
  fi
  rm -f "$WORKDIR/redis.env"
  local attempt
  for attempt in 1 2 3; do
    if start_once; then
      return 0
    fi
  done
  die "redis-server exited at startup ($attempt attempts); see $WORKDIR/redis.log"
}

stop() {
  local port="" pid="" deadline
  [[ -f "$WORKDIR/redis.port" ]] && port="$(cat "$WORKDIR/redis.port")"
  [[ -f "$WORKDIR/redis.pid" ]] && pid="$(cat "$WORKDIR/redis.pid")"
  if [[ -n "$port" ]]; then
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  fi
  if is_redis_pid "$pid"; then
    deadline=$(($(now_ms) + STOP_TIMEOUT * 1000))
    while is_redis_pid "$pid" && (($(now_ms) < deadline)); do
      sleep 0.05
    done
    if is_redis_pid "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      sleep 0.5
      is_redis_pid "$pid" && kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$WORKDIR/redis.env" "$WORKDIR/redis.port" "$WORKDIR/redis.pid"
}

[[ $# -eq 2 ]] || usage
WORKDIR="$2"
case "$1" in
  start)
    mkdir -p "$WORKDIR"
    WORKDIR="$(cd "$WORKDIR" && pwd)"
    start
    ;;
  stop)
    [[ -d "$WORKDIR" ]] || exit 0
    WORKDIR="$(cd "$WORKDIR" && pwd)"
    stop
    ;;
  *) usage ;;
esac
