/**
 * Voice turns that wait for the caller (lib/esl/turns.ts), over the whole voice path:
 * - a turn waits as long as the caller takes, past its 30 s heartbeat timeout, because the esl-bridge heartbeats
 *   the turns it holds (a listen of 45 s on the caller's clock);
 * - the esl-bridge restarts while a turn waits: the new bridge never saw that turn's announcement, so the caller's
 *   key goes as a signal and the session takes it; from the next turn on the new bridge holds turns again (it
 *   adopted the call without knowing its past inputs, and trusts what the next turn names). This test replaces the
 *   node's bridge: it runs last.
 */
import { EslBridge } from '../../esl-bridge/bridge';
import { EslConnection } from '../../lib/esl/connection';
import { waitsForCaller } from '../../cli/simulate/drivers/voice';
import { viewQuery } from '../../workflows/session-api';
import { listeningIn, startVoiceStack, until, type VoiceStack } from './support';

const MACHINE = `
machine: voice_turns_test
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
  again: { utterances: ["encore"], dtmf: ["2"] }
states:
  v.menu:
    type: prompt_and_listen
    prompt: "Tapez 1."
    noinput: { max: 2, next: v.bye }
    routes:
      - when_intent: book
        next: v.more
  v.more:
    type: prompt_and_listen
    prompt: "Tapez 2."
    noinput: { max: 2, next: v.bye }
    routes:
      - when_intent: again
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
  await until('the key applied', async () => (await stack.handle(call).query(viewQuery)).state === 'v.more' || undefined);
  expect(stack.node.bridge.stats.turnInputs.dtmf).toBe(answered + 1);
  await call.hangup();
  expect(await stack.handle(call).result()).toMatchObject({ outcome: 'hangup', turns: 2 });
  const events = (await stack.handle(call).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.activityTaskTimedOutEventAttributes)).toHaveLength(0);
}, 90_000);

test('a bridge restarted while a turn waits: the key goes as a signal, and the new bridge holds the next turn', async () => {
  const call = await stack.node.sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: stack.node.destination });
  const handle = stack.handle(call);
  await until('the first turn held', async () => (await waitsForCaller(stack.node.bridge, call, handle)) || undefined);
  // The bridge goes away; another one starts on its own socket and adopts the call.
  await stack.node.bridge.stop();
  await stack.node.bridgeEsl.close();
  const esl = new EslConnection({ host: '127.0.0.1', port: stack.node.sim.port, password: 'sim-node-password', reconnect: false });
  const bridge = new EslBridge({ client: stack.client, machine: stack.machine, nodes: [{ name: stack.node.node, esl }], destinations: [stack.node.destination], sessionTaskQueue: stack.sessionTaskQueue });
  await bridge.start();
  try {
    expect(bridge.trackedCalls().has(call.uuid)).toBe(true);
    expect(bridge.openTurn(call.uuid)).toBeUndefined();
    await call.press('1');
    await until('the key applied', async () => (await handle.query(viewQuery)).state === 'v.more' || undefined);
    expect(bridge.stats.signals.dtmf).toBe(1);
    await until('the next turn held by the new bridge', async () => ((await waitsForCaller(bridge, call, handle)) && bridge.openTurn(call.uuid) !== undefined) || undefined);
    await call.press('2');
    expect(await handle.result()).toMatchObject({ outcome: 'completed', state: 'v.bye', turns: 2 });
    expect(bridge.stats.turnInputs.dtmf).toBe(1);
  } finally {
    await bridge.stop();
    await esl.close();
  }
}, 60_000);
