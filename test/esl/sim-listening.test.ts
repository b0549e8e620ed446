/**
 * The simulator listens the way FreeSWITCH 1.10.12 does: keys wait in the channel's DTMF queue until an
 * application (or park) reads them, `record` flushes the queue when it ends, `record` into a missing folder hangs
 * the call up, and events reach the socket after a delay.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEslSimulator, type EslSimulator, type EslSimulatorOptions, type SimCall } from '../../sim/esl';
import { decodeEvent, RawClient } from './support';

let sim: EslSimulator | undefined;
let c: RawClient | undefined;
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esl-listen-'));
});
afterEach(async () => {
  c?.close();
  await sim?.stop();
  sim = undefined;
  c = undefined;
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(opts: Partial<EslSimulatorOptions> = {}): Promise<{ sim: EslSimulator; c: RawClient }> {
  sim = await startEslSimulator({ password: 'pw', heartbeatMs: 0, ...opts });
  c = await RawClient.connect(sim.port);
  await c.login('pw');
  await c.command('event plain ALL');
  return { sim, c };
}

async function parkedCall(s: EslSimulator, client: RawClient): Promise<SimCall> {
  const call = await s.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await client.event((h) => h['Event-Name'] === 'CHANNEL_PARK' && h['Unique-ID'] === call.uuid, 5000);
  return call;
}

async function execute(client: RawClient, call: SimCall, app: string, arg: string): Promise<void> {
  const id = crypto.randomUUID();
  await client.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: ${app}\nexecute-app-arg: ${arg}\nEvent-UUID: ${id}\n\n`);
}

/** This call's events so far, as "NAME", "NAME:app" for application events, "DTMF:<digit>" for keys. */
function timeline(client: RawClient, uuid: string): string[] {
  return client
    .frames()
    .map(decodeEvent)
    .filter((h): h is Record<string, string> => h?.['Unique-ID'] === uuid)
    .map((h) => {
      const n = h['Event-Name'] ?? '';
      if (n === 'DTMF') return `DTMF:${h['DTMF-Digit']}`;
      if (n.startsWith('CHANNEL_EXECUTE')) return `${n}:${h['Application']}`;
      if (n.startsWith('PLAYBACK_')) return `${n}:${h['Playback-File-Path']}:${h['Playback-Status'] ?? ''}`;
      return n;
    });
}

