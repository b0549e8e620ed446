/**
 * What operators see of a running session: the `IvrState`, `IvrOutcome` and `IvrGoal` search attributes and the
 * current details line in the Temporal UI.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { GoalStatus } from '../../lib/machine/outcomes';
import type { DeclaredOutcome, SessionOutcome, SessionState } from '../engine/types';
import { SESSION_SEARCH_ATTRIBUTES } from '../search-attribute-keys';
import { detailsLine } from './view';

export class SessionStatus {
  /** Empty at the start of every run, so a continued run states its state again. */
  private lastState = '';

  publish(session: SessionState): void {
    if (session.state !== this.lastState) {
      this.lastState = session.state;
      upsertSearchAttributes([{ key: SESSION_SEARCH_ATTRIBUTES.state, value: session.state }]);
    }
    setCurrentDetails(detailsLine(session));
  }

  /** Written once, at the end: what the session achieved (or why it ended) and whether that is its goal. */
  ended(ending: Ending): void {
    upsertSearchAttributes([
      { key: SESSION_SEARCH_ATTRIBUTES.outcome, value: ending.declaredOutcome },
      { key: SESSION_SEARCH_ATTRIBUTES.goal, value: ending.goal },
    ]);
  }
}

export interface Ending {
  declaredOutcome: string;
  goal: GoalStatus;
}

/**
 * The ending operators filter by. A machine compiled before outcomes existed may end without a declared outcome:
 * its channel outcome (completed) stands in, with an unknown goal.
 */
export function endingOf(outcome: SessionOutcome, declared: DeclaredOutcome | undefined): Ending {
  if (!declared) return { declaredOutcome: outcome, goal: 'unknown' };
  return { declaredOutcome: declared.name, goal: declared.goal ? 'reached' : 'not_reached' };
}
