/** What every collect mode gets and returns. One file per mode; `index.ts` maps mode names to them. */
import type { JsonValue } from '../../../lib/machine/model';

export type CollectSource = 'dtmf' | 'speech' | 'text';

export interface CollectContext {
  /** Number of digits (otp). */
  length?: number;
  /** Deterministic "now" of the step (ISO instant), for relative dates. */
  nowIso: string;
  /** The machine's timezone (IANA), for relative dates. */
  timezone: string;
}

/** `value` is what goes to ctx (date_nl: `{ from, to }`); `reason` is a short code for the trace and tests. */
export type CollectResult = { ok: true; value: JsonValue } | { ok: false; reason: string };

export type CollectParser = (text: string, source: CollectSource, ctx: CollectContext) => CollectResult;
