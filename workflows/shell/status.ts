/**
 * What operators see of a running session: the `IvrState` and `IvrOutcome` search attributes and the current
 * details line in the Temporal UI.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SessionOutcome, SessionState } from '../engine/types';
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

  ended(outcome: SessionOutcome): void {
    upsertSearchAttributes([{ key: SESSION_SEARCH_ATTRIBUTES.outcome, value: outcome }]);
  }
}
