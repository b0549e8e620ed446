/**
 * `listen`: listen without a prompt of its own (the previous state's prompt, e.g. an action's on_success text,
 * was the question). A re-prompt repeats that last prompt.
 */
import type { CompiledState } from '../../../lib/machine/model';
import { listenNow, onListeningInput } from '../listening';
import { renderPrompt } from '../render';
import { say, scopeOf, type Run, type StateHandler } from '../run';

function repeatQuestion(run: Run, state: CompiledState): void {
  // A listen state that does carry a prompt (allowed by the model) says it; otherwise the last prompt is repeated.
  const own = renderPrompt(state.prompt, scopeOf(run));
  say(run, own !== '' ? own : (run.s.lastPrompt ?? ''));
  listenNow(run, state);
}

export const listenState: StateHandler = {
  enter: (run, state) => listenNow(run, state),
  onInput: (run, state, input) => onListeningInput(run, state, input, () => repeatQuestion(run, state)),
};
