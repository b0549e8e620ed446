/**
 * A voice call on the simulated FreeSWITCH node (esl-bridge, voice worker and session worker on the dev server):
 * a key pressed at the menu is a voice turn timed up to the start of the next voice command, the call's end is
 * counted by outcome and goal on the voice channel, and the voice worker's sockets are up.
 */
import { registry } from '../../lib/metrics';
import { listeningIn, startVoiceStack, until, type VoiceStack } from '../voice/support';

const MACHINE = `
machine: voice_metrics
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: v.menu
globals:
  max_noinput: 2
  max_nomatch: 2
  noinput_timeout_sec: 5
  exhausted_next: v.bye
intents:
  book: { utterances: ["rendez-vous"], dtmf: ["1"] }
outcomes:
  info_given: { goal: true }
states:
  v.menu:
    type: prompt_and_listen
    prompt: "Bonjour. Tapez 1."
    noinput: { max: 2, next: v.bye }
    routes:
      - when_intent: book
        next: v.info
  v.info:
    type: prompt_end
    prompt: "Nous sommes ouverts du lundi au vendredi."
    outcome: info_given
  v.bye:
    type: prompt_end
    prompt: "Au revoir."
    outcome: noinput_exhausted
`;

let stack: VoiceStack;

beforeAll(async () => {
  stack = await startVoiceStack(MACHINE, { timeScale: 0.05 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { type, values } = await metric.get();
  // A histogram is read by its count of observations (prom-client's types call the type an enum; it is a string).
  const series = String(type) === 'histogram' ? `${name}_count` : undefined;
  return values.find((v) => (series === undefined || (v as { metricName?: string }).metricName === series) && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

test('a key at the menu: one voice turn timed to the next voice command, the call counted by its outcome', async () => {
  const call = await stack.node.sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: stack.node.destination });
  await listeningIn(stack, call, 'v.menu');
  const before = (await value('ivr_turn_latency_seconds', { channel: 'voice', command: 'voiceTurn' })) ?? 0;
  await call.press('1');
  const result = await stack.handle(call).result();
  expect(result).toMatchObject({ declaredOutcome: 'info_given', goal: 'reached' });
  expect(await value('ivr_turn_latency_seconds', { channel: 'voice', command: 'voiceTurn' })).toBe(before + 1);
  await until('the session end to be counted', async () =>
    (await value('ivr_sessions_ended_total', { machine: 'voice_metrics', channel: 'voice', outcome: 'info_given', goal: 'reached' })) === 1);
  expect(await value('ivr_esl_connected', { component: 'voice-worker' })).toBeGreaterThanOrEqual(1);
  expect(await value('ivr_activity_duration_seconds', { activity: 'voiceTurn', result: 'ok' })).toBeGreaterThanOrEqual(1);
}, 60_000);
