/**
 * Masks personal values in ctx before it leaves the workflow in a query or a view (deterministic, pure). The view
 * is also the result of the portal's update, which the history records: secrets show nothing at all.
 */
import type { JsonValue } from '../lib/machine/model';
import { isSealedRef } from './engine/sealed';

const PERSONAL = /phone|email|name|otp|token|comment|transcript|caller|dictation|address/i;
/** Keys whose values are secrets: not even the last characters are shown. */
const SECRET = /otp|token|secret|password|code/i;

function mask(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.length <= 4 ? '•••' : `•••${value.slice(-2)}`;
  return '•••';
}

export function redactCtx(ctx: Record<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(ctx)) {
    if (SECRET.test(key) || isSealedRef(value)) out[key] = '•••';
    else out[key] = PERSONAL.test(key) ? mask(value) : value;
  }
  return out;
}
