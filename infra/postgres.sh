#!/usr/bin/env bash
# PostgreSQL from Debian's package, as a private cluster on 127.0.0.1:5433 owned by this project.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_USER_NAME=campaigns
PG_PASSWORD=campaigns
PG_DATABASE=campaigns
PG_SOCKET_DIR=/tmp

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_postgres() {
  [[ -n "$(pg_bindir)" ]] || apt_install postgresql
  [[ -n "$(pg_bindir)" ]] || fail "PostgreSQL server binaries not found after installing the postgresql package"
}

# PostgreSQL refuses to run as root; when we are root the cluster belongs to the postgres user.
if [[ $(id -u) -eq 0 ]]; then
  PGDATA_DIR="${PGDATA_DIR:-${CAMPAIGNS_DATA_DIR:+$CAMPAIGNS_DATA_DIR/postgres}}"
  PGDATA_DIR="${PGDATA_DIR:-/var/lib/postgresql/triggered-campaigns}"
  as_pg() { runuser -u postgres -- "$@"; }
else
  PGDATA_DIR="${PGDATA_DIR:-$DATA_DIR/postgres}"
  as_pg() { "$@"; }
fi

pg_ready() { "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$LOCAL_POSTGRES_PORT"; }
psql_admin() { as_pg "$(pg_bindir)/psql" -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$LOCAL_POSTGRES_PORT" -U postgres -d postgres "$@"; }

start_postgres() {
  install_postgres
  local bin; bin="$(pg_bindir)"
  if pg_ready; then say "postgres: already running on 127.0.0.1:$LOCAL_POSTGRES_PORT"; provision_roles; return 0; fi
  if [[ ! -f "$PGDATA_DIR/PG_VERSION" ]]; then
    say "postgres: initialising a cluster in $PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PGDATA_DIR"
    as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
      >"$LOG_DIR/postgres-init.log" 2>&1 || fail "initdb failed; see $LOG_DIR/postgres-init.log"
  fi
  say "postgres: starting on 127.0.0.1:$LOCAL_POSTGRES_PORT"
  as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $LOCAL_POSTGRES_PORT -k $PG_SOCKET_DIR" start >/dev/null \
    || fail "postgres did not start; see $PGDATA_DIR/server.log"
  ln -sf "$PGDATA_DIR/server.log" "$LOG_DIR/postgres.log"
  wait_for postgres 30 pg_ready || fail "postgres is not accepting connections; see $LOG_DIR/postgres.log"
  provision_roles
  say "postgres: ready (database $PG_DATABASE)"
}

# The application's role and database. The role may create databases: the admin API's fuzz run
# and some tests work in throwaway ones of their own. It may signal other backends: dropping a
# throwaway database `with (force)` terminates what is still connected to it, an autovacuum worker
# among them, and without pg_signal_backend that fails ("must be a member of the role whose process
# is being terminated or member of pg_signal_backend").
provision_roles() {
  psql_admin <<SQL
SET client_min_messages = warning;
SELECT 'CREATE ROLE $PG_USER_NAME LOGIN PASSWORD ''$PG_PASSWORD''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER_NAME')\gexec
ALTER ROLE $PG_USER_NAME CREATEDB;
GRANT pg_signal_backend TO $PG_USER_NAME;
SELECT 'CREATE DATABASE $PG_DATABASE OWNER $PG_USER_NAME' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DATABASE')\gexec
SQL
}

stop_postgres() {
  local bin; bin="$(pg_bindir)"
  [[ -n "$bin" && -f "$PGDATA_DIR/postmaster.pid" ]] || return 0
  as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null || true
}

case "${1:-start}" in
  start) start_postgres ;;
  stop) stop_postgres ;;
  install) install_postgres ;;
  *) fail "usage: $0 start|stop|install" ;;
esac