function after(list: string[], item: string, anchor: string): boolean {
  const i = list.indexOf(item);
  const a = list.indexOf(anchor);
  return i >= 0 && a >= 0 && i > a;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DTMF is queued on the channel and fired when an application reads it', () => {
  test('park reads keys: a parked call fires the event; call.dtmf holds what the switch received', async () => {
    const { sim, c } = await start({ timeScale: 0.02 });
    const call = await parkedCall(sim, c);
    await call.press('42');
    await c.event((h) => h['Event-Name'] === 'DTMF' && h['DTMF-Digit'] === '2' && h['Unique-ID'] === call.uuid);
    expect(timeline(c, call.uuid).filter((e) => e.startsWith('DTMF'))).toEqual(['DTMF:4', 'DTMF:2']);
    expect(call.dtmf).toBe('42');
    expect(sim.log.filter((l) => l.includes('RECV DTMF'))).toEqual([`${call.uuid} [INFO] switch_channel.c:528 RECV DTMF 4:1120`, `${call.uuid} [INFO] switch_channel.c:528 RECV DTMF 2:1120`]);
  });

  test('sleep without sleep_eat_digits does not read: a key ends it unread, park fires the event after it completes', async () => {
    const { sim, c } = await start({ timeScale: 0.02 });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'sleep', '600000');
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE' && h['Application'] === 'sleep');
    await call.press('7', { durationMs: 40, gapMs: 0 });
    await c.event((h) => h['Event-Name'] === 'DTMF' && h['Unique-ID'] === call.uuid, 5000);
    expect(after(timeline(c, call.uuid), 'DTMF:7', 'CHANNEL_EXECUTE_COMPLETE:sleep')).toBe(true);
  });

  test('sleep with sleep_eat_digits reads keys (events while it sleeps) and stops on a playback terminator', async () => {
    const { sim, c } = await start({ timeScale: 0.02 });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'set', 'sleep_eat_digits=true');
    await execute(c, call, 'sleep', '600000');
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE' && h['Application'] === 'sleep');
    await call.press('3', { durationMs: 40, gapMs: 0 });
    await c.event((h) => h['Event-Name'] === 'DTMF' && h['DTMF-Digit'] === '3');
    expect(timeline(c, call.uuid)).not.toContain('CHANNEL_EXECUTE_COMPLETE:sleep');
    await call.press('*', { durationMs: 40, gapMs: 0 });
    const done = await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'sleep', 5000);
    expect(done.headers['variable_playback_terminator_used']).toBe('*');
    expect(timeline(c, call.uuid).indexOf('DTMF:*')).toBeLessThan(timeline(c, call.uuid).indexOf('CHANNEL_EXECUTE_COMPLETE:sleep'));
  });

  test('play_and_get_digits does not read during its invalid prompt: the key waits and breaks the next try', async () => {
    const { sim, c } = await start({ playbackDurations: { '/p/ask.wav': 300, '/p/bad.wav': 600 } });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'play_and_get_digits', '1 1 2 3000 # /p/ask.wav /p/bad.wav menu [12]');
    await c.event((h) => h['Event-Name'] === 'PLAYBACK_START' && h['Playback-File-Path'] === '/p/ask.wav');
    await call.press('9', { durationMs: 40, gapMs: 0 });
    await c.event((h) => h['Event-Name'] === 'PLAYBACK_START' && h['Playback-File-Path'] === '/p/bad.wav');
    await call.press('1', { durationMs: 40, gapMs: 0 });
    const done = await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'play_and_get_digits', 5000);
    expect(done.headers['variable_menu']).toBe('1');
    const t = timeline(c, call.uuid);
    // The invalid prompt plays to its end; the key fires only when the second try's prompt reads it (and breaks).
    expect(t).toContain('PLAYBACK_STOP:/p/bad.wav:done');
    expect(after(t, 'DTMF:1', 'PLAYBACK_STOP:/p/bad.wav:done')).toBe(true);
    expect(t.filter((e) => e.startsWith('PLAYBACK_STOP:/p/ask.wav'))).toEqual(['PLAYBACK_STOP:/p/ask.wav:break', 'PLAYBACK_STOP:/p/ask.wav:break']);
  });

  test('a sensitive key (sensitive_dtmf=true) is read without an event or a log line', async () => {
    const { sim, c } = await start({ timeScale: 0.02 });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'set', 'sensitive_dtmf=true');
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'set');
    await call.press('5');
    await execute(c, call, 'set', 'sensitive_dtmf=false');
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application-Data'] === 'sensitive_dtmf=false');
    await call.press('6');
    await c.event((h) => h['Event-Name'] === 'DTMF' && h['Unique-ID'] === call.uuid);
    expect(timeline(c, call.uuid).filter((e) => e.startsWith('DTMF'))).toEqual(['DTMF:6']);
    expect(sim.log.some((l) => l.includes('RECV DTMF 5'))).toBe(false);
  });
});

describe('record ends by flushing the DTMF queue', () => {
  test('keys read while recording fire; a key landing in the last 110 ms is discarded without an event', async () => {
    // Three real ms per simulated ms: the default 110 ms window lasts 330 real ms, wide enough for a loaded machine.
    const scale = 3;
    const { sim, c } = await start({ eventDelayMs: 0, timeScale: scale });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'record', `${path.join(tmp, 'r.wav')} 1`);
    await c.event((h) => h['Event-Name'] === 'RECORD_START', 5000);
    // Key ends ~240 simulated ms into the recording: read. Key ends ~1055 ms: the 1 s recording stopped at 1000 and
    // is closing until 1110, not reading.
    const early = wait(200 * scale).then(() => call.press('4', { durationMs: 40, gapMs: 0 }));
    const late = wait(1015 * scale).then(() => call.press('5', { durationMs: 40, gapMs: 0 }));
    await Promise.all([early, late]);
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'record', 10_000);
    await call.press('6', { durationMs: 40, gapMs: 0 });
    await c.event((h) => h['Event-Name'] === 'DTMF' && h['DTMF-Digit'] === '6', 5000);
    const t = timeline(c, call.uuid);
    expect(t.filter((e) => e.startsWith('DTMF'))).toEqual(['DTMF:4', 'DTMF:6']);
    expect(t.indexOf('DTMF:4')).toBeLessThan(t.indexOf('RECORD_STOP'));
    expect(call.discardedDtmf).toEqual([{ digit: '5', by: 'record' }]);
    expect(call.dtmf).toBe('456');
    // FreeSWITCH still logs the lost key as received.
    expect(sim.log.some((l) => l.endsWith('RECV DTMF 5:320'))).toBe(true);
  });

  test('a terminator ends the recording; the keys pressed right after it are flushed with it', async () => {
    // A wide window so that the second key surely lands in it, however loaded the machine.
    const { sim, c } = await start({ eventDelayMs: 0, recordDtmfLossWindowMs: 1000 });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'record', `${path.join(tmp, 't.wav')} 30`);
    await c.event((h) => h['Event-Name'] === 'RECORD_START');
    await call.press('*7', { durationMs: 40, gapMs: 10 });
    const stop = await c.event((h) => h['Event-Name'] === 'RECORD_STOP', 5000);
    expect(stop.headers['variable_playback_terminator_used']).toBe('*');
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'record');
    expect(timeline(c, call.uuid).filter((e) => e.startsWith('DTMF'))).toEqual(['DTMF:*']);
    expect(call.discardedDtmf).toEqual([{ digit: '7', by: 'record' }]);
  });

  test('recordDtmfLossWindowMs 0: a key after the recording ended is read by park', async () => {
    const { sim, c } = await start({ eventDelayMs: 0, recordDtmfLossWindowMs: 0, timeScale: 0.02 });
    const call = await parkedCall(sim, c);
    await execute(c, call, 'record', `${path.join(tmp, 'z.wav')} 1`);
    await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'record', 5000);
    await call.press('8');
    await c.event((h) => h['Event-Name'] === 'DTMF' && h['DTMF-Digit'] === '8');
    expect(call.discardedDtmf).toEqual([]);
  });
});

