/** `prompt_end`: say the prompt (no barge-in: nothing follows it) and end the session as completed. */
import { renderPrompt } from '../render';
import { endSession, say, scopeOf, type StateHandler } from '../run';

export const promptEndState: StateHandler = {
  enter: (run, state) => {
    say(run, renderPrompt(state.prompt, scopeOf(run)), false);
    endSession(run, 'completed');
  },
};
