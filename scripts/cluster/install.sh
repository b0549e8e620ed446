#!/usr/bin/env bash
# Installs what the production-style Temporal cluster needs: PostgreSQL 15 (Debian), the Temporal server and its
# SQL schema tool built from the Go module (go install, build cache under CLUSTER_HOME, never in the repository).
# Idempotent: what is there is kept. The build takes several minutes of both cores; it runs at nice 19.
source "$(dirname "$0")/common.sh"

if [ ! -x "$PG_BIN/initdb" ]; then
  log "installing PostgreSQL 15 (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
command -v go >/dev/null || { log "go is missing: install Go ≥ 1.26.8 first (the server's go.mod asks for it)"; exit 1; }
if [ ! -x "$CLUSTER_BIN/server" ] || [ ! -x "$CLUSTER_BIN/sql" ]; then
  log "building go.temporal.io/server $TEMPORAL_SERVER_VERSION (server, sql schema tool) into $CLUSTER_BIN"
  GOBIN="$CLUSTER_BIN" GOCACHE="$CLUSTER_HOME/gocache" GOMODCACHE="$CLUSTER_HOME/gomod" GOTOOLCHAIN=local \
    nice -n 19 go install "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
    "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
fi
[ -x "$TEMPORAL_CLI" ] || bash "$REPO_ROOT/scripts/install-tools.sh"
log "installed: $CLUSTER_BIN/server, $CLUSTER_BIN/sql, $PG_BIN/postgres"
