/** Conversation scripts over the ESL path: the voice driver under the script runner (what `ivr simulate --channel voice` runs). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overridesRegistry, VoiceSessionDriver } from '../../cli/simulate/drivers/voice';
import { runScript, type TranscriptEntry } from '../../cli/simulate/runner';
import { loadScript } from '../../cli/simulate/script';
import { startVoiceStack, type VoiceStack } from './support';

const MACHINE = `
machine: voice_driver_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: d.menu
globals:
  max_noinput: 2
  max_nomatch: 2
  noinput_timeout_sec: 8
  exhausted_next: d.bye
  who: "Synergia"
intents:
  book: { utterances: ["rendez-vous"], dtmf: ["1"] }
states:
  d.menu:
    type: prompt_and_listen
    prompt: "Bienvenue chez {{globals.who}}. Dites rendez-vous ou tapez 1."
    noinput: { max: 3, next: d.bye }
    routes:
      - when_intent: book
        next: d.code
  d.code:
    type: prompt_and_listen
    prompt: "Tapez votre code à quatre chiffres."
    collect: { mode: otp, length: 4, allow_dtmf: true, into: code }
    next: d.bye
  d.bye:
    type: prompt_end
    prompt: "Merci, au revoir."
`;

const registry = overridesRegistry();
let stack: VoiceStack;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-voice-scripts-'));

beforeAll(async () => {
  stack = await startVoiceStack(MACHINE, { timeScale: 0.05, overrides: registry.lookup });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

async function run(yaml: string) {
  const file = path.join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, yaml);
  const script = loadScript(file);
  const entries: TranscriptEntry[] = [];
  const driver = new VoiceSessionDriver({
    client: stack.client,
    sim: stack.node.sim,
    bridge: stack.node.bridge,
    openai: stack.openai,
    destination: stack.node.destination,
    ...(script.caller ? { caller: script.caller } : {}),
    ...(script.globals ? { globals: script.globals as Record<string, never> } : {}),
    overrides: registry.map,
  });
  const result = await runScript(script, {
    driver,
    peers: { outbox: async () => [], odooSearchCount: async () => 0, odooSearchRead: async () => [] },
    emit: (e) => entries.push(e),
  });
  return { result, entries, driver };
}

test('speech (espeak-ng → record → transcribe), keys and the end, as a script', async () => {
  const { result, entries } = await run(`
caller: "+33612345678"
steps:
  - expect: { state: d.menu, say: "bienvenue" }
  - say: "je voudrais un rendez-vous"
  - expect: { state: d.code, say: "quatre chiffres" }
  - dtmf: "2468"
  - expect: { state: d.bye, ended: true, outcome: completed }
`);
  expect(result.failure).toBeUndefined();
  expect(result.ok).toBe(true);
  expect(result.trace.filter((e) => e.kind === 'route')).toEqual([expect.objectContaining({ route: 'book', input: 'speech' })]);
  expect(entries.filter((e) => e.type === 'input').map((e) => (e as { kind: string }).kind)).toEqual(['speech', 'dtmf']);
});

test('script globals reach the session through the bridge (channel variable ivr_run_id → overrides)', async () => {
  const { result } = await run(`
globals: { who: "l'équipe de test" }
steps:
  - expect: { state: d.menu, say: "bienvenue chez l'equipe de test" }
  - silence: 0.5
  - hangup: true
  - expect: { ended: true, outcome: hangup }
`);
  expect(result.failure).toBeUndefined();
  const plain = await run(`
steps:
  - expect: { state: d.menu, say: "bienvenue chez synergia" }
  - hangup: true
`);
  expect(plain.result.ok).toBe(true);
});

test('a failing expectation names the step and what was seen', async () => {
  const { result } = await run(`
steps:
  - dtmf: "1"
  - expect: { state: d.menu, within: 2 }
`);
  expect(result.ok).toBe(false);
  expect(result.failure).toMatchObject({ line: 4, expected: 'state d.menu' });
  expect(result.failure?.seen).toContain('d.code');
});
