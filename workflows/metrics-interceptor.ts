/**
 * Workflow interceptor that lets the session worker count sessions and time turns, without workflow code touching
 * metrics (it must stay deterministic and replayable: no clock, no I/O, no process state).
 *
 * - A session's end goes out through a sink (`ivrMetrics.sessionEnded`): sinks run in the worker's Node context,
 *   and are not called again when a history is replayed, so a session is counted once per run that completes.
 * - A turn's start is the workflow time of the activation that delivered the caller's input (the `input` signal or
 *   update): the start of that workflow task, a deterministic value. The first activity scheduled after it carries
 *   that time in a header (`ivr-turn`); the worker that runs the activity observes the turn latency when it starts it.
 *   A voice turn that waited for the caller (its result is the answer) counts as an input when it returns.
 *   The latest input counts. A portal input (the `input` update) that led to no activity is forgotten when its
 *   update returns the next view, so it never lends its time to a later command.
 *   Headers are not part of the history's determinism checks, so replays of older histories are unaffected.
 */
import {
  defaultPayloadConverter,
  proxySinks,
  workflowInfo,
  type ActivityInput,
  type Next,
  type SignalInput,
  type Sinks,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The header an activity scheduled after a caller input carries (see workers/metrics.ts). */
export const TURN_HEADER = 'ivr-turn';

export interface TurnHeader {
  /** Workflow time (ms since epoch) of the workflow task that took the input. */
  inputAtMs: number;
  channel: string;
}

export interface SessionEndedEvent {
  machine: string;
  channel: string;
  outcome: string;
  goal: string;
}

export interface IvrMetricsSinks extends Sinks {
  ivrMetrics: {
    sessionEnded(event: SessionEndedEvent): void;
  };
}

const { ivrMetrics } = proxySinks<IvrMetricsSinks>();

const SESSION_WORKFLOW = 'sessionWorkflow';

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

class SessionMetrics implements WorkflowInboundCallsInterceptor, WorkflowOutboundCallsInterceptor {
  private channel = 'unknown';
  /** The latest caller input not yet followed by an activity (an object, so an update knows its own). */
  private pending: { at: number } | undefined;

  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const first = input.args[0];
    const channel = field(first, 'channel');
    if (typeof channel === 'string') this.channel = channel;
    const result = await next(input);
    const outcome = field(result, 'declaredOutcome');
    const goal = field(result, 'goal');
    const machine = field(field(first, 'machine'), 'name');
    if (typeof outcome === 'string' && typeof goal === 'string') {
      ivrMetrics.sessionEnded({ machine: typeof machine === 'string' ? machine : 'unknown', channel: this.channel, outcome, goal });
    }
    return result;
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (input.signalName === 'input') this.pending = { at: Date.now() };
    return next(input);
  }

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    if (input.name !== 'input') return next(input);
    const mark = { at: Date.now() };
    this.pending = mark;
    try {
      return await next(input);
    } finally {
      // The view is answered: the session waits for the caller again.
      if (this.pending === mark) this.pending = undefined;
    }
  }

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    const mark = this.pending;
    this.pending = undefined;
    const turn: TurnHeader | undefined = mark && { inputAtMs: mark.at, channel: this.channel };
    const result = next(turn ? { ...input, headers: { ...input.headers, [TURN_HEADER]: defaultPayloadConverter.toPayload(turn) } } : input);
    if (input.activityType !== 'voiceTurn') return result;
    // A voice turn that waited for the caller returns the answer: that is the input the next command answers.
    return result.then((out) => {
      if (field(out, 'input') !== undefined) this.pending = { at: Date.now() };
      return out;
    });
  }
}

export const interceptors = (): WorkflowInterceptors => {
  if (workflowInfo().workflowType !== SESSION_WORKFLOW) return {};
  const m = new SessionMetrics();
  return { inbound: [m], outbound: [m] };
};
