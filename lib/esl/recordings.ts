/** What the bridge and the voice worker agree on about recordings (both read the same events). */

/** Channel variable the voice worker sets to the path of a recording it stopped on purpose. */
export const RECORD_DISCARD_VAR = 'ivr_record_discard';

/** What a RECORD_STOP of the listening recording means for the session. */
export type RecordingVerdict = 'answer' | 'noinput' | 'nothing';

/**
 * Reads FreeSWITCH's `Record-Completion-Cause` of a media-bug recording (`uuid_record`, switch_ivr_async.c):
 * - `success-silence`: speech, then the final silence; `success-maxtime`: speech cut at the utterance limit → an answer;
 * - `no-input-timeout`: no speech within RECORD_INITIAL_TIMEOUT_MS → the listen's no-input;
 * - `empty-file`, `input-too-short`, `uri-failure`, or no cause (a stop on hang-up, the `record` application) → nothing.
 */
export function recordingVerdict(headers: Readonly<Record<string, string>>): RecordingVerdict {
  switch (headers['Record-Completion-Cause']) {
    case 'success-silence':
    case 'success-maxtime':
      return 'answer';
    case 'no-input-timeout':
      return 'noinput';
    default:
      return 'nothing';
  }
}
