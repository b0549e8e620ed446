/** What the bridge and the voice worker agree on about recordings (both read the same events). */

/** Channel variable the voice worker sets to the path of a recording it stopped on purpose. */
export const RECORD_DISCARD_VAR = 'ivr_record_discard';

/**
 * A recording that stopped on silence without anything before it: the caller has not spoken (yet). FreeSWITCH's
 * `record` counts silence from the start, so such a file lasts about `silence_hits` seconds.
 */
export function isSilentRecording(headers: Readonly<Record<string, string>>, silenceHitsSec: number): boolean {
  const ms = Number(headers['variable_record_ms']);
  return headers['variable_silence_hits_exhausted'] === 'true' && Number.isFinite(ms) && ms <= silenceHitsSec * 1000 + 250;
}
