/**
 * What a worker measures (lib/metrics): sessions ended (from the workflow interceptor's sink), turn latency and
 * activity latency/failures (an activity interceptor), and the Temporal SDK's own metrics (runtime-logger.ts).
 * Workflow code emits nothing itself: see workflows/metrics-interceptor.ts for why and how.
 */
import path from 'node:path';
import { CompleteAsyncError, type Context } from '@temporalio/activity';
import { CancelledFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, InjectedSinks, Next } from '@temporalio/worker';
import { z } from 'zod';
import { counter, errorClass, histogram, labelValue } from '../lib/metrics';
import { TURN_HEADER, type IvrMetricsSinks } from '../workflows/metrics-interceptor';

/** The interceptor module bundled with the session workflows (its sink is `sessionMetricsSinks`). */
export const METRICS_INTERCEPTOR_MODULE = path.join(__dirname, '..', 'workflows', 'metrics-interceptor.ts');

/** Outcome and goal names are the machine's identifiers; anything else is `other`. */
const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const MACHINE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Runs counted lately, oldest first: a bounded memory of what this worker already counted. */
class RecentRuns {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 10_000) {}

  /** True the first time a run id is given. */
  first(runId: string): boolean {
    if (this.seen.has(runId)) return false;
    this.seen.add(runId);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }
}

export function sessionMetricsSinks(): InjectedSinks<IvrMetricsSinks> {
  const ended = counter('sessionsEnded');
  const counted = new RecentRuns();
  return {
    ivrMetrics: {
      sessionEnded: {
        fn: (info, e) => {
          // A completion the server refused (a signal arrived meanwhile, e.g. the caller's hang-up racing the IVR's)
          // is retried by a new workflow task that runs the end again live: count each run once.
          if (!counted.first(info.runId)) return;
          ended.inc({ machine: labelValue(e.machine, MACHINE), channel: labelValue(e.channel, NAME), outcome: labelValue(e.outcome, NAME), goal: labelValue(e.goal, NAME) });
        },
        // Counted once, when the run completes live; a replayed history is not a new session.
        callDuringReplay: false,
      },
    },
  };
}

/** The replay worker must know the sink (it never calls it). */
export function replayMetricsSinks(): InjectedSinks<IvrMetricsSinks> {
  return { ivrMetrics: { sessionEnded: { fn: () => undefined, callDuringReplay: false } } };
}

const turnHeader = z.object({ inputAtMs: z.number().finite(), channel: z.string() });

function readTurn(headers: Record<string, Payload>): z.infer<typeof turnHeader> | null {
  const p = headers[TURN_HEADER];
  if (!p) return null;
  try {
    const r = turnHeader.safeParse(defaultPayloadConverter.fromPayload(p));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

class ActivityMetrics implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { activityType, attempt } = this.ctx.info;
    const activity = labelValue(activityType);
    const turn = attempt === 1 ? readTurn(input.headers) : null;
    if (turn) {
      // Clocks: workflow time is the server's, this is the worker's; a negative gap (skew) is not a latency.
      const seconds = (Date.now() - turn.inputAtMs) / 1000;
      if (seconds >= 0) histogram('turnLatency').observe({ channel: labelValue(turn.channel, NAME), command: activity }, seconds);
    }
    const end = histogram('activityDuration').startTimer({ activity });
    try {
      const out = await next(input);
      end({ result: 'ok' });
      return out;
    } catch (err) {
      // A voice turn handed to the esl-bridge to complete with the caller's answer: its own work ended well.
      if (err instanceof CompleteAsyncError) {
        end({ result: 'ok' });
        throw err;
      }
      const cancelled = err instanceof CancelledFailure;
      end({ result: cancelled ? 'cancelled' : 'failed' });
      if (!cancelled) counter('activityFailures').inc({ activity, error: errorClass(err) });
      throw err;
    }
  }
}

/** Activity interceptor: latency and failures per activity type, and the turn latency of the first command after an input. */
export const activityMetricsInterceptor: ActivityInterceptorsFactory = (ctx) => ({ inbound: new ActivityMetrics(ctx) });
