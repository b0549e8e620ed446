/**
 * `prompt_end`: say the prompt (no barge-in: nothing follows it) and end the session as completed, with the
 * state's outcome recorded (a goal recorded on the way stays, see lib/machine/model.ts).
 */
import { renderPrompt } from '../render';
import { endSession, recordOutcome, say, scopeOf, type StateHandler } from '../run';

export const promptEndState: StateHandler = {
  enter: (run, state) => {
    say(run, renderPrompt(state.prompt, scopeOf(run)), false);
    recordOutcome(run, state.outcome);
    endSession(run, 'completed');
  },
};
