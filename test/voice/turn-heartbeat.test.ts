/**
 * A voice turn waits as long as the caller takes (lib/esl/turns.ts): past its 30 s heartbeat timeout, because the
 * esl-bridge heartbeats the turns it holds. Whole voice path, with a listen of 45 s on the caller's clock.
 */
import { listeningIn, startVoiceStack, type VoiceStack } from './support';

const MACHINE = `
machine: voice_heartbeat_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: v.menu
globals:
  max_noinput: 2
  max_nomatch: 2
  noinput_timeout_sec: 45
  exhausted_next: v.bye
intents:
  book: { utterances: ["rendez-vous"], dtmf: ["1"] }
states:
  v.menu:
    type: prompt_and_listen
    prompt: "Tapez 1."
    noinput: { max: 2, next: v.bye }
    routes:
      - when_intent: book
        next: v.bye
  v.bye:
    type: prompt_end
    prompt: "Au revoir."
`;

let stack: VoiceStack;

beforeAll(async () => {
  stack = await startVoiceStack(MACHINE);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

test('a caller who answers after 36 s still answers the turn that waited: no time-out, no no-input', async () => {
  const call = await stack.node.sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: stack.node.destination });
  await listeningIn(stack, call, 'v.menu');
  const answered = stack.node.bridge.stats.turnInputs.dtmf;
  await new Promise((r) => setTimeout(r, 36_000));
  expect(stack.node.bridge.openTurn(call.uuid)).toBeDefined();
  await call.press('1');
  const result = await stack.handle(call).result();
  expect(result).toMatchObject({ outcome: 'completed', state: 'v.bye', turns: 1 });
  expect(stack.node.bridge.stats.turnInputs.dtmf).toBe(answered + 1);
  const events = (await stack.handle(call).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.activityTaskTimedOutEventAttributes)).toHaveLength(0);
}, 90_000);
