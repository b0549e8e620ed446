/** What the console's session routes answer (api/console/): the page reads these shapes only. */
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
  nextPageToken: string | null;
}

export interface GraphNode {
  id: string;
  type: string;
  screen: string | null;
  final: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  labels: string[];
  input: boolean;
  kind: 'main' | 'fallback' | 'exhausted';
}

export interface MachineGraph {
  machine: string;
  version: string;
  entry: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  globalRoutes: Array<{ label: string; to: string }>;
}

export interface PathStep {
  state: string;
  enteredAt: string;
  via: string;
  spentMs: number | null;
}

export interface TurnRow {
  index: number;
  at: string | null;
  state: string;
  prompt: string[];
  heard: { kind: string; value: string | null };
  result: string;
  actions: Array<{ endpoint: string | null; ok: boolean; status: number | null }>;
  next: string | null;
  latencyMs: number | null;
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

export interface StateFigures {
  state: string;
  visits: number;
  turns: number;
  noinputRate: number | null;
  nomatchRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  hangups: number;
}

export interface StatsResult {
  machine: string | null;
  sinceHours: number;
  sessions: number;
  skipped: number;
  states: StateFigures[];
}
