/**
 * Listening on FreeSWITCH loses nothing (freeswitch/README.md, "Listening"), against the ESL simulator with the
 * switch's observed semantics: keys are events only when an application reads them, `record` flushes the queue when
 * it ends, `record` into a missing folder hangs up with DESTINATION_OUT_OF_ORDER, events arrive 5–60 ms late.
 * Prompts play at their real length here (time scale 1): every timing below is the caller's real time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpokenTranscripts } from '../../cli/simulate/drivers/voice';
import type { SimCall } from '../../sim/esl';
import { traceQuery } from '../../workflows/session-api';
import { capturingLogger } from '../esl/support';
import { eventsOf, listeningIn, speechWav, startVoiceStack, until, type VoiceStack } from './support';

const MACHINE = `
machine: listening_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: l.menu
globals:
  max_noinput: 3
  max_nomatch: 3
  noinput_timeout_sec: 3
  exhausted_next: l.bye
intents:
  book: { utterances: ["rendez-vous"], dtmf: ["1"] }
states:
  l.menu:
    type: prompt_and_listen
    prompt: "Tapez 1."
    noinput: { max: 3, next: l.bye }
    routes:
      - when_intent: book
        next: l.phone
  l.phone:
    type: prompt_and_listen
    prompt: "Votre numéro, puis dièse."
    collect: { mode: phone, allow_dtmf: true, into: phone }
    noinput: { max: 3, next: l.bye }
    next: l.bye
  l.bye:
    type: prompt_end
    prompt: "Merci."
`;

const captured = capturingLogger('voice-listening-test');
let stack: VoiceStack;

beforeAll(async () => {
  stack = await startVoiceStack(MACHINE, { timeScale: 1, logger: captured.logger });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function placeCall(): Promise<SimCall> {
  return stack.node.sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: stack.node.destination });
}

async function trace(call: SimCall) {
  return (await stack.handle(call).query(traceQuery, 0)).events;
}

/** When the listening recording of this call last started, as the switch saw it (real ms). */
async function recordingStarted(call: SimCall, count: number): Promise<number> {
  await until(`recording ${count} to start`, () => eventsOf(stack, call, 'RECORD_START').length >= count);
  return Date.now();
}

test('keys pressed at any moment of a turn (during the prompt, at its end, in silence, as recordings restart) all reach the session once', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'l.menu');
  await call.press('1');
  // The number prompt (about 2 s) is playing: the first keys land during it, the next ones at its end and after,
  // each key making the session listen again (a new recording) while the next key is already on its way.
  await until('the number prompt to start', () => eventsOf(stack, call, 'PLAYBACK_START').length >= 2);
  const number = '0612345678';
  const gaps = [0, 300, 900, 40, 1200, 10, 600, 80, 1500, 0];
  for (let i = 0; i < number.length; i++) {
    await sleep(gaps[i] ?? 0);
    await call.press(number[i] as string, { durationMs: 100, gapMs: 0 });
  }
  await call.press('#', { durationMs: 100, gapMs: 0 });
  const result = await stack.handle(call).result();
  expect(result).toMatchObject({ outcome: 'completed', state: 'l.bye' });
  const events = await trace(call);
  // The whole number was collected at the first attempt: no key lost (it would be invalid), none doubled.
  expect(events.filter((e) => e.kind === 'collected')).toEqual([expect.objectContaining({ state: 'l.phone', key: 'phone' })]);
  expect(events.filter((e) => e.kind === 'invalid' || e.kind === 'noinput' || e.kind === 'nomatch')).toEqual([]);
  expect(call.discardedDtmf).toEqual([]);
  expect(result.turns).toBe(1 + number.length + 1);
}, 60_000);

test('a key that lands as a 2 s silent stretch ends is not lost (the record application flushed such keys)', async () => {
  const call = await placeCall();
  const t0 = await recordingStarted(call, 1);
  // After 2 s of silence a silence-ended `record` stops reading keys, closes its file, then flushes the queue: on
  // the real switch a key landing in those ~110 ms never became an event. This key lands 30–90 ms into them
  // (t0 is when the RECORD_START event arrived, 5–60 ms after the recording started).
  await sleep(Math.max(0, t0 + 2000 + 30 - 100 - Date.now()));
  await call.press('1', { durationMs: 100, gapMs: 0 });
  await listeningIn(stack, call, 'l.phone');
  expect(call.discardedDtmf).toEqual([]);
  expect((await trace(call)).filter((e) => e.kind === 'route')).toEqual([expect.objectContaining({ route: 'book', input: 'dtmf' })]);
  await call.hangup();
}, 30_000);

