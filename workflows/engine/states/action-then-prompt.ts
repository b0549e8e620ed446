/**
 * `action_then_prompt`: entering runs the action at once. A prompt of the state's own that is not
 * prompt_from_action is said before the action (a filler while it runs); a prompt_from_action one is said after
 * success, with `resp` in scope, before on_success.prompt. Results are handled in ../actions.ts.
 */
import { startAction } from '../actions';
import { renderPrompt } from '../render';
import { say, scopeOf, type StateHandler } from '../run';

export const actionThenPromptState: StateHandler = {
  enter: (run, state) => {
    if (!state.promptFromAction) say(run, renderPrompt(state.prompt, scopeOf(run)));
    startAction(run, state);
  },
};
