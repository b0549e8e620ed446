#!/usr/bin/env bash
# Starts a Temporal cluster as production runs it, on this machine, all bound to 127.0.0.1: PostgreSQL 15 for
# persistence and visibility, and the server's services as separate processes (frontend, CLUSTER_HISTORY history,
# CLUSTER_MATCHING matching, worker). Creates the databases, applies the schema, registers the `default` namespace
# and the project's search attributes. Prints the environment to point the project at it; stop.sh stops it.
#
#   npm run stack:cluster                         # 1 history, 1 matching
#   CLUSTER_HISTORY=2 CLUSTER_MATCHING=2 npm run stack:cluster
#   CLUSTER_PPROF=1 npm run stack:cluster          # Go's pprof on 127.0.0.1:<each process's gRPC port + 2000>
source "$(dirname "$0")/common.sh"
bash "$(dirname "$0")/install.sh"
[ -s "$CLUSTER_RUN/pids" ] && { log "a cluster already runs (pids $(tr '\n' ' ' < "$CLUSTER_RUN/pids")): scripts/cluster/stop.sh first"; exit 1; }

# PostgreSQL: its own data directory and port, socket in CLUSTER_RUN, trust on loopback only.
mkdir -p "$PGDATA" "$PG_SOCK"
[ "$(id -u)" = 0 ] && chown postgres "$CLUSTER_PG_HOME" "$PGDATA" "$PG_SOCK"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust >/dev/null
fi
as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1 || as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$CLUSTER_PG_HOME/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK -c max_connections=200" start >/dev/null
psql_() { as_postgres psql -h "$PG_SOCK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
[ "$(psql_ -c "select 1 from pg_roles where rolname='temporal'")" = 1 ] || psql_ -c "create role temporal login password 'temporal' createdb"

SQL=("$CLUSTER_BIN/sql" --plugin postgres12 --ep 127.0.0.1 -p "$PG_PORT" -u temporal -pw temporal)
for db in temporal temporal_visibility; do
  schema=temporal; [ "$db" = temporal_visibility ] && schema=visibility
  if [ "$(psql_ -c "select 1 from pg_database where datname='$db'")" != 1 ]; then
    log "creating database $db and its schema"
    "${SQL[@]}" --db "$db" create-database >/dev/null 2>>"$CLUSTER_RUN/schema.log"
    "${SQL[@]}" --db "$db" setup-schema -v 0.0 >/dev/null 2>>"$CLUSTER_RUN/schema.log"
  fi
  "${SQL[@]}" --db "$db" update-schema --schema-name "postgresql/v12/$schema" >/dev/null 2>>"$CLUSTER_RUN/schema.log"
done

# One config file per process: each needs its own gRPC and membership ports (they find each other through the
# cluster_membership table in PostgreSQL). Every file lists all four services (a process tracks the others through
# them); the process's own service gets its own ports.
services_yaml() { # ownService grpcPort membershipPort
  local svc g m
  for svc in frontend history matching worker; do
    case $svc in
      frontend) g=$CLUSTER_PORT; m=$((CLUSTER_PORT + 100)) ;;
      history) g=$((CLUSTER_PORT + 11)); m=$((CLUSTER_PORT + 111)) ;;
      matching) g=$((CLUSTER_PORT + 21)); m=$((CLUSTER_PORT + 121)) ;;
      worker) g=$((CLUSTER_PORT + 30)); m=$((CLUSTER_PORT + 130)) ;;
    esac
    [ "$svc" = "$1" ] && { g=$2; m=$3; }
    printf '  %s:\n    rpc: { grpcPort: %s, membershipPort: %s, bindOnIP: "127.0.0.1" }\n' "$svc" "$g" "$m"
  done
}
config() { # service index grpcPort membershipPort
  local file="$CLUSTER_RUN/$1-$2.yaml"
  cat > "$file" <<YAML
log: { stdout: true, level: warn }
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 8
  datastores:
    default:
      sql: { pluginName: postgres12, databaseName: temporal, connectAddr: "127.0.0.1:$PG_PORT", connectProtocol: tcp, user: temporal, password: temporal, maxConns: 20, maxIdleConns: 20, maxConnLifetime: 1h }
    visibility:
      sql: { pluginName: postgres12, databaseName: temporal_visibility, connectAddr: "127.0.0.1:$PG_PORT", connectProtocol: tcp, user: temporal, password: temporal, maxConns: 10, maxIdleConns: 10, maxConnLifetime: 1h }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: "127.0.0.1" }
