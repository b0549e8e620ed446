/**
 * `uuid_record` in the simulator is the media bug FreeSWITCH 1.10.12 runs (mod_commands session_record_function,
 * switch_ivr_record_session_event, record_callback): replies, folders, recording variables, silence timeouts on
 * the caller's audio, completion causes, no DTMF reading.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEslSimulator, type EslSimulator, type SimCall } from '../../sim/esl';
import { decodeEvent, RawClient, toneWav } from './support';

let sim: EslSimulator;
let c: RawClient;
let tmp: string;
let call: SimCall;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esl-bug-'));
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.05, heartbeatMs: 0, playbackDurations: { '/p/prompt.wav': 6000 } });
  c = await RawClient.connect(sim.port);
  await c.login('pw');
  await c.command('event plain ALL');
  call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK', 5000);
});
afterEach(async () => {
  c.close();
  await sim.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function api(cmd: string): Promise<string> {
  return (await c.command(`api ${cmd}`)).body;
}

async function recordEvent(name: 'RECORD_START' | 'RECORD_STOP', file: string): Promise<Record<string, string>> {
  return (await c.event((h) => h['Event-Name'] === name && h['Record-File-Path'] === file, 10_000)).headers;
}

function names(): string[] {
  return c
    .frames()
    .map(decodeEvent)
    .filter((h) => h?.['Unique-ID'] === call.uuid)
    .map((h) => h!['Event-Name'] ?? '');
}

/** 16-bit mono samples of a WAV the simulator wrote (44-byte header). */
function samples(file: string): Int16Array {
  const b = fs.readFileSync(file);
  return new Int16Array(b.buffer.slice(b.byteOffset + 44, b.byteOffset + b.length));
}

/** A 440 Hz tone whose mean absolute sample is about 0.64 × peak. */
function tone(ms: number, peak: number): Buffer {
  const wav = toneWav(ms, 8000);
  for (let o = 44; o < wav.length; o += 2) wav.writeInt16LE(Math.round((wav.readInt16LE(o) / 12000) * peak), o);
  return wav;
}

test('replies and usage are worded as mod_commands words them', async () => {
  const usage = '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';
  expect(await api('uuid_record')).toBe(usage);
  expect(await api(`uuid_record ${call.uuid} start`)).toBe(usage);
  expect(await api(`uuid_record ${call.uuid} frob ${tmp}/x.wav`)).toBe(usage);
  expect(await api(`uuid_record 00000000-0000-0000-0000-000000000000 start ${tmp}/x.wav`)).toBe('-ERR Cannot locate session!\n');
  expect(await api(`uuid_record ${call.uuid} stop ${tmp}/x.wav`)).toBe('-ERR Cannot stop record session!\n');
  expect(await api(`uuid_record ${call.uuid} stop all`)).toBe('-ERR Cannot stop record session!\n');
});

test('start creates missing folders (unlike record); a folder that cannot be made answers -ERR Cannot record session!', async () => {
  const file = path.join(tmp, 'recordings', call.uuid, 'turn-1.wav');
  expect(await api(`uuid_record ${call.uuid} start ${file}`)).toBe('+OK Success\n');
  expect(fs.statSync(path.dirname(file)).isDirectory()).toBe(true);
  const start = await recordEvent('RECORD_START', file);
  expect(start['Event-Calling-Function']).toBe('record_callback');
  fs.writeFileSync(path.join(tmp, 'plain-file'), 'x');
  const blocked = path.join(tmp, 'plain-file', 'sub', 'x.wav');
  expect(await api(`uuid_record ${call.uuid} start ${blocked}`)).toBe('-ERR Cannot record session!\n');
  expect(call.getVar('record_completion_cause')).toBe('uri-failure');
  expect(sim.log.some((l) => l.endsWith(`Error creating ${path.dirname(blocked)}`))).toBe(true);
  expect(sim.calls.has(call.uuid)).toBe(true);
});

test('recording variables: the 5th field is url-decoded, read as {A=1,B=2} and echoed as Recording-Variable-*', async () => {
  const file = path.join(tmp, 'vars.wav');
  expect(await api(`uuid_record ${call.uuid} start ${file} 0 {turn=3,who=caller%20one,odd%2Cpart=x}`)).toBe('+OK Success\n');
  const start = await recordEvent('RECORD_START', file);
  expect(start['Recording-Variable-turn']).toBe('3');
  expect(start['Recording-Variable-who']).toBe('caller one');
  // Decoded before parsing: "%2C" became a separator, so "odd" (no "=") is dropped and "part=x" kept.
  expect(start['Recording-Variable-part']).toBe('x');
  expect(Object.keys(start).filter((k) => k.startsWith('Recording-Variable-'))).toEqual(['Recording-Variable-turn', 'Recording-Variable-who', 'Recording-Variable-part']);
  expect(await api(`uuid_record ${call.uuid} stop ${file}`)).toBe('+OK Success\n');
  const stop = await recordEvent('RECORD_STOP', file);
  expect(stop['Recording-Variable-who']).toBe('caller one');
  // A plain stop on a live channel is "success-maxtime" (record_callback CLOSE).
  expect(stop['Record-Completion-Cause']).toBe('success-maxtime');
  const keys = Object.keys(stop);
  expect(keys.indexOf('Record-Completion-Cause')).toBeGreaterThan(keys.indexOf('Recording-Variable-part'));
});

