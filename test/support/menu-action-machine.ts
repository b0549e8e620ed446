/**
 * A small machine for the session workflow tests: a menu whose key 1 runs one backend action
 * (`PUT /things/{id}/confirm`), then goodbye; key 9 says the menu again (a new visit of the same state). Compiled by the real loader, so a test machine obeys the checker too.
 */
import { checkMachineSource } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';

export interface MenuActionMachineOptions {
  name: string;
  version?: string;
  /** Seconds of silence before a no-input. */
  noinputTimeoutSec: number;
  /** The `{id}` of the action's path. */
  thingId: number;
  /** Prompts: the menu, the action's success and failure. */
  prompts: { menu: string; success: string; failure: string };
}

export function menuActionMachine(o: MenuActionMachineOptions): CompiledMachine {
  const yaml = `
machine: ${o.name}
version: "${o.version ?? '1'}"
locale: fr-FR
timezone: Europe/Paris
entry: s.menu
globals:
  max_noinput: 2
  max_nomatch: 2
  noinput_timeout_sec: ${o.noinputTimeoutSec}
  exhausted_next: s.bye
  endpoints:
    confirm: "PUT /things/{id}/confirm"
intents:
  confirm: { utterances: ["confirmer"], dtmf: ["1"] }
  repeat: { utterances: ["répéter"], dtmf: ["9"] }
states:
  s.menu:
    type: prompt_and_listen
    prompt: ${JSON.stringify(o.prompts.menu)}
    noinput: { max: 2, next: s.bye }
    routes:
      - when_intent: confirm
        next: s.confirm
      - when_intent: repeat
        next: s.menu
  s.confirm:
    type: action_then_prompt
    action:
      call: \${globals.endpoints.confirm}
      path: { id: "${o.thingId}" }
      body: { channel: "{{ctx.channel}}" }
      on_success: { prompt: ${JSON.stringify(o.prompts.success)}, next: s.bye }
      on_fail: { prompt: ${JSON.stringify(o.prompts.failure)}, next: s.bye }
  s.bye:
    type: prompt_end
    prompt: "Au revoir."
`;
  const checked = checkMachineSource(`${o.name}.yaml`, yaml);
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !checked.machine) throw new Error(`test machine ${o.name}: ${JSON.stringify(errors)}`);
  return checked.machine;
}
