/**
 * FreeSWITCH hang-up causes that end a call the ordinary way: the caller hung up, or the IVR did. Any other cause
 * (DESTINATION_OUT_OF_ORDER after a failed recording, MEDIA_TIMEOUT when the caller's audio stopped, …) is a failure
 * an operator must see: the session ends in `error` with the cause, not as a plain hang-up.
 */
const ORDINARY = new Set([
  'NORMAL_CLEARING', 'ORIGINATOR_CANCEL', 'NORMAL_UNSPECIFIED', 'USER_BUSY', 'NO_ANSWER', 'NO_USER_RESPONSE', 'CALL_REJECTED', 'LOSE_RACE', 'ATTENDED_TRANSFER', 'BLIND_TRANSFER', 'PICKED_OFF',
  // The esl-bridge's own mark for a call that ended while its event socket was down: the cause is not known.
  'UNKNOWN_AFTER_RECONNECT',
]);

export function isOrdinaryHangup(cause: string | undefined): boolean {
  return cause === undefined || cause === '' || ORDINARY.has(cause);
}