$( [ -n "${CLUSTER_PPROF:-}" ] && printf '  pprof: { port: %s, host: "127.0.0.1" }' $(($3 + 2000)) )
services:
$(services_yaml "$1" "$3" "$4")
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active: { enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: "127.0.0.1:$CLUSTER_PORT" }
dcRedirectionPolicy: { policy: noop }
publicClient: { hostPort: "127.0.0.1:$CLUSTER_PORT" }
dynamicConfigClient: { filepath: "$CLUSTER_RUN/dynamic.yaml", pollInterval: 60s }
YAML
  echo "$file"
}
cat > "$CLUSTER_RUN/dynamic.yaml" <<'YAML'
# The frontend's default rate limits are sized for a shared cluster; a load test of one project needs more.
frontend.namespaceRPS: [{ value: 10000 }]
frontend.rps: [{ value: 10000 }]
YAML

: > "$CLUSTER_RUN/pids"
start() { # service index grpcPort membershipPort
  local file; file=$(config "$@")
  nohup "$CLUSTER_BIN/server" --config-file "$file" --allow-no-auth start --service "$1" > "$CLUSTER_RUN/$1-$2.log" 2>&1 &
  echo $! >> "$CLUSTER_RUN/pids"
  log "$1 #$2 pid $! on 127.0.0.1:$3"
}
start frontend 1 "$CLUSTER_PORT" $((CLUSTER_PORT + 100))
for i in $(seq 1 "$CLUSTER_HISTORY"); do start history "$i" $((CLUSTER_PORT + 10 + i)) $((CLUSTER_PORT + 110 + i)); done
for i in $(seq 1 "$CLUSTER_MATCHING"); do start matching "$i" $((CLUSTER_PORT + 20 + i)) $((CLUSTER_PORT + 120 + i)); done
start worker 1 $((CLUSTER_PORT + 30)) $((CLUSTER_PORT + 130))

ADDR="127.0.0.1:$CLUSTER_PORT"
for _ in $(seq 1 120); do
  "$TEMPORAL_CLI" operator cluster health --address "$ADDR" >/dev/null 2>&1 && break
  sleep 1
done
"$TEMPORAL_CLI" operator cluster health --address "$ADDR" >/dev/null || { log "frontend did not answer: see $CLUSTER_RUN/*.log"; exit 1; }
"$TEMPORAL_CLI" operator namespace describe --address "$ADDR" -n default >/dev/null 2>&1 ||
  "$TEMPORAL_CLI" operator namespace create --address "$ADDR" -n default --retention 24h >/dev/null
# The namespace must be served by history before search attributes are added (a fresh namespace takes seconds).
for _ in $(seq 1 60); do
  "$TEMPORAL_CLI" workflow list --address "$ADDR" -n default --limit 1 >/dev/null 2>&1 && break
  sleep 1
done
for name in $(grep -oE "^  Ivr[A-Za-z]+" "$REPO_ROOT/lib/temporal/search-attributes.ts"); do
  "$TEMPORAL_CLI" operator search-attribute create --address "$ADDR" -n default --name "$name" --type Keyword >/dev/null 2>&1 || true
done
log "cluster up: frontend $ADDR, $CLUSTER_HISTORY history, $CLUSTER_MATCHING matching, PostgreSQL 127.0.0.1:$PG_PORT"
echo "export TEMPORAL_ADDRESS=$ADDR TEMPORAL_SERVER_PIDS=$(paste -sd, "$CLUSTER_RUN/pids")"