test('speech that starts just before the no-input timeout is heard to its end, not cut by the timeout', async () => {
  const transcripts = new SpokenTranscripts(stack.openai);
  const call = await placeCall();
  transcripts.attach(call);
  const wav = await speechWav('je voudrais un rendez-vous');
  await listeningIn(stack, call, 'l.menu');
  await recordingStarted(call, 1);
  transcripts.expect(call.uuid, 'je voudrais un rendez-vous');
  // The timeout is 3 s: the caller starts talking at 2 s (1 s of margin for a loaded machine), and talks past it:
  // the phrase lasts about 1.7 s, then 2 s of silence end it, at about 5.7 s.
  await sleep(2000);
  call.speak(wav);
  await listeningIn(stack, call, 'l.phone', 20_000);
  const events = await trace(call);
  expect(events.filter((e) => e.kind === 'noinput')).toEqual([]);
  expect(events.filter((e) => e.kind === 'route')).toEqual([expect.objectContaining({ route: 'book', input: 'speech' })]);
  await call.hangup();
}, 40_000);

test('silence: the switch reports the no-input at the timeout, the session re-prompts', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'l.menu');
  await until('the re-prompt', async () => (await trace(call)).some((e) => e.kind === 'noinput'), 15_000);
  const stop = eventsOf(stack, call, 'RECORD_STOP')[0];
  expect(stop?.get('Record-Completion-Cause')).toBe('no-input-timeout');
  await until('the second listen', () => eventsOf(stack, call, 'RECORD_START').length >= 2);
  await call.hangup();
}, 30_000);

test('recordings go into a per-call folder the worker creates; no call is hung up for a missing folder', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'l.menu');
  await recordingStarted(call, 1);
  expect(fs.statSync(path.join(stack.node.config.recordDir, call.uuid)).isDirectory()).toBe(true);
  const started = stack.node.sim.commands.find((c) => c.startsWith(`api uuid_record ${call.uuid} start`));
  expect(started).toContain(`${stack.node.config.recordDir}/${call.uuid}/`);
  expect(call.apps.some((a) => a.app === 'record')).toBe(false);
  await call.hangup();
  expect(call.hangupCause).toBe('NORMAL_CLEARING');
}, 30_000);

test('a recording folder that cannot be created ends the session in error with the cause, logged, and the call is hung up', async () => {
  const blocker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-rec-')), 'a-file');
  fs.writeFileSync(blocker, 'not a folder');
  const saved = stack.node.config.recordDir;
  stack.node.config.recordDir = path.join(blocker, 'recordings');
  try {
    const call = await placeCall();
    await until('the session to start', () => stack.handle(call).describe().then(() => true));
    const result = await stack.handle(call).result();
    expect(result.outcome).toBe('error');
    expect(result.failure).toMatchObject({ kind: 'command' });
    expect(result.failure?.cause).toMatch(/recording folder .*VOICE_RECORD_DIR/);
    await until('the IVR to hang up', () => call.hungUp);
    expect(captured.lines.some((l) => l.includes('listening failed') && l.includes(call.uuid))).toBe(true);
  } finally {
    stack.node.config.recordDir = saved;
  }
}, 30_000);

test('a call the switch drops with an unusual cause ends in error with that cause, not as a plain hang-up', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'l.menu');
  await call.hangup('DESTINATION_OUT_OF_ORDER');
  const result = await stack.handle(call).result();
  expect(result).toMatchObject({ outcome: 'error', failure: { kind: 'hangup', cause: 'DESTINATION_OUT_OF_ORDER' } });
  expect(captured.lines.some((l) => l.includes('unusual cause') && l.includes('DESTINATION_OUT_OF_ORDER'))).toBe(true);
}, 30_000);
