#!/usr/bin/env bash
# Run benchmarks against a throwaway PostgreSQL server, started the way CI starts one (.ci/run), stopped after.
# Usage (as root, with Debian's postgresql package): bench/postgres.sh [benchmark ...], e.g. bench/postgres.sh writeback
# The benchmarks create their own databases on it; REDIS_URL, when set, is passed on to the workers. Commits do not
# wait for the WAL flush (synchronous_commit=off), like the SQLite default (WAL, synchronous=NORMAL).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BIN="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -n 1)/bin"
PG_DATA="$(mktemp -d /tmp/switchboard-bench-pg.XXXXXX)"
PG_PORT="${BENCH_PG_PORT:-55433}"
chown postgres "$PG_DATA"
cleanup() {
  su postgres -c "$PG_BIN/pg_ctl -D $PG_DATA -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PG_DATA"
}
trap cleanup EXIT
su postgres -c "$PG_BIN/initdb -D $PG_DATA -A trust -U postgres" >/dev/null
su postgres -c "$PG_BIN/pg_ctl -D $PG_DATA -w -l $PG_DATA/server.log \
  -o '-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=200' start" >/dev/null
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres" make bench ARGS="$*"
