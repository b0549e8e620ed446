#!/usr/bin/env bash
# bench:turns against the running cluster (start.sh), with PostgreSQL's CPU counted too: the Temporal processes'
# CPU is in the bench's `server` figure (TEMPORAL_SERVER_PIDS), PostgreSQL's (the postmaster and its backends) is
# printed on stderr as ms per measured turn. Arguments go to bench/turns.ts (add --json for one JSON object).
#
#   bash scripts/cluster/bench.sh --sessions 100 --duration-s 60 --json
source "$(dirname "$0")/common.sh"
[ -s "$CLUSTER_RUN/pids" ] || { log "no cluster runs: npm run stack:cluster first"; exit 1; }
postmaster=$(head -1 "$PGDATA/postmaster.pid")
pg_cpu_ms() { # the postmaster and its children, utime + stime in ms (USER_HZ 100)
  local total=0 pid stat
  for pid in "$postmaster" $(pgrep -P "$postmaster"); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    set -- $stat
    total=$((total + (${12} + ${13}) * 10))
  done
  echo "$total"
}
before=$(pg_cpu_ms)
out=$(mktemp)
set +e # the bench exits 1 when a turn was lost: still report PostgreSQL's share, then pass that code on
TEMPORAL_ADDRESS="127.0.0.1:$CLUSTER_PORT" TEMPORAL_SERVER_PIDS=$(paste -sd, "$CLUSTER_RUN/pids") \
  npx tsx "$REPO_ROOT/bench/turns.ts" "$@" | tee "$out"
rc=${PIPESTATUS[0]}
set -e
after=$(pg_cpu_ms)
turns=$(grep -oE '"turns_measured":[0-9]+' "$out" | cut -d: -f2 || true)
[ -n "$turns" ] || turns=$(grep -oE 'turns measured +[0-9]+' "$out" | grep -oE '[0-9]+$' || echo 0)
rm -f "$out"
[ "$turns" -gt 0 ] 2>/dev/null && log "PostgreSQL CPU: $(( (after - before) / turns )) ms per turn ($((after - before)) ms over $turns turns, all backends, warm-up included)"
exit "$rc"
