/**
 * `prompt_and_listen`: say the state's prompt (rendered with ctx), then listen. Re-prompts within the visit say
 * it again. A prompt marked prompt_from_action in a listening state is rendered from ctx on entry (no response
 * is in scope: the state's own action, if any, runs only after a collected value).
 */
import type { CompiledState } from '../../../lib/machine/model';
import { listenNow, onListeningInput } from '../listening';
import { renderPrompt } from '../render';
import { say, scopeOf, type Run, type StateHandler } from '../run';

function promptAndListen(run: Run, state: CompiledState): void {
  say(run, renderPrompt(state.prompt, scopeOf(run)));
  listenNow(run, state);
}

export const promptAndListenState: StateHandler = {
  enter: promptAndListen,
  onInput: (run, state, input) => onListeningInput(run, state, input, () => promptAndListen(run, state)),
};
