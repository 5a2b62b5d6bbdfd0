#!/usr/bin/env bash
# Starts a private RabbitMQ node on loopback for the tests, with every file and
# port of its own (several runs can coexist on one machine).
#
#   rabbitmq.sh start WORKDIR          start a fresh node, write WORKDIR/rabbitmq.env
#   rabbitmq.sh stop WORKDIR           stop the node and its epmd
#   rabbitmq.sh restart-stop WORKDIR   stop the node, keep its data and epmd
#   rabbitmq.sh restart-start WORKDIR  start the same node again (same ports, same data)
#   rabbitmq.sh ctl WORKDIR stop|start the same two, as ONAIR_TEST_RABBITMQ_CTL runs them
#
# WORKDIR/rabbitmq.env exports ONAIR_TEST_RABBITMQ_URL and ONAIR_TEST_RABBITMQ_CTL.
# Quiet on success; on failure the node's output is in WORKDIR/log/.
set -euo pipefail

RMQ_BIN=/usr/lib/rabbitmq/bin
STARTUP_TIMEOUT=60
SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

die() {
  echo "rabbitmq.sh: $*" >&2
  exit 1
}

usage() {
  die "usage: rabbitmq.sh start|stop|restart-stop|restart-start WORKDIR | ctl WORKDIR stop|start"
}

# Prints N distinct free loopback TCP ports.
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# Exports the environment of the node living in $WORKDIR (ports from ports.env).
node_env() {
  # shellcheck disable=SC1091
  . "$WORKDIR/ports.env"
  export HOME="$WORKDIR"
  export RABBITMQ_NODENAME="onair-$AMQP_PORT@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$WORKDIR/mnesia"
  export RABBITMQ_LOG_BASE="$WORKDIR/log"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$WORKDIR/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$WORKDIR/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$WORKDIR/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$WORKDIR/rabbitmq-env.conf"
  export RABBITMQ_PID_FILE="$WORKDIR/rabbitmq.pid"
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_EPMD_PORT="$EPMD_PORT"
}

ctl() {
  "$RMQ_BIN/rabbitmqctl" "$@"
}

pid_alive() {
  [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

start_epmd() {
  if pid_alive "$WORKDIR/epmd.pid"; then return 0; fi
  # Our own epmd (not -daemon) so that stop can end it by pid; the node finds
  # it on ERL_EPMD_PORT and does not start another one.
  setsid epmd -port "$EPMD_PORT" -address 127.0.0.1 >"$WORKDIR/log/epmd.out" 2>&1 </dev/null &
  echo $! >"$WORKDIR/epmd.pid"
  for _ in $(seq 1 100); do
    if epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  die "epmd did not start on port $EPMD_PORT"
}

start_node() {
  node_env
  mkdir -p "$WORKDIR/log" "$WORKDIR/mnesia"
  if pid_alive "$WORKDIR/server.pid"; then die "a node is already running in $WORKDIR"; fi
  start_epmd
  setsid "$RMQ_BIN/rabbitmq-server" >>"$WORKDIR/log/server.out" 2>&1 </dev/null &
  echo $! >"$WORKDIR/server.pid"
  # await_startup fails at once while the node is not yet reachable: retry it.
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  until ctl -q await_startup --timeout 10 >>"$WORKDIR/log/ctl.out" 2>&1; do
    if ! pid_alive "$WORKDIR/server.pid"; then
      die "rabbitmq-server exited during startup (see $WORKDIR/log/server.out)"
    fi
    if ((SECONDS >= deadline)); then
      die "rabbitmq did not start within ${STARTUP_TIMEOUT}s (see $WORKDIR/log/)"
    fi
    sleep 0.5
  done
}

stop_node() {
  node_env
  if ! pid_alive "$WORKDIR/server.pid"; then return 0; fi
  ctl -q shutdown >>"$WORKDIR/log/ctl.out" 2>&1 || true
  local pid
  pid="$(cat "$WORKDIR/server.pid")"
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    sleep 1
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$WORKDIR/server.pid"
}

stop_epmd() {
  if pid_alive "$WORKDIR/epmd.pid"; then
    kill "$(cat "$WORKDIR/epmd.pid")" 2>/dev/null || true
  fi
  rm -f "$WORKDIR/epmd.pid"
}

cmd_start() {
  mkdir -p "$WORKDIR"
  WORKDIR="$(cd "$WORKDIR" && pwd)"
  if pid_alive "$WORKDIR/server.pid"; then die "a node is already running in $WORKDIR"; fi
  rm -rf "$WORKDIR/mnesia" "$WORKDIR/log"
  mkdir -p "$WORKDIR/log" "$WORKDIR/mnesia"
  local ports
  read -r -a ports <<<"$(free_ports 3)"
  printf 'AMQP_PORT=%s\nDIST_PORT=%s\nEPMD_PORT=%s\n' "${ports[0]}" "${ports[1]}" "${ports[2]}" >"$WORKDIR/ports.env"
  echo '[].' >"$WORKDIR/enabled_plugins"
  echo '[].' >"$WORKDIR/advanced.config"
  : >"$WORKDIR/rabbitmq-env.conf"
  cat >"$WORKDIR/rabbitmq.conf" <<'EOF'
listeners.tcp.default = 127.0.0.1:5672
loopback_users.guest = true
log.console = false
log.file.level = warning
EOF
  # The node port comes from RABBITMQ_NODE_PORT; keep the conf's listener in step with it.
  sed -i "s/127.0.0.1:5672/127.0.0.1:${ports[0]}/" "$WORKDIR/rabbitmq.conf"
  local erlang_cookie
  erlang_cookie="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  printf '%s' "$erlang_cookie" >"$WORKDIR/.erlang.cookie"
  chmod 400 "$WORKDIR/.erlang.cookie"
  start_node
  cat >"$WORKDIR/rabbitmq.env" <<EOF
export ONAIR_TEST_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:${ports[0]}/%2f
export ONAIR_TEST_RABBITMQ_CTL="$SCRIPT ctl $WORKDIR"
EOF
}

[[ $# -ge 2 ]] || usage
ACTION="$1"
WORKDIR="$2"
if [[ "$ACTION" != start ]]; then
  [[ -f "$WORKDIR/ports.env" ]] || die "no node was started in $WORKDIR"
  WORKDIR="$(cd "$WORKDIR" && pwd)"
fi

case "$ACTION" in
  start) cmd_start ;;
  stop)
    stop_node
    stop_epmd
    ;;
  restart-stop) stop_node ;;
  restart-start) start_node ;;
  ctl)
    [[ $# -eq 3 ]] || usage
    case "$3" in
      stop) stop_node ;;
      start) start_node ;;
      *) usage ;;
    esac
    ;;
  *) usage ;;
esac
