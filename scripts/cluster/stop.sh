#!/usr/bin/env bash
# Stops what start.sh started: the Temporal processes by their recorded pids, then PostgreSQL. Data is kept
# (CLUSTER_HOME); remove that folder to start from nothing.
source "$(dirname "$0")/common.sh"
if [ -s "$CLUSTER_RUN/pids" ]; then
  while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$CLUSTER_RUN/pids"
  for _ in $(seq 1 50); do
    alive=0; while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$CLUSTER_RUN/pids"
    [ $alive = 0 ] && break; sleep 0.2
  done
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$CLUSTER_RUN/pids"
  : > "$CLUSTER_RUN/pids"
fi
[ -s "$PGDATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
log "stopped"
