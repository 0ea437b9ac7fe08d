#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the store tests and print its SQLAlchemy URL.
#
#   export PLANMON_TEST_PG_URL="$(bash scripts/start_test_postgres.sh)"
#   .venv/bin/pytest tests/test_store*.py
#
# Idempotent: a second call finds the running server and prints the same URL. The server runs as a
# non-root user (PostgreSQL refuses to run as root): the `postgres` system user when started as root
# (created if missing), otherwise the caller. Only the URL goes to stdout; progress goes to stderr.
#
# Environment (all optional):
#   PLANMON_PG_BIN   server binaries        (default /usr/lib/postgresql/15/bin)
#   PLANMON_PG_DIR   cluster directory      (default /tmp/planmon-test-pg; outside git, throwaway)
#   PLANMON_PG_PORT  first port to try      (default 55432; the next free one is taken if busy)
#   PLANMON_PG_DB    database to create     (default planmon_test)
#   stop             as the first argument: stop the server and exit
set -euo pipefail

BIN="${PLANMON_PG_BIN:-/usr/lib/postgresql/15/bin}"
DIR="${PLANMON_PG_DIR:-/tmp/planmon-test-pg}"
FIRST_PORT="${PLANMON_PG_PORT:-55432}"
DB="${PLANMON_PG_DB:-planmon_test}"
DATA="$DIR/data"
PORT_FILE="$DIR/port"
LOG="$DIR/server.log"
ROLE=postgres   # the superuser initdb creates; the tests create and drop one database per test

log() { echo "start_test_postgres: $*" >&2; }

[ -x "$BIN/initdb" ] || { log "找不到 $BIN/initdb:请安装 PostgreSQL 15 服务器(apt-get install postgresql)"; exit 1; }

# Run a command as the server's OS user.
if [ "$(id -u)" = 0 ]; then
  OS_USER=postgres
  if ! id "$OS_USER" >/dev/null 2>&1; then
    log "creating system user $OS_USER"
    useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin "$OS_USER"
  fi
  as_server() { runuser -u "$OS_USER" -- "$@"; }
else
  OS_USER="$(id -un)"
  as_server() { "$@"; }
fi

mkdir -p "$DIR"
[ "$(id -u)" = 0 ] && chown "$OS_USER" "$DIR"
chmod 700 "$DIR"

running() { as_server "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

if [ "${1:-}" = stop ]; then
  if running; then as_server "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2; else log "not running"; fi
  exit 0
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  log "initdb into $DATA"
  as_server "$BIN/initdb" -D "$DATA" -U "$ROLE" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if running && [ -f "$PORT_FILE" ]; then
  PORT="$(cat "$PORT_FILE")"
  log "already running on port $PORT"
else
  PORT="$FIRST_PORT"
  while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
  echo "$PORT" > "$PORT_FILE"
  log "starting on 127.0.0.1:$PORT (log: $LOG)"
  # Loopback only, trust auth, socket in the cluster dir; fsync off: a test server, speed over durability.
  as_server "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$DIR' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >&2
fi

psql_() { as_server "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_ -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  log "creating database $DB"
  psql_ -c "CREATE DATABASE \"$DB\" ENCODING 'UTF8' TEMPLATE template0" >/dev/null
fi

echo "postgresql+psycopg://$ROLE@127.0.0.1:$PORT/$DB"