test('initial timeout without speech: no-input-timeout after exactly the timeout, from the vars or the channel', async () => {
  const a = path.join(tmp, 'a.wav');
  await api(`uuid_record ${call.uuid} start ${a} 0 {RECORD_INITIAL_TIMEOUT_MS=1000}`);
  const stopA = await recordEvent('RECORD_STOP', a);
  expect(stopA['Record-Completion-Cause']).toBe('no-input-timeout');
  expect(stopA['variable_record_completion_cause']).toBe('no-input-timeout');
  expect(stopA['variable_record_ms']).toBe('1000');
  expect(samples(a).length).toBe(8000);
  // get_recording_var falls back to the channel's variables.
  expect(await api(`uuid_setvar ${call.uuid} RECORD_INITIAL_TIMEOUT_MS 600`)).toBe('+OK\n');
  const b = path.join(tmp, 'b.wav');
  await api(`uuid_record ${call.uuid} start ${b}`);
  const stopB = await recordEvent('RECORD_STOP', b);
  expect(stopB['Record-Completion-Cause']).toBe('no-input-timeout');
  expect(stopB['variable_record_ms']).toBe('600');
});

test('speech switches to the final timeout: success-silence after the end of speech, the speech is in the file', async () => {
  const file = path.join(tmp, 'speech.wav');
  // A long initial timeout (10 real s): RECORD_START reaches the test up to 60 real ms (1.2 simulated s) late,
  // more on a loaded machine.
  await api(`uuid_record ${call.uuid} start ${file} 0 {RECORD_INITIAL_TIMEOUT_MS=200000,RECORD_FINAL_TIMEOUT_MS=800}`);
  await recordEvent('RECORD_START', file);
  call.speak(tone(1500, 12000));
  const stop = await recordEvent('RECORD_STOP', file);
  expect(stop['Record-Completion-Cause']).toBe('success-silence');
  const s = samples(file);
  const loud = s.reduce((n, v) => (Math.abs(v) > 1000 ? n + 1 : n), 0);
  expect(loud).toBeGreaterThan(8000); // most of the 1.5 s tone
  // Ends 800 ms (+ at most a frame) after the speech, wherever the speech landed on the recording's time line.
  let last = s.length - 1;
  while (last > 0 && s[last] === 0) last--;
  const tailMs = (s.length - 1 - last) / 8;
  expect(tailMs).toBeGreaterThanOrEqual(780);
  expect(tailMs).toBeLessThanOrEqual(840);
});

test('audio under the threshold is silence (mean |sample| per 20 ms frame, threshold 200 by default)', async () => {
  const file = path.join(tmp, 'quiet.wav');
  await api(`uuid_record ${call.uuid} start ${file} 0 {RECORD_INITIAL_TIMEOUT_MS=20000}`);
  await recordEvent('RECORD_START', file);
  call.speak(tone(1000, 250)); // mean |sample| ≈ 160
  const stop = await recordEvent('RECORD_STOP', file);
  expect(stop['Record-Completion-Cause']).toBe('no-input-timeout');
  expect(stop['variable_record_ms']).toBe('20000');
});

test('a media bug reads no DTMF: park fires the key, the recording goes on; the limit ends it with success-maxtime', async () => {
  const file = path.join(tmp, 'keys.wav');
  await api(`uuid_record ${call.uuid} start ${file} 10`);
  await recordEvent('RECORD_START', file);
  await call.press('5', { durationMs: 40, gapMs: 0 });
  await c.event((h) => h['Event-Name'] === 'DTMF' && h['DTMF-Digit'] === '5');
  const n = names();
  expect(n.indexOf('DTMF')).toBeLessThan(n.length);
  expect(n).not.toContain('RECORD_STOP');
  const stop = await recordEvent('RECORD_STOP', file);
  expect(stop['Record-Completion-Cause']).toBe('success-maxtime');
  expect(stop['variable_record_ms']).toBe('10000');
  expect(names().indexOf('DTMF')).toBeLessThan(names().indexOf('RECORD_STOP'));
});

