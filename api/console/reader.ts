/**
 * The console's reads from Temporal, with the client of the API (or of `ivr stats`), whose data converter decrypts
 * payloads: the sessions list (visibility), one session's page, and the recent sessions behind the per-state
 * figures. What leaves here is what the session's own masked view shows: prompts, masked values, states.
 *
 * Where a session's turns come from: the `trace` query, for a running session and a closed one alike. The trace is
 * what the engine decided (states entered, routes, counters, actions, prompts) and the history does not record it
 * (only inputs, activities and timers); rebuilding it from the history would mean re-running the engine outside the
 * workflow. Temporal answers a query on a closed workflow by replaying its history on a worker of its task queue, so
 * the same code serves both; the history adds the times and what the caller pressed or said.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { google, temporal } from '@temporalio/proto';
import type { TraceEvent } from '../../workflows/engine/types';
import { traceQuery, type SessionInput, type SessionResult } from '../../workflows/session-api';
import { machineGraph, type MachineGraph } from './graph';
import { decodeHistory, type DecodePayloads } from './history';
import { sessionsQuery } from './query';
import { stateFigures, type StatsReport } from './stats';
import { sessionTimeline, type PathStep, type SessionTimeline, type TurnRow } from './timeline';

export interface SessionRow {
  workflowId: string;
  runId: string;
  channel: string | null;
  machine: string | null;
  machineVersion: string | null;
  state: string | null;
  outcome: string | null;
  goal: string | null;
  callerHash: string | null;
  startedAt: string | null;
  closedAt: string | null;
  status: string;
}

export interface SessionList {
  sessions: SessionRow[];
  /** Temporal's token of the next page (the console API signs it before it leaves, see query.ts). */
  nextPageToken: Buffer | null;
}

