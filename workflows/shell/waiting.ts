/**
 * How long the session waits for the caller after a listen, per channel. The engine's listen carries the state's
 * no-input timeout; the channel decides what that means in time on the workflow's own timer.
 */
import type { ListenSpec } from '../engine/types';
import type { Channel } from '../session-api';

/** The workflow's wait when no listen was armed yet (a resumed run before its first listen). */
export const DEFAULT_WAIT_SEC = 5;

export function waitLimitSec(_channel: Channel, listen: ListenSpec | undefined): number {
  return listen?.timeoutSec ?? DEFAULT_WAIT_SEC;
}
