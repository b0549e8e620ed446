/** Collect modes by name, and how a collected value is stored in ctx. */
import type { Collect, CollectMode, JsonValue } from '../../../lib/machine/model';
import { collectDateNl } from './date-nl';
import { collectFreeSpeechOrNo } from './free-speech-or-no';
import { collectOtp } from './otp';
import { collectPhone } from './phone';
import type { CollectParser } from './types';

export const COLLECT_MODES: Record<CollectMode, CollectParser> = {
  phone: collectPhone,
  otp: collectOtp,
  date_nl: collectDateNl,
  free_speech_or_no: collectFreeSpeechOrNo,
};

/**
 * ctx entries for a collected value. `into: {from, to}` spreads an object value over two keys (date_nl);
 * a string `into` takes the value as it is.
 */
export function storeCollected(collect: Collect, value: JsonValue): [string, JsonValue][] {
  const into = collect.into;
  if (typeof into === 'string') return [[into, value]];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return [
      [into.from, value['from'] ?? null],
      [into.to, value['to'] ?? null],
    ];
  }
  return [[into.from, value]];
}

export type { CollectContext, CollectParser, CollectResult, CollectSource } from './types';