const Status = temporal.api.enums.v1.WorkflowExecutionStatus;
const STATUS_NAMES: Record<number, string> = {
  [Status.WORKFLOW_EXECUTION_STATUS_RUNNING]: 'running',
  [Status.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'completed',
  [Status.WORKFLOW_EXECUTION_STATUS_FAILED]: 'failed',
  [Status.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'canceled',
  [Status.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'terminated',
  [Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'continued_as_new',
  [Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'timed_out',
};

function keywordOf(fields: Record<string, Payload> | null | undefined, name: string): string | null {
  const p = fields?.[name];
  if (!p) return null;
  const v: unknown = defaultPayloadConverter.fromPayload(p);
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : null;
}

const iso = (ts: google.protobuf.ITimestamp | null | undefined): string | null => {
  const ms = optionalTsToMs(ts);
  return ms === undefined ? null : new Date(ms).toISOString();
};

/**
 * One page of sessions for a visibility query (query.ts). The raw visibility call rather than `client.workflow.list`:
 * the console pages with Temporal's own next-page token, which the SDK's iterator keeps to itself.
 */
export async function listSessions(client: Client, query: string, limit: number, pageToken?: Buffer): Promise<SessionList> {
  const res = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize: limit,
    ...(pageToken ? { nextPageToken: pageToken } : {}),
  });
  const sessions = (res.executions ?? []).map((x): SessionRow => {
    const f = x.searchAttributes?.indexedFields as Record<string, Payload> | null | undefined;
    return {
      workflowId: x.execution?.workflowId ?? '',
      runId: x.execution?.runId ?? '',
      channel: keywordOf(f, 'IvrChannel'),
      machine: keywordOf(f, 'IvrMachine'),
      machineVersion: keywordOf(f, 'IvrMachineVersion'),
      state: keywordOf(f, 'IvrState'),
      outcome: keywordOf(f, 'IvrOutcome'),
      goal: keywordOf(f, 'IvrGoal'),
      callerHash: keywordOf(f, 'IvrCallerHash'),
      startedAt: iso(x.startTime),
      closedAt: iso(x.closeTime),
      status: STATUS_NAMES[x.status ?? 0] ?? 'unknown',
    };
  });
  // Newest first within the page (visibility lists running sessions first).
  sessions.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  const token = res.nextPageToken && res.nextPageToken.length > 0 ? Buffer.from(res.nextPageToken) : null;
  return { sessions, nextPageToken: token };
}

const decoderOf = (client: Client): DecodePayloads => (payloads) => decodeArrayFromPayloads(client.workflow.options.loadedDataConverter, payloads);

/** The trace of a session (see the header); a query on a closed session needs a worker of its task queue. */
async function traceOf(client: Client, workflowId: string, runId: string, timeoutMs: number): Promise<TraceEvent[]> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const events: TraceEvent[] = [];
  for (let since = 0; ; ) {
    const page = await client.withDeadline(Date.now() + timeoutMs, () => handle.query(traceQuery, since));
    events.push(...page.events);
    if (page.next <= since || page.events.length === 0) return events;
    since = page.next;
  }
}

export interface LoadedSession {
  workflowId: string;
  runId: string;
  status: string;
  input: SessionInput | null;
  result: SessionResult | null;
  timeline: SessionTimeline;
  attributes: Record<string, string | null>;
  startedAt: string | null;
  closedAt: string | null;
  /** Null when the trace was read; else why not (the turns and path are then empty). */
  traceError: string | null;
}

/** One session (its latest run): history decoded, trace read, both lined up. Null when Temporal has no such session. */
export async function loadSession(client: Client, workflowId: string, opts: { runId?: string; queryTimeoutMs?: number } = {}): Promise<LoadedSession | null> {
  const handle = client.workflow.getHandle(workflowId, opts.runId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const runId = description.runId;
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const decoded = await decodeHistory(history.events ?? [], decoderOf(client));
  let trace: TraceEvent[] = [];
  let traceError: string | null = null;
  try {
    trace = await traceOf(client, workflowId, runId, opts.queryTimeoutMs ?? 10_000);
  } catch (err) {
    traceError = `the session's trace could not be read (${err instanceof Error ? err.name : 'error'}): a session worker must serve its task queue to answer for a closed session`;
  }
  const machine = decoded.input?.machine;
  const timeline: SessionTimeline = machine ? sessionTimeline(trace, decoded.facts, machine) : { path: [], turns: [], hangupState: null };
  const attributes: Record<string, string | null> = {};
  for (const pair of description.typedSearchAttributes.getAll()) {
    if (pair.key.name.startsWith('Ivr')) attributes[pair.key.name] = typeof pair.value === 'string' ? pair.value : null;
  }
  return {
    workflowId, runId, status: description.status.name.toLowerCase(), input: decoded.input,
    result: (decoded.result ?? null) as SessionResult | null, timeline, attributes,
    startedAt: description.startTime.toISOString(), closedAt: description.closeTime?.toISOString() ?? null, traceError,
  };
}

export interface SessionPageData {
  workflowId: string;
  runId: string;
  status: string;
  channel: string | null;
  machine: string | null;
  machineVersion: string | null;
  callerHash: string | null;
  startedAt: string | null;
  closedAt: string | null;
  currentState: string | null;
  screen: string | null;
  outcome: string | null;
  goal: string | null;
  failure: { kind: string; cause: string } | null;
  graph: MachineGraph | null;
  path: PathStep[];
  turns: TurnRow[];
  temporalUrl: string;
  traceError: string | null;
}

/** The session page: the frozen machine's graph, the path, the turns, the ending, the link to the Temporal UI. */
export function sessionPage(s: LoadedSession, temporalUiUrl: string, namespace: string): SessionPageData {
  const machine = s.input?.machine;
  const a = s.attributes;
  const current = a.IvrState ?? s.timeline.path.at(-1)?.state ?? null;
  const failure = s.result?.failure ? { kind: s.result.failure.kind, cause: s.result.failure.cause } : null;
  return {
    workflowId: s.workflowId,
    runId: s.runId,
    status: s.status,
    channel: a.IvrChannel ?? s.input?.channel ?? null,
    machine: a.IvrMachine ?? machine?.name ?? null,
    machineVersion: a.IvrMachineVersion ?? machine?.version ?? null,
    callerHash: a.IvrCallerHash ?? null,
    startedAt: s.startedAt,
    closedAt: s.closedAt,
    currentState: current,
    screen: current && machine ? (machine.states[current]?.screen ?? null) : null,
    outcome: a.IvrOutcome ?? s.result?.declaredOutcome ?? null,
    goal: a.IvrGoal ?? s.result?.goal ?? null,
    failure,
    graph: machine ? machineGraph(machine) : null,
    path: s.timeline.path,
    turns: s.timeline.turns,
    temporalUrl: `${temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(s.workflowId)}/${encodeURIComponent(s.runId)}`,
    traceError: s.traceError,
  };
}

export interface StatsOptions {
  machine?: string;
  sinceHours: number;
  limit: number;
  /** Sessions read at once (each is a history fetch and a query). */
  concurrency?: number;
  now?: Date;
}

export interface StatsResult extends StatsReport {
  machine: string | null;
  sinceHours: number;
  /** Sessions listed but not read (trace unavailable). */
  skipped: number;
}

/** Per-state figures of the sessions started in the last `sinceHours` (newest first, at most `limit`). */
export async function recentStats(client: Client, opts: StatsOptions): Promise<StatsResult> {
  const since = new Date((opts.now ?? new Date()).getTime() - opts.sinceHours * 3600_000);
  const rows: SessionRow[] = [];
  const query = sessionsQuery(opts.machine ? { machine: opts.machine } : {}, since);
  let pageToken: Buffer | undefined;
  do {
    const page = await listSessions(client, query, Math.min(100, opts.limit - rows.length), pageToken);
    rows.push(...page.sessions);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken && rows.length < opts.limit);
  const timelines: SessionTimeline[] = [];
  let skipped = 0;
  const queue = rows.slice(0, opts.limit);
  const work = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const s = await loadSession(client, row.workflowId, { runId: row.runId, queryTimeoutMs: 5000 }).catch(() => null);
      if (!s || s.traceError) skipped++;
      else timelines.push(s.timeline);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, work));
  return { machine: opts.machine ?? null, sinceHours: opts.sinceHours, skipped, ...stateFigures(timelines) };
}
