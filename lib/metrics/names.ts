/**
 * Every metric the product registers, with its help text and labels: the single list the registry, the operators'
 * guide and the Grafana dashboard's test read. Labels take bounded values only (route templates, activity types,
 * outcome names, node names), never ids, phone numbers, names or tokens.
 */
export const METRIC_DEFS = {
  apiRequestDuration: {
    type: 'histogram',
    name: 'ivr_api_request_duration_seconds',
    help: 'Backend API requests: time from the request arriving to the response finishing, by route template (as declared in the route table, never the raw URL), method and status class (2xx, 4xx, 5xx).',
    labels: ['route', 'method', 'status_class'],
  },
  apiErrors: {
    type: 'counter',
    name: 'ivr_api_errors_total',
    help: 'Backend API error answers, by route template and the error code of the answer body (invalid_request, not_found, odoo_unavailable, ...).',
    labels: ['route', 'code', 'status_class'],
  },
  peerRequestDuration: {
    type: 'histogram',
    name: 'ivr_peer_request_duration_seconds',
    help: 'Calls from the backend API to its peers (Odoo, Brevo): time of one client call, retries included, by peer, endpoint (Odoo model.method, Brevo send kind) and result (ok or error).',
    labels: ['peer', 'endpoint', 'result'],
  },
  peerErrors: {
    type: 'counter',
    name: 'ivr_peer_errors_total',
    help: 'Failed calls from the backend API to its peers (Odoo, Brevo), by peer, endpoint and error class.',
    labels: ['peer', 'endpoint', 'error'],
  },
  turnLatency: {
    type: 'histogram',
    name: 'ivr_turn_latency_seconds',
    help: 'Turn latency measured on the worker that runs the next command: from the start of the session workflow task that took the caller input to the start of the first activity that input led to (the next command: voice turn, backend call, ...), by channel and command (activity type). Turns answered without an activity (a portal screen) are not counted here.',
    labels: ['channel', 'command'],
  },
  sessionsEnded: {
    type: 'counter',
    name: 'ivr_sessions_ended_total',
    help: 'Sessions ended, by machine, channel, outcome (IvrOutcome: what the call achieved or why it ended) and goal (IvrGoal: reached, not_reached, unknown). Counted by the session worker when the run completes.',
    labels: ['machine', 'channel', 'outcome', 'goal'],
  },
  activityDuration: {
    type: 'histogram',
    name: 'ivr_activity_duration_seconds',
    help: 'Activity executions on this worker: time of one attempt, by activity type and result (ok, failed, cancelled).',
    labels: ['activity', 'result'],
  },
  activityFailures: {
    type: 'counter',
    name: 'ivr_activity_failures_total',
    help: 'Failed activity attempts on this worker (Temporal retries them per the activity options), by activity type and error class.',
    labels: ['activity', 'error'],
  },
  eslReconnects: {
    type: 'counter',
    name: 'ivr_esl_reconnects_total',
    help: 'FreeSWITCH event-socket connections re-established after a drop, by component (esl-bridge, voice-worker) and FreeSWITCH node.',
    labels: ['component', 'node'],
  },
  eslDisconnects: {
    type: 'counter',
    name: 'ivr_esl_disconnects_total',
    help: 'FreeSWITCH event-socket connections lost, by component and node.',
    labels: ['component', 'node'],
  },
  eslConnected: {
    type: 'gauge',
    name: 'ivr_esl_connected',
    help: 'FreeSWITCH event-socket connections currently up (1 per live socket), by component and node.',
    labels: ['component', 'node'],
  },
} as const;

export type MetricKey = keyof typeof METRIC_DEFS;
export type MetricType = 'histogram' | 'counter' | 'gauge';

/** Node's process metrics (CPU, memory, event loop lag, ...) are exported under this prefix. */
export const PROCESS_METRICS_PREFIX = 'ivr_';

/** Names of the product's own metrics (without the _bucket/_sum/_count series a histogram adds). */
export const PRODUCT_METRIC_NAMES: readonly string[] = Object.values(METRIC_DEFS).map((d) => d.name);
