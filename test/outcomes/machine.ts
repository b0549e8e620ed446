/** A small machine whose every ending names its outcome: silence, no-match, a failed backend call, success. */
import { checkMachineSource } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';
import { countErrors, formatDiagnostic } from '../../lib/machine/diagnostics';

export const OUTCOMES_MACHINE_YAML = `
machine: outcomes_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: menu
globals:
  noinput_timeout_sec: 1
  max_noinput: 2
  max_nomatch: 2
  exhausted_next: bye
outcomes:
  booked: { goal: true, description: "the slot was booked" }
intents:
  book: { utterances: ["réserver"], dtmf: ["1"] }
states:
  menu:
    type: prompt_and_listen
    screen: C0
    prompt: "Pour réserver, dites réserver ou tapez 1."
    routes:
      - when_intent: book
        next: book
  book:
    type: action_then_prompt
    screen: C1
    action:
      call: "POST /things/42/book"
      on_success:
        prompt: "C'est réservé."
        next: bye
        outcome: booked
      on_fail:
        prompt: "Je n'ai pas pu réserver."
        next: bye
  bye:
    type: prompt_end
    screen: C2
    prompt: "Au revoir."
`;

export function outcomesMachine(yaml = OUTCOMES_MACHINE_YAML): CompiledMachine {
  const r = checkMachineSource('outcomes-test.yaml', yaml);
  if (!r.machine || countErrors(r.diagnostics) > 0) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.machine;
}
