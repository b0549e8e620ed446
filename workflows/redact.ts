/** Masks personal values in ctx before it leaves the workflow in a query or a view (deterministic, pure). */
import type { JsonValue } from '../lib/machine/model';

const PERSONAL = /phone|email|name|otp|token|comment|transcript|caller|dictation|address/i;

function mask(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.length <= 4 ? '•••' : `•••${value.slice(-2)}`;
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return '•••';
  return '•••';
}

export function redactCtx(ctx: Record<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(ctx)) out[key] = PERSONAL.test(key) ? mask(value) : value;
  return out;
}
