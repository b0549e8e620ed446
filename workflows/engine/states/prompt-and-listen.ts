/**
 * `prompt_and_listen`: say the state's prompt, then listen. Re-prompts within the visit say it again. A prompt
 * marked prompt_from_action is rendered on entry with `resp` = the body of the last successful action (the
 * previous state's, e.g. the slots just fetched): the state's own action, if any, runs only after a collected value.
 */
import type { CompiledState } from '../../../lib/machine/model';
import { listenNow, onListeningInput } from '../listening';
import { renderPrompt } from '../render';
import { say, scopeOf, type Run, type StateHandler } from '../run';

function promptAndListen(run: Run, state: CompiledState): void {
  const resp = state.promptFromAction ? run.s.lastResponse : undefined;
  say(run, renderPrompt(state.prompt, scopeOf(run, resp)));
  listenNow(run, state);
}

export const promptAndListenState: StateHandler = {
  enter: promptAndListen,
  onInput: (run, state, input) => onListeningInput(run, state, input, () => promptAndListen(run, state)),
};
