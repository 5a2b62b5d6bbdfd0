#!/usr/bin/env bash
# A private MariaDB server on loopback for the tests.
#   mariadb.sh start WORKDIR   data, socket, pid and logs inside WORKDIR; a free port;
#                              writes WORKDIR/mariadb.env (ONAIR_TEST_MARIADB_URL)
#   mariadb.sh stop WORKDIR    clean shutdown, then SIGTERM/SIGKILL by pid if needed
# Quiet on success; on failure prints the server log's tail to stderr.
set -euo pipefail

readonly START_TIMEOUT_S=30
readonly STOP_TIMEOUT_S=30

die() {
  echo "mariadb.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop WORKDIR" >&2
  exit 2
}

# True while the process exists and is not a zombie (an exited child that was
# not reaped yet still answers kill -0).
alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

admin() {
  local port=$1
  shift
  mariadb-admin --no-defaults --protocol=TCP -h127.0.0.1 -P"$port" -uroot --connect-timeout=2 "$@"
}

log_tail() {
  [[ -f $WORKDIR/mariadb.log ]] && tail -n 20 "$WORKDIR/mariadb.log" >&2
  return 0
}

start() {
  mkdir -p "$WORKDIR"
  local datadir=$WORKDIR/data socket=$WORKDIR/mariadb.sock pidfile=$WORKDIR/mariadb.pid
  local logfile=$WORKDIR/mariadb.log

  if [[ -f $pidfile ]] && alive "$(cat "$pidfile")"; then
    die "already running in $WORKDIR (pid $(cat "$pidfile"))"
  fi
  rm -f "$pidfile" "$socket" "$WORKDIR/mariadb.env"

  if [[ ! -d $datadir/mysql ]]; then
    if ! mariadb-install-db --no-defaults --datadir="$datadir" --user=root \
      --auth-root-authentication-method=normal --skip-test-db >"$WORKDIR/install.log" 2>&1; then
      tail -n 20 "$WORKDIR/install.log" >&2
      die "mariadb-install-db failed"
    fi
  fi

  # The port is free when chosen but could be taken before mariadbd binds it: try a few.
  local attempt port pid deadline
  for attempt in 1 2 3; do
    port=$(free_port)
    nohup mariadbd --no-defaults --datadir="$datadir" --user=root --port="$port" \
      --bind-address=127.0.0.1 --socket="$socket" --pid-file="$pidfile" --log-error="$logfile" \
      --skip-name-resolve </dev/null >>"$WORKDIR/mariadbd.out" 2>&1 &
    pid=$!
    echo "$pid" >"$WORKDIR/mariadbd.launch.pid"
    deadline=$((SECONDS + START_TIMEOUT_S))
    while ((SECONDS < deadline)); do
      if admin "$port" ping >/dev/null 2>&1; then
        echo "$port" >"$WORKDIR/mariadb.port"
        echo "export ONAIR_TEST_MARIADB_URL=mysql://root:@127.0.0.1:$port/onair_test" >"$WORKDIR/mariadb.env"
        return 0
      fi
      if ! alive "$pid"; then
        wait "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      log_tail
      die "no answer on port $port within ${START_TIMEOUT_S}s"
    fi
    if ! grep -q "Address already in use" "$logfile" 2>/dev/null || ((attempt == 3)); then
      log_tail
      die "mariadbd exited during startup (attempt $attempt)"
    fi
  done
}

stop() {
  [[ -d $WORKDIR ]] || return 0
  local pid="" port=""
  if [[ -f $WORKDIR/mariadb.pid ]]; then
    pid=$(cat "$WORKDIR/mariadb.pid")
  elif [[ -f $WORKDIR/mariadbd.launch.pid ]]; then
    pid=$(cat "$WORKDIR/mariadbd.launch.pid")
  fi
  [[ -f $WORKDIR/mariadb.port ]] && port=$(cat "$WORKDIR/mariadb.port")

  if [[ -n $pid ]] && alive "$pid"; then
    if [[ -n $port ]]; then
      admin "$port" shutdown >/dev/null 2>&1 || true
    fi
    local deadline=$((SECONDS + STOP_TIMEOUT_S))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    fi
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$WORKDIR/mariadb.pid" "$WORKDIR/mariadbd.launch.pid" "$WORKDIR/mariadb.port" "$WORKDIR/mariadb.env" \
    "$WORKDIR/mariadb.sock"
}

[[ $# -eq 2 ]] || usage
WORKDIR=$2
case $1 in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