test('RECORD_MIN_SEC: a shorter file is deleted with input-too-short and RECORD_DISCARDED', async () => {
  const file = path.join(tmp, 'short.wav');
  await api(`uuid_record ${call.uuid} start ${file} 0 {RECORD_MIN_SEC=30}`);
  await recordEvent('RECORD_START', file);
  await new Promise((r) => setTimeout(r, 50));
  expect(await api(`uuid_record ${call.uuid} stop ${file}`)).toBe('+OK Success\n');
  const stop = await recordEvent('RECORD_STOP', file);
  expect(stop['Record-Completion-Cause']).toBe('input-too-short');
  expect(stop['variable_RECORD_DISCARDED']).toBe('true');
  expect(fs.existsSync(file)).toBe(false);
});

test('several recordings at once; the same path twice is one recording; stop all ends them', async () => {
  const a = path.join(tmp, 'one.wav');
  const b = path.join(tmp, 'two.wav');
  expect(await api(`uuid_record ${call.uuid} start ${a}`)).toBe('+OK Success\n');
  expect(await api(`uuid_record ${call.uuid} start ${b}`)).toBe('+OK Success\n');
  expect(await api(`uuid_record ${call.uuid} start ${a}`)).toBe('+OK Success\n');
  expect(sim.log).toContain(`${call.uuid} [WARNING] switch_ivr_async.c:2966 Already recording [${a}]`);
  await recordEvent('RECORD_START', b);
  expect(await api(`uuid_record ${call.uuid} stop all`)).toBe('+OK Success\n');
  await recordEvent('RECORD_STOP', a);
  await recordEvent('RECORD_STOP', b);
  expect(names().filter((x) => x === 'RECORD_START')).toHaveLength(2);
  expect(names().filter((x) => x === 'RECORD_STOP')).toHaveLength(2);
  expect(fs.existsSync(a) && fs.existsSync(b)).toBe(true);
});

test('hang-up closes the recordings before HANGUP_COMPLETE: no-input-timeout without speech, success-silence with', async () => {
  const quiet = path.join(tmp, 'quiet-hangup.wav');
  const plain = path.join(tmp, 'plain-hangup.wav');
  await api(`uuid_record ${call.uuid} start ${quiet} 0 {RECORD_SILENCE_THRESHOLD=200}`);
  await api(`uuid_record ${call.uuid} start ${plain}`);
  await recordEvent('RECORD_START', plain);
  await new Promise((r) => setTimeout(r, 30));
  await call.hangup();
  // No silence detection: record_callback assumes speech from the first frame.
  expect((await recordEvent('RECORD_STOP', plain))['Record-Completion-Cause']).toBe('success-silence');
  expect((await recordEvent('RECORD_STOP', quiet))['Record-Completion-Cause']).toBe('no-input-timeout');
  await c.event((h) => h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE', 5000);
  expect(names().lastIndexOf('RECORD_STOP')).toBeLessThan(names().indexOf('CHANNEL_HANGUP_COMPLETE'));
});

test('mask writes silence in place of the audio while it lasts', async () => {
  const file = path.join(tmp, 'masked.wav');
  await api(`uuid_record ${call.uuid} start ${file}`);
  await recordEvent('RECORD_START', file);
  expect(await api(`uuid_record ${call.uuid} mask ${file}`)).toBe('+OK Success\n');
  call.speak(tone(500, 12000));
  await new Promise((r) => setTimeout(r, 40));
  await api(`uuid_record ${call.uuid} stop ${file}`);
  await recordEvent('RECORD_STOP', file);
  expect(samples(file).every((v) => v === 0)).toBe(true);
  expect(await api(`uuid_record ${call.uuid} unmask ${tmp}/none.wav`)).toBe('-ERR Cannot unmask recording session!\n');
});

test('both directions by default: a prompt playing to the caller counts as speech; RECORD_READ_ONLY hears only the caller', async () => {
  const both = path.join(tmp, 'both.wav');
  await api(`uuid_record ${call.uuid} start ${both} 0 {RECORD_INITIAL_TIMEOUT_MS=4000,RECORD_FINAL_TIMEOUT_MS=500}`);
  await c.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /p/prompt.wav\n\n`);
  const stopBoth = await recordEvent('RECORD_STOP', both);
  // The 6 s prompt is "speech" in the mixed frames: the initial timeout never fires, the final one follows the prompt.
  expect(stopBoth['Record-Completion-Cause']).toBe('success-silence');
  expect(Number(stopBoth['variable_record_ms'])).toBeGreaterThanOrEqual(6000);
  await c.event((h) => h['Event-Name'] === 'PLAYBACK_STOP');
  const readOnly = path.join(tmp, 'read-only.wav');
  await api(`uuid_record ${call.uuid} start ${readOnly} 0 {RECORD_INITIAL_TIMEOUT_MS=4000,RECORD_FINAL_TIMEOUT_MS=500,RECORD_READ_ONLY=true}`);
  await c.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /p/prompt.wav\n\n`);
  const stopRead = await recordEvent('RECORD_STOP', readOnly);
  expect(stopRead['Record-Completion-Cause']).toBe('no-input-timeout');
  expect(stopRead['variable_record_ms']).toBe('4000');
});
