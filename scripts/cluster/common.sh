# Shared settings of scripts/cluster/*.sh (sourced). Everything lives outside the repository, under CLUSTER_HOME.
set -euo pipefail
TEMPORAL_SERVER_VERSION="${TEMPORAL_SERVER_VERSION:-v1.32.1}"
CLUSTER_HOME="${CLUSTER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/care-ivr-cluster}"
CLUSTER_BIN="$CLUSTER_HOME/bin"
CLUSTER_RUN="$CLUSTER_HOME/run"
# PostgreSQL runs as its own user when this runs as root, and root's home is private: its data directory, socket
# and log then live where that user can reach them.
if [ "$(id -u)" = 0 ]; then CLUSTER_PG_HOME="${CLUSTER_PG_HOME:-/var/lib/care-ivr-cluster}"; else CLUSTER_PG_HOME="${CLUSTER_PG_HOME:-$CLUSTER_HOME}"; fi
PGDATA="$CLUSTER_PG_HOME/pgdata"
PG_SOCK="$CLUSTER_PG_HOME/socket"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${CLUSTER_PG_PORT:-55432}"
# Frontend gRPC port: the address clients use (TEMPORAL_ADDRESS=127.0.0.1:$CLUSTER_PORT).
CLUSTER_PORT="${CLUSTER_PORT:-17233}"
# How many history and matching processes (1 or 2 on this machine).
CLUSTER_HISTORY="${CLUSTER_HISTORY:-1}"
CLUSTER_MATCHING="${CLUSTER_MATCHING:-1}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TEMPORAL_CLI="${TEMPORAL_CLI:-$REPO_ROOT/.tools/temporal/bin/temporal}"
mkdir -p "$CLUSTER_BIN" "$CLUSTER_RUN"
log() { printf '[cluster] %s\n' "$*" >&2; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