describe('record into a folder that does not exist fails like FreeSWITCH', () => {
  test('no RECORD_START, the call is hung up with DESTINATION_OUT_OF_ORDER, the folder is not created, mod_sndfile logs it', async () => {
    const { sim, c } = await start({ timeScale: 0.02 });
    const call = await parkedCall(sim, c);
    const file = path.join(tmp, 'recordings', call.uuid, 'turn-1.wav');
    await execute(c, call, 'record', `${file} 10 200 2`);
    const done = await c.event((h) => h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && h['Unique-ID'] === call.uuid, 5000);
    expect(done.headers['Hangup-Cause']).toBe('DESTINATION_OUT_OF_ORDER');
    const t = timeline(c, call.uuid);
    expect(t).not.toContain('RECORD_START');
    expect(t).not.toContain('RECORD_STOP');
    const i = t.indexOf('CHANNEL_EXECUTE:record');
    expect(t.slice(i, i + 3)).toEqual(['CHANNEL_EXECUTE:record', 'CHANNEL_HANGUP', 'CHANNEL_EXECUTE_COMPLETE:record']);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
    expect(sim.log).toContain(`[WARNING] mod_sndfile.c:281 Error Opening File [${file}] [System error : No such file or directory.]`);
    expect(sim.log.some((l) => l.includes('Hangup sofia/external/0612345678@') && l.endsWith('[DESTINATION_OUT_OF_ORDER]'))).toBe(true);
    expect(call.recordings).toEqual([]);
  });
});

describe('events reach the sockets after a delay, in order; replies do not wait', () => {
  test('a reply overtakes events still in flight; events come in the order they were fired', async () => {
    const { sim, c } = await start({ eventDelayMs: { min: 300, max: 300 } });
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    expect(sim.firedEvents.some((e) => e.headers.some(([k, v]) => k === 'Unique-ID' && v === call.uuid))).toBe(true);
    const reply = await c.command('api status');
    expect(reply.body).toMatch(/is ready/);
    const frames = c.frames();
    const replyAt = frames.findIndex((f) => f.raw.toString().includes('api/response'));
    const createAt = frames.findIndex((f) => decodeEvent(f)?.['Event-Name'] === 'CHANNEL_CREATE');
    expect(createAt === -1 || createAt > replyAt).toBe(true);
    await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK', 5000);
    const seqs = c
      .frames()
      .map(decodeEvent)
      .filter((h) => h?.['Unique-ID'] === call.uuid)
      .map((h) => Number(h!['Event-Sequence']));
    expect(seqs.length).toBeGreaterThan(3);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  test('a delay that shrinks from event to event still keeps the order', async () => {
    let n = 0;
    const { sim, c } = await start({ eventDelayMs: () => Math.max(0, 200 - 40 * n++) });
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK', 5000);
    expect(timeline(c, call.uuid)).toEqual([
      'CHANNEL_CREATE',
      'CHANNEL_EXECUTE:set',
      'CHANNEL_EXECUTE_COMPLETE:set',
      'CHANNEL_EXECUTE:answer',
      'CHANNEL_ANSWER',
      'CHANNEL_EXECUTE_COMPLETE:answer',
      'CHANNEL_EXECUTE:park',
      'CHANNEL_PARK',
    ]);
  });

  test('a malformed delay is refused with what was wrong', async () => {
    await expect(startEslSimulator({ password: 'pw', eventDelayMs: { min: 60, max: 5 } })).rejects.toThrow(/eventDelayMs \{min, max\} needs 0 <= min <= max/);
    await expect(startEslSimulator({ password: 'pw', eventDelayMs: -1 })).rejects.toThrow(/eventDelayMs must be a number >= 0/);
    await expect(startEslSimulator({ password: 'pw', recordDtmfLossWindowMs: Number.NaN })).rejects.toThrow(/recordDtmfLossWindowMs/);
  });
});
